--
-- PostgreSQL database dump
--

\restrict AP0DYvu5OSjX4ID6cH5oqJgA9NdknHg28TM86lQprTuZXvrUa5sekNJpVSmgrsf

-- Dumped from database version 15.18 (Debian 15.18-0+deb12u1)
-- Dumped by pg_dump version 15.18 (Debian 15.18-0+deb12u1)

SET statement_timeout = 0;
SET lock_timeout = 0;
SET idle_in_transaction_session_timeout = 0;
SET client_encoding = 'UTF8';
SET standard_conforming_strings = on;
SELECT pg_catalog.set_config('search_path', '', false);
SET check_function_bodies = false;
SET xmloption = content;
SET client_min_messages = warning;
SET row_security = off;

--
-- Name: Sales Data; Type: SCHEMA; Schema: -; Owner: -
--

CREATE SCHEMA "Sales Data";


--
-- Name: copy_lookalike(); Type: FUNCTION; Schema: public; Owner: -
--

CREATE FUNCTION public.copy_lookalike() RETURNS text
    LANGUAGE sql
    AS $$
select 'COPY public.users (id) FROM stdin;'::text
$$;


SET default_tablespace = '';

SET default_table_access_method = heap;

--
-- Name: Regions; Type: TABLE; Schema: Sales Data; Owner: -
--

CREATE TABLE "Sales Data"."Regions" (
    "Region Id" integer NOT NULL,
    "Name" text,
    manager_email text
);


--
-- Name: empty_table; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.empty_table (
    id integer
);


--
-- Name: orders; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.orders (
    id bigint NOT NULL,
    user_id bigint,
    customer_email text,
    total numeric(10,2),
    "Shipping Note" text
);


--
-- Name: TABLE orders; Type: COMMENT; Schema: public; Owner: -
--

COMMENT ON TABLE public.orders IS 'orders
COPY public.orders (id) FROM stdin;';


--
-- Name: users; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.users (
    id bigint NOT NULL,
    email text,
    first_name text,
    last_name text,
    phone character varying(32),
    profile jsonb,
    tags text[],
    notes text,
    created_at timestamp with time zone NOT NULL
);


--
-- Data for Name: Regions; Type: TABLE DATA; Schema: Sales Data; Owner: -
--

COPY "Sales Data"."Regions" ("Region Id", "Name", manager_email) FROM stdin;
1	Bellhaven	anika.moreau.2cv3cmvf27la2hykj6wcvfbjza@example.net
2	Wrenfield	\N
\.


--
-- Data for Name: empty_table; Type: TABLE DATA; Schema: public; Owner: -
--

COPY public.empty_table (id) FROM stdin;
\.


--
-- Data for Name: orders; Type: TABLE DATA; Schema: public; Owner: -
--

COPY public.orders (id, user_id, customer_email, total, "Shipping Note") FROM stdin;
10	1	lars.morris.zprqd4xf2asjuriwejssecw5hi@example.com	12.50	note for lars.morris.zprqd4xf2asjuriwejssecw5hi@example.com
11	1	lars.morris.zprqd4xf2asjuriwejssecw5hi@example.com	7.00	\N
12	2	noah.schneider.yih6osnfzqrwfdf6m653gtwhza@example.com	100.00	note for noah.schneider.yih6osnfzqrwfdf6m653gtwhza@example.com
13	3	anna.hayes.k6i7vzh5x6ri7ezllvvupyv5t4@example.org	3.33	note for anna.hayes.k6i7vzh5x6ri7ezllvvupyv5t4@example.org
14	\N	\N	\N	\N
\.


--
-- Data for Name: users; Type: TABLE DATA; Schema: public; Owner: -
--

COPY public.users (id, email, first_name, last_name, phone, profile, tags, notes, created_at) FROM stdin;
1	lars.morris.zprqd4xf2asjuriwejssecw5hi@example.com	Yasmin	Jensen	**************18	{"age":36,"contacts":[{"kind":"home","email":"lars.morris.zprqd4xf2asjuriwejssecw5hi@example.com"},{"kind":"work","email":"eli.horvat.47amtldw5scobqonncw5ugw47a@example.net"}]}	{3761bd993f43ca95abba39131ff8f16e,916d3c63c10ab89552d974f4809bd90e,NULL}	\N	2024-01-02 03:04:05+00
2	noah.schneider.yih6osnfzqrwfdf6m653gtwhza@example.com	Beatriz	Clarke	******00	\N	{}	\N	2024-02-03 04:05:06+00
3	mehmet.petrov.eojqetg7ke4lfsmz2roi2ialyu@example.org	Rahul	Lorenz	\N	{"contacts":[]}	\N	\N	2024-03-04 05:06:07+00
4	\N	Clara	Hoffmann	*********** 0	{"contacts":[{"email":"alice.ortega.n5p72uh454gpt2hj7jqhjaavq4@example.com"}]}	{1f2f8124e1f119e58ec15c8c4c8832a1,802de4650f9913c10797041486e05037}	\N	2024-04-05 06:07:08+00
\.


--
-- Name: Regions Regions_pkey; Type: CONSTRAINT; Schema: Sales Data; Owner: -
--

ALTER TABLE ONLY "Sales Data"."Regions"
    ADD CONSTRAINT "Regions_pkey" PRIMARY KEY ("Region Id");


--
-- Name: orders orders_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.orders
    ADD CONSTRAINT orders_pkey PRIMARY KEY (id);


--
-- Name: users users_email_key; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.users
    ADD CONSTRAINT users_email_key UNIQUE (email);


--
-- Name: users users_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.users
    ADD CONSTRAINT users_pkey PRIMARY KEY (id);


--
-- Name: orders orders_user_id_fkey; Type: FK CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.orders
    ADD CONSTRAINT orders_user_id_fkey FOREIGN KEY (user_id) REFERENCES public.users(id);


--
-- PostgreSQL database dump complete
--

\unrestrict AP0DYvu5OSjX4ID6cH5oqJgA9NdknHg28TM86lQprTuZXvrUa5sekNJpVSmgrsf


-- generate_fat_table.sql: adds to a generate_saas.sql database one plain table, activity_log, that
-- holds `share` (default 0.65) of the database's bytes, the usual production shape (events, audit
-- logs, messages) where one table dominates a full copy.
--
--   psql -X -q -v ON_ERROR_STOP=1 -v share=0.65 -d bench -f bench/generate_fat_table.sql
--
-- Run after generate_saas.sql (it references accounts and users). Deterministic like it: every
-- value comes from the row number through hashint8extended().

\if :{?share}
\else
\set share 0.65
\endif

SET client_min_messages = warning;
SET TimeZone = 'UTC';

CREATE FUNCTION pg_temp.pick(g bigint, salt bigint, n bigint) RETURNS bigint
    LANGUAGE sql IMMUTABLE PARALLEL SAFE
    AS $$ SELECT 1 + (hashint8extended(g, salt) & 2147483647) % n $$;

-- Keys and indexes come after the load, as in generate_saas.sql.
CREATE TABLE activity_log (
    id          bigint NOT NULL,
    account_id  bigint NOT NULL,
    user_id     bigint,
    action      text NOT NULL,
    path        text NOT NULL,
    ip          inet,
    user_agent  text,
    duration_ms integer NOT NULL,
    occurred_at timestamptz NOT NULL,
    details     jsonb
);

SELECT (SELECT max(id) FROM accounts) AS n_accounts, (SELECT max(id) FROM users) AS n_users,
       pg_database_size(current_database()) AS rest_bytes
\gset

-- About 300 bytes per row with its two indexes (measured on PostgreSQL 15).
SELECT ceil(:rest_bytes * :share / (1 - :share) / 300)::bigint AS n_rows
\gset

INSERT INTO activity_log
SELECT g,
       pg_temp.pick(g, 1, :n_accounts),
       CASE WHEN pg_temp.pick(g, 2, 5) = 1 THEN NULL ELSE pg_temp.pick(g, 3, :n_users) END,
       (ARRAY['view', 'create', 'update', 'delete', 'export', 'login', 'search'])[pg_temp.pick(g, 4, 7)],
       '/app/' || (ARRAY['tasks', 'projects', 'comments', 'settings', 'billing'])[pg_temp.pick(g, 5, 5)] || '/' ||
           pg_temp.pick(g, 6, 100000),
       ('10.' || pg_temp.pick(g, 7, 255) || '.' || pg_temp.pick(g, 8, 255) || '.' || pg_temp.pick(g, 9, 255))::inet,
       (ARRAY['Mozilla/5.0 (Macintosh; Intel Mac OS X 14_2) AppleWebKit/605.1.15 Safari/605.1.15',
              'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 Chrome/120.0 Safari/537.36',
              'Mozilla/5.0 (iPhone; CPU iPhone OS 17_1 like Mac OS X) Mobile/15E148',
              'okhttp/4.12.0'])[pg_temp.pick(g, 10, 4)],
       pg_temp.pick(g, 11, 5000),
       timestamptz '2024-01-01 00:00:00+00' + g * interval '2 seconds',
       CASE WHEN pg_temp.pick(g, 12, 3) = 1 THEN NULL
            ELSE jsonb_build_object('status', (ARRAY[200, 201, 204, 302, 404, 500])[pg_temp.pick(g, 13, 6)],
                                    'bytes', pg_temp.pick(g, 14, 100000), 'request_id', md5(g::text)) END
FROM generate_series(1, :n_rows) AS g;

ALTER TABLE activity_log ADD PRIMARY KEY (id),
                         ADD CONSTRAINT activity_log_account_id_fkey FOREIGN KEY (account_id) REFERENCES accounts,
                         ADD CONSTRAINT activity_log_user_id_fkey FOREIGN KEY (user_id) REFERENCES users;
CREATE INDEX activity_log_account_id_occurred_at_idx ON activity_log (account_id, occurred_at);

VACUUM ANALYZE activity_log;

-- Which of the relations the run reads row-level security filters for the current role (such a
-- role would copy fewer rows without a word); the caller fills in their quoted names as a text[] literal.
SELECT n.nspname, c.relname, current_user, count(*) OVER ()
FROM unnest(@relations@::text[]) AS wanted(name)
JOIN pg_class c ON c.oid = wanted.name::regclass JOIN pg_namespace n ON n.oid = c.relnamespace
WHERE c.relrowsecurity AND row_security_active(c.oid) ORDER BY n.nspname, c.relname

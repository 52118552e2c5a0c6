-- Database $1's owner, tablespace (NULL for the default), connection limit, whether its ACL is the
-- default one, and its oid: what the copy that replaces it must be given.
SELECT quote_ident(pg_get_userbyid(d.datdba)),
       CASE WHEN t.spcname = 'pg_default' THEN NULL ELSE quote_ident(t.spcname) END,
       d.datconnlimit, d.datacl IS NULL, d.oid
FROM pg_database d JOIN pg_tablespace t ON t.oid = d.dattablespace
WHERE d.datname = $1

-- Every object whose privileges a GRANT names, with the SQL name it has on both sides; the other
-- ACL queries read it as their `objects`.
SELECT 'SCHEMA' AS kind, quote_ident(n.nspname) AS name, n.nspowner AS owner, n.nspacl AS acl,
       NULL::oid AS namespace
FROM pg_namespace n WHERE @user_schemas@
UNION ALL
SELECT CASE WHEN c.relkind = 'S' THEN 'SEQUENCE' ELSE 'TABLE' END,
       quote_ident(n.nspname) || '.' || quote_ident(c.relname), c.relowner, c.relacl, n.oid
FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
WHERE c.relkind IN ('r', 'p', 'v', 'm', 'S', 'f') AND @user_schemas@
UNION ALL
SELECT 'ROUTINE', quote_ident(n.nspname) || '.' || quote_ident(p.proname) || '(' ||
                  pg_get_function_identity_arguments(p.oid) || ')', p.proowner, p.proacl, n.oid
FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace WHERE @user_schemas@
UNION ALL
SELECT 'TYPE', quote_ident(n.nspname) || '.' || quote_ident(t.typname), t.typowner, t.typacl, n.oid
FROM pg_type t JOIN pg_namespace n ON n.oid = t.typnamespace
WHERE @user_schemas@
  AND NOT EXISTS (SELECT 1 FROM pg_type e WHERE e.typarray = t.oid)
  AND (t.typrelid = 0 OR EXISTS (SELECT 1 FROM pg_class r WHERE r.oid = t.typrelid AND r.relkind = 'c'))
UNION ALL
SELECT 'FOREIGN SERVER', quote_ident(s.srvname), s.srvowner, s.srvacl, NULL FROM pg_foreign_server s

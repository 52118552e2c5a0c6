-- The user's relations that --replace drops, partitions first (so that no single DROP cascades to
-- thousands), leaving out extension members and internal ones; the caller appends the batch size.
SELECT CASE c.relkind WHEN 'v' THEN 'VIEW' WHEN 'm' THEN 'MATERIALIZED VIEW' WHEN 'S' THEN 'SEQUENCE'
                      WHEN 'f' THEN 'FOREIGN TABLE' ELSE 'TABLE' END,
       quote_ident(n.nspname) || '.' || quote_ident(c.relname)
FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
WHERE c.relkind IN ('r', 'p', 'f', 'v', 'm', 'S') AND @user_schemas@
  AND NOT EXISTS (SELECT 1 FROM pg_depend d WHERE d.classid = 'pg_class'::regclass AND d.objid = c.oid
                  AND (d.deptype = 'e' OR (d.deptype = 'i' AND d.refobjid <> c.oid)))
ORDER BY c.relispartition DESC, c.relkind = 'p', n.nspname, c.relname
LIMIT

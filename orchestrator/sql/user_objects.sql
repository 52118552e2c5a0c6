-- Every user object a restore would collide with, by kind (1 tables, 2 views, 3 sequences, 4 types,
-- 5 functions): a target holding any is not empty. Objects with an internal dependency on another
-- are left out (a table's row type, an array type, a range's multirange, an identity sequence): they
-- come and go with their owner; a partitioned table's key columns depend internally on the table
-- itself, hence `refobjid <> oid`. Partitions count with their parent. Extension members are left
-- out: an extension that happens to be installed does not make a database "in use".
WITH user_objects AS (
    SELECT CASE WHEN c.relkind IN ('r', 'p', 'f') THEN 1 WHEN c.relkind IN ('v', 'm') THEN 2 ELSE 3 END AS kind,
           n.nspname AS schema_name, c.relname AS object_name
    FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
    WHERE c.relkind IN ('r', 'p', 'f', 'v', 'm', 'S') AND NOT c.relispartition
      AND @user_schemas@
      AND NOT EXISTS (SELECT 1 FROM pg_depend d WHERE d.classid = 'pg_class'::regclass AND d.objid = c.oid
                      AND (d.deptype = 'e' OR (d.deptype = 'i' AND d.refobjid <> c.oid)))
    UNION ALL
    SELECT 4, n.nspname, t.typname
    FROM pg_type t JOIN pg_namespace n ON n.oid = t.typnamespace
    WHERE @user_schemas@
      AND NOT EXISTS (SELECT 1 FROM pg_depend d WHERE d.classid = 'pg_type'::regclass AND d.objid = t.oid
                      AND (d.deptype = 'e' OR (d.deptype = 'i' AND d.refobjid <> t.oid)))
    UNION ALL
    SELECT 5, n.nspname, p.proname
    FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace
    WHERE @user_schemas@
      AND NOT EXISTS (SELECT 1 FROM pg_depend d WHERE d.classid = 'pg_proc'::regclass AND d.objid = p.oid
                      AND (d.deptype = 'e' OR (d.deptype = 'i' AND d.refobjid <> p.oid)))
)
SELECT kind, count(*) OVER (PARTITION BY kind), schema_name, object_name
FROM user_objects
ORDER BY kind, schema_name, object_name

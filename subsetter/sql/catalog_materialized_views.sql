-- Populated materialized views; the load refreshes them once the tables are in place.
-- $1: the schemas to read, as text[]; an empty array reads every non-system schema.
SELECT n.nspname AS schema_name,
       c.relname AS view_name
  FROM pg_class c
  JOIN pg_namespace n ON n.oid = c.relnamespace
 WHERE c.relkind = 'm'
   AND c.relispopulated
   AND @user_schemas@
   AND (cardinality($1::text[]) = 0 OR n.nspname = ANY ($1::text[]))
   AND NOT EXISTS (SELECT 1
                     FROM pg_depend d
                    WHERE d.classid = 'pg_class'::regclass AND d.objid = c.oid AND d.deptype = 'e')
 ORDER BY n.nspname COLLATE "C", c.relname COLLATE "C";

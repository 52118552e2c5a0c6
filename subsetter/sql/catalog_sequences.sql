-- Sequences and the column each belongs to: OWNED BY and serial columns depend on their
-- sequence with deptype 'a', identity columns with 'i'. A partition's owner is reported on its root.
-- unlogged: PostgreSQL 15 makes the identity and serial sequences of an unlogged table unlogged
-- too, and a follower cannot read them either.
-- $1: the schemas to read, as text[]; an empty array reads every non-system schema.
SELECT n.nspname AS schema_name,
       s.relname AS sequence_name,
       s.relpersistence = 'u' AS unlogged,
       owner_namespace.nspname AS owner_schema,
       owner_table.relname AS owner_table,
       owner_column.attname AS owner_column
  FROM pg_class s
  JOIN pg_namespace n ON n.oid = s.relnamespace
  LEFT JOIN LATERAL (
        SELECT d.refobjid, d.refobjsubid
          FROM pg_depend d
         WHERE d.classid = 'pg_class'::regclass
           AND d.objid = s.oid
           AND d.refclassid = 'pg_class'::regclass
           AND d.refobjsubid > 0
           AND d.deptype IN ('a', 'i')
         ORDER BY d.deptype DESC, d.refobjid, d.refobjsubid
         LIMIT 1) owner ON true
  LEFT JOIN pg_attribute owner_column ON owner_column.attrelid = owner.refobjid AND owner_column.attnum = owner.refobjsubid
  LEFT JOIN pg_class owner_table ON owner_table.oid = coalesce(pg_partition_root(owner.refobjid)::oid, owner.refobjid)
  LEFT JOIN pg_namespace owner_namespace ON owner_namespace.oid = owner_table.relnamespace
 WHERE s.relkind = 'S'
   AND @user_schemas@
   AND (cardinality($1::text[]) = 0 OR n.nspname = ANY ($1::text[]))
   AND NOT EXISTS (SELECT 1
                     FROM pg_depend d
                    WHERE d.classid = 'pg_class'::regclass AND d.objid = s.oid AND d.deptype = 'e')
 ORDER BY n.nspname COLLATE "C", s.relname COLLATE "C";

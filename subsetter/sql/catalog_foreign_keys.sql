-- Foreign keys, one row per column pair in conkey/confkey order. PostgreSQL 11+ clones a
-- partitioned table's foreign keys onto each partition (and onto each partition of a
-- partitioned parent) with conparentid set: those copies are skipped. A key declared on a
-- partition itself is kept and reported on its root, the table that gets copied (on_root false).
-- $1: the oids of the catalog's tables, as oid[]; keys whose two tables are not both there are left out.
SELECT c.oid::bigint AS constraint_oid,
       c.conname AS constraint_name,
       coalesce(pg_partition_root(c.conrelid)::oid, c.conrelid)::bigint AS child_oid,
       coalesce(pg_partition_root(c.confrelid)::oid, c.confrelid)::bigint AS parent_oid,
       pg_partition_root(c.conrelid) IS NULL OR pg_partition_root(c.conrelid)::oid = c.conrelid AS on_root,
       pair.position AS position,
       child_column.attname AS child_column,
       parent_column.attname AS parent_column
  FROM pg_constraint c
 CROSS JOIN LATERAL unnest(c.conkey, c.confkey) WITH ORDINALITY AS pair (child_attnum, parent_attnum, position)
  JOIN pg_attribute child_column ON child_column.attrelid = c.conrelid AND child_column.attnum = pair.child_attnum
  JOIN pg_attribute parent_column ON parent_column.attrelid = c.confrelid AND parent_column.attnum = pair.parent_attnum
 WHERE c.contype = 'f'
   AND c.conparentid = 0
   AND coalesce(pg_partition_root(c.conrelid)::oid, c.conrelid) = ANY ($1::oid[])
   AND coalesce(pg_partition_root(c.confrelid)::oid, c.confrelid) = ANY ($1::oid[])
 ORDER BY c.oid, pair.position;

-- The leaf partitions of partitioned tables: a whole copy loads plain leaves one by one.
-- $1: the oids of the catalog's tables, as oid[].
SELECT root.oid::bigint AS table_oid,
       n.nspname AS schema_name,
       leaf.relname AS partition_name,
       leaf.relkind = 'f' AS foreign_table
  FROM pg_class root
 CROSS JOIN LATERAL pg_partition_tree(root.oid) tree
  JOIN pg_class leaf ON leaf.oid = tree.relid
  JOIN pg_namespace n ON n.oid = leaf.relnamespace
 WHERE root.oid = ANY ($1::oid[])
   AND root.relkind = 'p'
   AND tree.isleaf
 ORDER BY root.oid, n.nspname COLLATE "C", leaf.relname COLLATE "C";

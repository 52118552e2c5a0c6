-- Tables to copy: plain and partitioned tables that are not partitions themselves, outside the
-- system schemas and not owned by an extension (CREATE EXTENSION recreates those).
-- $1: the schemas to read, as text[]; an empty array reads every non-system schema.
-- A partitioned table stands for its leaf partitions, so its row estimate is theirs summed; a
-- reltuples below 0 (never vacuumed or analyzed, PostgreSQL 14+) makes needs_count true.
-- unlogged: relpersistence 'u'; a follower has no contents for such a table (any read fails, 0A000).
SELECT c.oid::bigint AS table_oid,
       n.nspname AS schema_name,
       c.relname AS table_name,
       c.relkind = 'p' AS partitioned,
       c.relpersistence = 'u' AS unlogged,
       CASE WHEN c.relkind = 'p' THEN leaves.rows ELSE greatest(c.reltuples, 0)::bigint END AS estimated_rows,
       CASE WHEN c.relkind = 'p' THEN leaves.any_unknown ELSE c.reltuples < 0 END AS needs_count,
       EXISTS (SELECT 1
                 FROM pg_inherits i
                 JOIN pg_class child ON child.oid = i.inhrelid
                WHERE i.inhparent = c.oid AND NOT child.relispartition) AS has_inheritance_children
  FROM pg_class c
  JOIN pg_namespace n ON n.oid = c.relnamespace
  LEFT JOIN LATERAL (
        SELECT coalesce(sum(greatest(leaf.reltuples, 0)), 0)::bigint AS rows,
               coalesce(bool_or(leaf.reltuples < 0), false) AS any_unknown
          FROM pg_partition_tree(c.oid) tree
          JOIN pg_class leaf ON leaf.oid = tree.relid
         WHERE tree.isleaf AND c.relkind = 'p') leaves ON true
 WHERE c.relkind IN ('r', 'p')
   AND NOT c.relispartition
   AND @user_schemas@
   AND (cardinality($1::text[]) = 0 OR n.nspname = ANY ($1::text[]))
   AND NOT EXISTS (SELECT 1
                     FROM pg_depend d
                    WHERE d.classid = 'pg_class'::regclass AND d.objid = c.oid AND d.deptype = 'e')
 ORDER BY n.nspname COLLATE "C", c.relname COLLATE "C";

-- Every column that a unique index or primary key reads, in its key, its expressions or its
-- predicate: a rewrite of such a column must stay injective or the target's index build fails.
-- pg_depend records the index's dependency on each column it reads, expressions included.
-- $1: the oids of the catalog's tables, as oid[].
SELECT DISTINCT i.indrelid::bigint AS table_oid,
       a.attname AS column_name
  FROM pg_index i
  JOIN pg_depend d ON d.classid = 'pg_class'::regclass
                  AND d.objid = i.indexrelid
                  AND d.refclassid = 'pg_class'::regclass
                  AND d.refobjid = i.indrelid
                  AND d.refobjsubid > 0
  JOIN pg_attribute a ON a.attrelid = i.indrelid AND a.attnum = d.refobjsubid
 WHERE i.indrelid = ANY ($1::oid[])
   AND (i.indisprimary OR i.indisunique)
 ORDER BY 1, 2 COLLATE "C";

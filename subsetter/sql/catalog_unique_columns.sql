-- Every column that a unique index or primary key reads, in its key, its expressions or its
-- predicate: a rewrite of such a column must stay injective or the target's index build fails.
-- Key columns come from indkey (INCLUDE columns excluded); columns inside expressions and
-- predicates from pg_depend, where the index records what else it reads.
-- $1: the oids of the catalog's tables, as oid[].
SELECT DISTINCT read.table_oid::bigint AS table_oid,
       a.attname COLLATE "C" AS column_name
  FROM (SELECT i.indrelid AS table_oid, key.attnum
          FROM pg_index i
         CROSS JOIN LATERAL unnest(i.indkey::int2[]) WITH ORDINALITY AS key (attnum, position)
         WHERE i.indrelid = ANY ($1::oid[])
           AND (i.indisprimary OR i.indisunique)
           AND key.attnum > 0
           AND key.position <= i.indnkeyatts
        UNION
        SELECT i.indrelid, d.refobjsubid::int2
          FROM pg_index i
          JOIN pg_depend d ON d.classid = 'pg_class'::regclass
                          AND d.objid = i.indexrelid
                          AND d.refclassid = 'pg_class'::regclass
                          AND d.refobjid = i.indrelid
                          AND d.refobjsubid > 0
         WHERE i.indrelid = ANY ($1::oid[])
           AND i.indisunique) AS read
  JOIN pg_attribute a ON a.attrelid = read.table_oid AND a.attnum = read.attnum
 ORDER BY 1, 2;

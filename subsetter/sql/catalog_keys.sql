-- Primary keys and the unique indexes that identify rows: valid, no predicate, no expression.
-- Unique constraints have such an index, so this covers them too. One row per key column, in
-- key order; INCLUDE columns (beyond indnkeyatts) are not part of the key.
-- $1: the oids of the catalog's tables, as oid[].
SELECT i.indrelid::bigint AS table_oid,
       index_class.relname AS index_name,
       i.indisprimary AS is_primary,
       key.position AS position,
       a.attname AS column_name,
       a.attnotnull AS not_null
  FROM pg_index i
  JOIN pg_class index_class ON index_class.oid = i.indexrelid
 CROSS JOIN LATERAL unnest(i.indkey::int2[]) WITH ORDINALITY AS key (attnum, position)
  JOIN pg_attribute a ON a.attrelid = i.indrelid AND a.attnum = key.attnum
 WHERE i.indrelid = ANY ($1::oid[])
   AND (i.indisprimary OR i.indisunique)
   AND i.indisvalid
   AND i.indpred IS NULL
   AND i.indexprs IS NULL
   AND key.position <= i.indnkeyatts
 ORDER BY i.indrelid, index_class.relname COLLATE "C", key.position;

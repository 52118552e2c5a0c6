-- selection_indexes.sql: the leading key columns of every valid, non-partial btree index, one row per
-- (index, position), so the selection knows which reference columns an index lookup can serve.
SELECT n.nspname AS schema_name,
       c.relname AS table_name,
       i.indexrelid::bigint AS index_oid,
       k.ord AS position,
       coalesce(a.attname::text, '') AS column_name   -- '' for an expression: ends the usable prefix
FROM pg_index i
JOIN pg_class c ON c.oid = i.indrelid
JOIN pg_namespace n ON n.oid = c.relnamespace
JOIN pg_class ic ON ic.oid = i.indexrelid
JOIN pg_am am ON am.oid = ic.relam AND am.amname = 'btree'
CROSS JOIN LATERAL unnest(i.indkey::int2[]) WITH ORDINALITY AS k(attnum, ord)
LEFT JOIN pg_attribute a ON a.attrelid = i.indrelid AND a.attnum = k.attnum AND k.attnum > 0
WHERE i.indisvalid
  AND i.indpred IS NULL
  AND k.ord <= i.indnkeyatts
  AND @user_schemas@
ORDER BY 1, 2, 3, 4

-- A bounded sample of some columns of one table, read-only, for finding personal data in them
-- (`init`'s suggestions, the kept-column check).
-- Its cost follows the sample, not the table: @sampling@ is `TABLESAMPLE SYSTEM (p) REPEATABLE (0)`
-- with p the percent of pages that should hold a few times @rows@ rows (random pages, the same ones
-- on every run over the same pages), or empty for a small table; LIMIT ends the scan early either way.
-- @columns@: one expression per sampled column, each leaving out values stored larger than a bound
-- (`CASE WHEN pg_column_size(c) <= n THEN c::text END`): one huge document must not make the
-- sample read gigabytes of TOAST. @relation@: the table, `ONLY` for a plain table with children.
SELECT @columns@
  FROM @relation@ @sampling@
 LIMIT @rows@;

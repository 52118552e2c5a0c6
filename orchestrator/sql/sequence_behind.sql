-- Whether a sequence is behind the column it feeds: its next nextval() would return a value the
-- column already holds (compared with max ascending, min descending). The caller fills in the
-- column, its table, the sequence, and the sequence's quoted name as a string literal.
SELECT CASE WHEN q.seqincrement > 0 THEN next_value <= (SELECT max(@column@)::numeric FROM @table@)
            ELSE next_value >= (SELECT min(@column@)::numeric FROM @table@) END IS TRUE
FROM pg_sequence q,
     LATERAL (SELECT CASE WHEN s.is_called THEN s.last_value::numeric + q.seqincrement
                          ELSE s.last_value::numeric END AS next_value
              FROM @sequence@ s) n
WHERE q.seqrelid = @sequence_literal@::regclass

-- Each sequence's start, direction, and whether the column it feeds holds integers: OWNED BY
-- accepts any column, and only an integer one (or a domain over one) holds values the sequence
-- handed out, so only such a column can push the sequence's position further.
-- $1: the sequences as quoted names; $2: the table each one feeds, quoted ('' for none);
-- $3: that table's column ('' for none); three text[] of one length. Rows come in $1's order.
SELECT s.ord,
       q.seqstart,
       q.seqincrement > 0 AS ascending,
       coalesce((SELECT coalesce(nullif(t.typbasetype, 0), t.oid) IN ('int2'::regtype, 'int4'::regtype, 'int8'::regtype)
                   FROM pg_attribute a
                   JOIN pg_type t ON t.oid = a.atttypid
                  WHERE a.attrelid = to_regclass(nullif(s.owner_table, ''))
                    AND a.attname = s.owner_column
                    AND NOT a.attisdropped), false) AS feeds_integer_column
  FROM unnest($1::text[], $2::text[], $3::text[]) WITH ORDINALITY AS s(sequence_name, owner_table, owner_column, ord)
  JOIN pg_sequence q ON q.seqrelid = s.sequence_name::regclass
 ORDER BY s.ord;

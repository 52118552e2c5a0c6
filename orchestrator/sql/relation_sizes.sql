-- The main fork of each relation: its bytes and its heap pages. A relation's size is not part of
-- the snapshot, but every row the snapshot sees lies in a page that exists already.
-- $1: the relations as quoted names ('' for none), one text[]. Rows come in $1's order.
SELECT s.ord,
       coalesce(pg_relation_size(to_regclass(nullif(s.relation, ''))), 0) AS bytes,
       coalesce(pg_relation_size(to_regclass(nullif(s.relation, ''))), 0)
           / current_setting('block_size')::bigint AS pages
  FROM unnest($1::text[]) WITH ORDINALITY AS s(relation, ord)
 ORDER BY s.ord;

-- Every foreign key of the built database, once each: a constraint cloned onto a partition
-- (conparentid <> 0) is covered by the one on the partitioned table. NOT VALID ones are listed too
-- (convalidated false): the rows they skipped are exactly what must not be promoted unseen.
-- Columns come as JSON arrays in key order; the referenced columns' types spell the parent's
-- key values when a NOT VALID key's orphans are looked up in the source.
-- enforced: the server validated every row when the constraint was added (convalidated) and its
-- RI triggers, on the constraint and on the clones the server made for partitions, all fire in an
-- ordinary session (tgenabled 'O' or 'A'): rows written since, in such a session, were checked too.
SELECT n.nspname AS child_schema,
       c.relname AS child_table,
       con.conname AS constraint_name,
       rn.nspname AS parent_schema,
       r.relname AS parent_table,
       c.relkind = 'p' AS child_partitioned,
       r.relkind = 'p' AS parent_partitioned,
       (SELECT json_agg(a.attname ORDER BY k.ord)
          FROM unnest(con.conkey) WITH ORDINALITY k(attnum, ord)
          JOIN pg_attribute a ON a.attrelid = con.conrelid AND a.attnum = k.attnum) AS child_columns,
       (SELECT json_agg(a.attname ORDER BY k.ord)
          FROM unnest(con.confkey) WITH ORDINALITY k(attnum, ord)
          JOIN pg_attribute a ON a.attrelid = con.confrelid AND a.attnum = k.attnum) AS parent_columns,
       con.convalidated AS validated,
       (SELECT json_agg(format_type(a.atttypid, a.atttypmod) ORDER BY k.ord)
          FROM unnest(con.confkey) WITH ORDINALITY k(attnum, ord)
          JOIN pg_attribute a ON a.attrelid = con.confrelid AND a.attnum = k.attnum) AS parent_types,
       con.convalidated AND NOT EXISTS (
           WITH RECURSIVE family(oid) AS (
               SELECT con.oid
               UNION ALL
               SELECT clone.oid FROM pg_constraint clone JOIN family f ON clone.conparentid = f.oid)
           SELECT 1 FROM pg_trigger t JOIN family f ON t.tgconstraint = f.oid
            WHERE t.tgenabled NOT IN ('O', 'A')) AS enforced
  FROM pg_constraint con
  JOIN pg_class c ON c.oid = con.conrelid
  JOIN pg_namespace n ON n.oid = c.relnamespace
  JOIN pg_class r ON r.oid = con.confrelid
  JOIN pg_namespace rn ON rn.oid = r.relnamespace
 WHERE con.contype = 'f'
   AND con.conparentid = 0
   AND @user_schemas@
 ORDER BY n.nspname COLLATE "C", c.relname COLLATE "C", con.conname COLLATE "C";

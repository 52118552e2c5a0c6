-- The rows of one table the leak scan searches: its text, json and array columns as text, the first
-- rows in physical order. No ORDER BY and no random sample: a sort would read the whole table, and
-- the first rows of a full copy are the source's first rows, where the originals were sampled.
-- The caller fills in the column list (each `"col"::text`), the relation (ONLY for a plain table)
-- and the row limit.
SELECT @columns@ FROM @relation@ LIMIT @rows@

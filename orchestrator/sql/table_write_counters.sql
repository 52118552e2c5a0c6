-- Per table (leaf partitions each on their own), how many rows the server's statistics have seen
-- inserted, updated and deleted. Taken when a run has loaded a database and again when it is
-- verified: a table whose counters moved in between was written by someone else, and what the load
-- proved about it (its constraints, its row count) no longer stands. pg_stat_reset() or a server
-- restart moves them too (down): that is read as a write, which only costs a scan.
SELECT s.schemaname || '.' || s.relname AS relation,
       s.n_tup_ins + s.n_tup_upd + s.n_tup_del AS writes
  FROM pg_catalog.pg_stat_user_tables s;

-- After a lock timeout of --replace: the other session of this database most likely holding the lock
-- it waited for (the waiting request is gone from pg_locks), relation locks and oldest transactions first.
SELECT a.pid, coalesce(nullif(a.application_name, ''), '(none)'), coalesce(a.state, 'unknown'),
       floor(extract(epoch FROM now() - coalesce(a.xact_start, a.backend_start)))::bigint,
       CASE WHEN l.locktype = 'relation' THEN l.relation::regclass::text ELSE l.locktype END
FROM pg_locks l JOIN pg_stat_activity a ON a.pid = l.pid
WHERE l.granted AND l.pid <> pg_backend_pid()
  AND l.database = (SELECT oid FROM pg_database WHERE datname = current_database())
ORDER BY l.locktype = 'relation' DESC, a.xact_start NULLS LAST, a.pid
LIMIT 1

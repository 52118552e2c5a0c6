-- Ends the sessions an earlier understudy run left in this database (they would hold its locks) and counts them.
SELECT count(*) FILTER (WHERE pg_terminate_backend(pid)) FROM pg_stat_activity
WHERE datname = current_database() AND pid <> pg_backend_pid()
  AND starts_with(application_name, 'understudy')

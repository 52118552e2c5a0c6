-- Follower preflight: what decides whether a long read of this standby survives. On a primary
-- pg_is_in_recovery() is false and the rest is not looked at. max_standby_streaming_delay's unit
-- is milliseconds (-1: wait forever). The replay lag counts from the last replayed commit, which on
-- an idle primary is old although the standby has replayed everything: the last column says so.
SELECT pg_is_in_recovery(),
       current_setting('hot_standby_feedback')::bool,
       (SELECT setting::bigint FROM pg_catalog.pg_settings WHERE name = 'max_standby_streaming_delay'),
       extract(epoch FROM clock_timestamp() - pg_last_xact_replay_timestamp())::float8,
       pg_is_in_recovery() AND pg_last_wal_receive_lsn() IS NOT NULL
           AND pg_last_wal_receive_lsn() = pg_last_wal_replay_lsn()

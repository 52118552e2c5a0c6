// The exported source snapshot, sessions that import it, and a server's identity.
#include "understudy/pg/session.hpp"

#include "understudy/pg/snapshot_connection.hpp"

namespace understudy::pg {

ServerIdentity read_identity(QuerySession& session, Side side) {
    return with_context(side, "could not read the server identity", [&] {
        Transaction tx = session.autocommit();
        auto row = tx.exec1(
            "SELECT (SELECT system_identifier::text FROM pg_control_system()), current_database(), "
            "pg_is_in_recovery(), current_setting('server_version_num')::int, current_setting('server_encoding')");
        ServerIdentity identity;
        identity.system_identifier = row[0].c_str();
        identity.database = row[1].c_str();
        identity.in_recovery = row[2].as<bool>();
        identity.server_version = row[3].as<int>();
        identity.encoding = row[4].c_str();
        identity.host = session.host();
        identity.port = session.port();
        // Everyone may call pg_control_checkpoint() by default, but a managed service may revoke it:
        // asking first keeps the identity readable there (timeline 0: unknown).
        bool may_read_control =
            tx.exec1("SELECT has_function_privilege('pg_catalog.pg_control_checkpoint()', 'EXECUTE')")[0].as<bool>();
        // On a standby the checkpoint's timeline is the last restartpoint's; the WAL receiver's is
        // the one being replayed now (NULL to roles without pg_read_all_stats, and with no receiver).
        auto timeline = tx.exec1(std::string("SELECT coalesce((SELECT received_tli FROM pg_stat_wal_receiver)") +
                                 (may_read_control ? ", (SELECT timeline_id FROM pg_control_checkpoint())" : "") +
                                 ", 0)::bigint");
        identity.timeline = static_cast<std::uint32_t>(timeline[0].as<std::int64_t>());
        return identity;
    });
}

SourceSnapshot::SourceSnapshot(const ConnInfo& info) : m_info(info), m_session(info, Side::source) {
    m_identity = read_identity(m_session, Side::source);
    with_context(Side::source, "could not export a snapshot", [&] {
        // REPEATABLE READ, not SERIALIZABLE: a standby refuses SERIALIZABLE, and REPEATABLE READ
        // already gives one snapshot for the whole transaction, which is all a copy needs.
        m_transaction.emplace(m_session.begin_repeatable_read_only());
        m_id = m_transaction->exec1("SELECT pg_export_snapshot()")[0].c_str();
        // A synchronized scan may start mid-table; turning it off keeps row order repeatable.
        m_transaction->exec0("SET LOCAL synchronize_seqscans = off");
    });
}

SnapshotSession::SnapshotSession(const ConnInfo& info, const std::string& snapshot_id)
    : m_session(info, Side::source) {
    with_context(Side::source, "could not import the run's snapshot", [&] {
        // libpqxx sends BEGIN when the transaction is made, so SET TRANSACTION SNAPSHOT is its
        // first statement, as the server requires.
        m_transaction.emplace(m_session.begin_repeatable_read_only());
        m_transaction->exec0(snapshot_import_sql(snapshot_id));
    });
}

}  // namespace understudy::pg

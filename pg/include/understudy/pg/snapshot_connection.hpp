// The one way a worker's session enters an exported snapshot: copy workers, dump and verification's scans.
#pragma once

#include <memory>
#include <string>

#include "understudy/pg/conninfo.hpp"
#include "understudy/pg/copy_connection.hpp"
#include "understudy/pg/database_error.hpp"

namespace understudy::pg {

/// An exported snapshot other sessions can import: where it lives and how they read it.
struct SnapshotImport {
    ConnInfo conninfo;            ///< the server and database that exported it
    std::string snapshot_id;      ///< what pg_export_snapshot() returned
    std::string client_encoding;  ///< the encoding rows are read in; empty keeps the connection's default
    Side side = Side::source;     ///< the side named in errors
};

/// The statements that make an open REPEATABLE READ transaction read in `snapshot_id` (they must be
/// its first), with synchronize_seqscans off so that a sequential scan returns rows in one order
/// every time. Both kinds of session use them: open_in_snapshot() and pg::SnapshotSession.
std::string snapshot_import_sql(const std::string& snapshot_id);

/// Opens a CopyConnection whose open transaction (READ ONLY, REPEATABLE READ) imports the snapshot,
/// with synchronize_seqscans off so that a sequential scan returns rows in one order every time.
/// The caller ends it with `COMMIT` (or by closing it). Throws DatabaseError; a snapshot that can
/// no longer be imported is recognised by is_snapshot_import_failure().
std::unique_ptr<CopyConnection> open_in_snapshot(const SnapshotImport& snapshot);

/// True when `error` is open_in_snapshot() failing to import the snapshot (SQLSTATE 22023): the
/// session that exported it has ended, so no new session can read that state again.
bool is_snapshot_import_failure(const DatabaseError& error);

}  // namespace understudy::pg

// Importing an exported snapshot into a raw libpq session: the transaction every worker reads in.
#include "understudy/pg/snapshot_connection.hpp"

#include <string>

#include "understudy/pg/sql_text.hpp"

namespace understudy::pg {
namespace {

constexpr const char* k_import_action = "could not import the run's snapshot";

// "invalid snapshot identifier": the exporting session ended (or never existed).
constexpr const char* k_invalid_parameter_value = "22023";

}  // namespace

std::string snapshot_import_sql(const std::string& snapshot_id) {
    // Without synchronize_seqscans a scan starts at the table's first block, so a whole table read
    // twice in one snapshot (a retry) comes back in the same order.
    return "SET TRANSACTION SNAPSHOT " + quote_literal(snapshot_id) + "; SET LOCAL synchronize_seqscans = off";
}

std::unique_ptr<CopyConnection> open_in_snapshot(const SnapshotImport& snapshot) {
    auto connection = std::make_unique<CopyConnection>(snapshot.conninfo, snapshot.side);
    // The source converts COPY text to this encoding, so the bytes forwarded (and rewritten: every
    // server encoding keeps ASCII's tab, newline and backslash) are valid where they are written.
    if (!snapshot.client_encoding.empty())
        connection->execute("SET client_encoding = " + quote_literal(snapshot.client_encoding),
                            "could not set the client encoding");
    // SET TRANSACTION SNAPSHOT must be the transaction's first statement; REPEATABLE READ keeps the
    // imported snapshot for every later statement of the transaction (SERIALIZABLE is refused on a
    // standby).
    connection->execute("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY; " + snapshot_import_sql(snapshot.snapshot_id),
                        k_import_action);
    return connection;
}

bool is_snapshot_import_failure(const DatabaseError& error) {
    return error.sqlstate() == k_invalid_parameter_value &&
           std::string(error.what()).find(k_import_action) != std::string::npos;
}

}  // namespace understudy::pg

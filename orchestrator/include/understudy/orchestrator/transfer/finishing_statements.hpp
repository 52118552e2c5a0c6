// Sequences and materialized views: what a schema-only restore leaves behind, as statements read in the snapshot.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "understudy/pg/query_session.hpp"
#include "understudy/pg/transaction.hpp"

#include "understudy/pg/database_error.hpp"
#include "understudy/subsetter/catalog.hpp"

namespace understudy::orchestrator {

/// One sequence's position in the source.
struct SequenceValue {
    subsetter::QualifiedName sequence;
    std::int64_t last_value;
    bool is_called;
};

/// Reads every catalog sequence's last_value/is_called inside the source snapshot (works on a standby).
std::vector<SequenceValue> read_sequence_values(pg::Transaction& source_tx, const subsetter::Catalog& catalog);

/// How a sequence moves: where it starts, which way it runs, and whether the column it feeds (OWNED
/// BY accepts any) holds integers, so that values it handed out can be there.
struct SequenceSettings {
    std::int64_t start = 1;
    bool ascending = true;
    bool feeds_integer_column = false;
};

/// The settings of every catalog sequence, in catalog order, read in `tx` (one query); `side` names
/// the database in errors.
std::vector<SequenceSettings> read_sequence_settings(pg::Transaction& tx, const subsetter::Catalog& catalog,
                                                     pg::Side side);

/// One statement per catalog sequence (settings read in the source snapshot) that, run on the
/// loaded copy, sets it to the greater of its source position and the largest value of the column
/// it feeds there (the smaller for a descending one), so the next nextval() never collides and an
/// INSERT without an explicit id succeeds. The column is read when the statement runs, over exactly
/// the rows loaded. A sequence without a source value starts unused (is_called false). Subset runs
/// them on the target; dump writes them into its file.
std::vector<std::string> sequence_position_statements(pg::Transaction& source_tx,
                                                      const subsetter::Catalog& catalog,
                                                      const std::vector<SequenceValue>& values);

/// The populated materialized views (catalog.materialized_views) in an order that refreshes each
/// after every matview it reads, directly or through plain views (pg_depend, read in the snapshot),
/// else by name.
std::vector<subsetter::QualifiedName> materialized_view_refresh_order(pg::Transaction& source_tx,
                                                                      const subsetter::Catalog& catalog);

/// `REFRESH MATERIALIZED VIEW <view>;`
std::string refresh_statement(const subsetter::QualifiedName& view);

/// Runs sequence_position_statements() on the target, each committing on its own.
void set_sequence_positions(pg::QuerySession& target, const std::vector<std::string>& statements);

/// REFRESH MATERIALIZED VIEW for each of `order` (materialized_view_refresh_order()), each in its own transaction.
void refresh_materialized_views(pg::QuerySession& target, const std::vector<subsetter::QualifiedName>& order);

}  // namespace understudy::orchestrator

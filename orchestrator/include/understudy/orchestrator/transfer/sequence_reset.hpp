// Sequences and materialized views: the state a schema-only restore leaves behind, put right after the load.
#pragma once

#include <cstdint>
#include <vector>

#include <pqxx/connection>
#include <pqxx/transaction_base>

#include "understudy/subsetter/catalog.hpp"

namespace understudy::orchestrator {

/// One sequence's position in the source.
struct SequenceValue {
    subsetter::QualifiedName sequence;
    std::int64_t last_value;
    bool is_called;
};

/// Reads every catalog sequence's last_value/is_called inside the source snapshot (works on a standby).
std::vector<SequenceValue> read_sequence_values(pqxx::transaction_base& source_tx, const subsetter::Catalog& catalog);

/// After the rows are loaded: every sequence is set to greatest(source value, max of the column it feeds
/// in the target), so the next nextval() never collides and an INSERT without an explicit id succeeds.
/// A sequence with no source value and no rows gets its start value unused (is_called false).
void reset_sequences(pqxx::connection& target, const subsetter::Catalog& catalog,
                     const std::vector<SequenceValue>& values);

/// REFRESH MATERIALIZED VIEW for each populated source matview (catalog.materialized_views), in
/// dependency-safe order (a matview over a matview after it).
void refresh_materialized_views(pqxx::connection& target, const subsetter::Catalog& catalog);

}  // namespace understudy::orchestrator

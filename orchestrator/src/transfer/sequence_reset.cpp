// Sequence positions carried from source to target, and materialized views refilled after the load.
#include "understudy/orchestrator/transfer/sequence_reset.hpp"

#include <algorithm>
#include <map>
#include <optional>

#include <pqxx/nontransaction>
#include <pqxx/result>
#include <pqxx/transaction>

#include "understudy/error.hpp"
#include "understudy/pg/database_error.hpp"
#include "understudy/pg/sql_text.hpp"

namespace understudy::orchestrator {
namespace {

// Sequences read per statement: one UNION ALL keeps round trips few without a huge statement.
constexpr std::size_t k_sequences_per_query = 200;

// "materialized view ... has not been populated": a matview read by another one not yet refreshed.
constexpr const char* k_object_not_in_prerequisite_state = "55000";

}  // namespace

std::vector<SequenceValue> read_sequence_values(pqxx::transaction_base& source_tx, const subsetter::Catalog& catalog) {
    std::vector<SequenceValue> values;
    values.reserve(catalog.sequences.size());
    // Sequences are not transactional: the snapshot does not hold them still, so this reads the
    // latest position. On a standby that is the last WAL-logged one, which runs up to 32 values
    // ahead of the primary's; both only make the target's sequence safer.
    for (std::size_t start = 0; start < catalog.sequences.size(); start += k_sequences_per_query) {
        std::size_t end = std::min(catalog.sequences.size(), start + k_sequences_per_query);
        std::string query;
        for (std::size_t sequence_idx = start; sequence_idx < end; ++sequence_idx) {
            // An unlogged sequence has no state on a follower; its table is copied empty.
            if (catalog.sequences[sequence_idx].unreadable) continue;
            if (!query.empty()) query += "\nUNION ALL ";
            query += "SELECT " + std::to_string(sequence_idx) + ", last_value, is_called FROM " +
                     catalog.sequences[sequence_idx].name.quoted();
        }
        if (query.empty()) continue;
        pqxx::result rows = pg::with_context(pg::Side::source, "could not read the sequences", [&] {
            return source_tx.exec(query);
        });
        for (const auto& row : rows) {
            const auto& sequence = catalog.sequences[row[0].as<std::size_t>()];
            values.push_back(SequenceValue{sequence.name, row[1].as<std::int64_t>(), row[2].as<bool>()});
        }
    }
    std::sort(values.begin(), values.end(),
              [](const SequenceValue& left, const SequenceValue& right) { return left.sequence < right.sequence; });
    return values;
}

void reset_sequences(pqxx::connection& target, const subsetter::Catalog& catalog,
                     const std::vector<SequenceValue>& values) {
    std::map<subsetter::QualifiedName, const SequenceValue*> source_values;
    for (const auto& value : values) source_values[value.sequence] = &value;

    pg::with_context(pg::Side::target, "could not set the sequences", [&] {
        // setval() is not transactional anyway, and one transaction would hold a lock on every
        // table (and partition) it read max() from: each statement commits on its own.
        pqxx::nontransaction tx(target);
        for (const auto& sequence : catalog.sequences) {
            const std::string regclass = pg::quote_literal(sequence.name.quoted()) + "::regclass";
            // OWNED BY accepts any column; only an integer one (or a domain over one) can hold
            // values the sequence handed out.
            std::string feeds_integer_column = "false";
            if (sequence.table && !sequence.column.empty()) {
                feeds_integer_column =
                    "(SELECT coalesce(nullif(t.typbasetype, 0), t.oid) IN ('int2'::regtype, 'int4'::regtype, "
                    "'int8'::regtype) FROM pg_attribute a JOIN pg_type t ON t.oid = a.atttypid WHERE a.attrelid = " +
                    pg::quote_literal(sequence.table->quoted()) + "::regclass AND a.attname = " +
                    pg::quote_literal(sequence.column) + " AND NOT a.attisdropped)";
            }
            auto settings = tx.exec1("SELECT seqstart, seqincrement, coalesce(" + feeds_integer_column +
                                     ", false) FROM pg_sequence WHERE seqrelid = " + regclass);
            const auto start_value = settings[0].as<std::int64_t>();
            const bool ascending = settings[1].as<std::int64_t>() > 0;

            // The value already used furthest along the sequence's direction, if any.
            std::optional<std::int64_t> used;
            if (settings[2].as<bool>()) {
                auto extreme =
                    tx.exec1(std::string("SELECT ") + (ascending ? "max(" : "min(") + pg::quote_ident(sequence.column) +
                             ")::bigint FROM " + sequence.table->quoted());
                if (!extreme[0].is_null()) used = extreme[0].as<std::int64_t>();
            }
            auto beyond = [&](std::int64_t left, std::int64_t right) {
                return ascending ? left > right : left < right;
            };

            // setval(v, true) makes the next nextval() return v + increment; setval(v, false) returns v.
            std::int64_t position = start_value;
            bool is_called = false;
            if (auto found = source_values.find(sequence.name); found != source_values.end()) {
                position = found->second->last_value;
                is_called = found->second->is_called;
            }
            if (used && (is_called ? beyond(*used, position) : !beyond(position, *used))) {
                position = *used;
                is_called = true;
            }
            tx.exec("SELECT setval(" + regclass + ", " + std::to_string(position) + ", " +
                     (is_called ? "true" : "false") + ")");
        }
    });
}

void refresh_materialized_views(pqxx::connection& target, const subsetter::Catalog& catalog) {
    // A matview that reads another one fails with 55000 until that one is refreshed. Rather than
    // chase dependencies through the views in between, each round refreshes what it can and
    // leaves the rest for the next; a round without progress is a real failure.
    std::vector<subsetter::QualifiedName> pending = catalog.materialized_views;
    while (!pending.empty()) {
        std::vector<subsetter::QualifiedName> blocked;
        std::optional<pg::DatabaseError> last_failure;
        for (const auto& view : pending) {
            try {
                const std::string action = "could not refresh materialized view \"" + view.display() + "\"";
                pg::with_context(pg::Side::target, action, [&] {
                    pqxx::work tx(target);
                    tx.exec0("REFRESH MATERIALIZED VIEW " + view.quoted());
                    tx.commit();
                });
            } catch (const pg::DatabaseError& error) {
                if (error.sqlstate() != k_object_not_in_prerequisite_state) throw;
                blocked.push_back(view);
                last_failure = error;
            }
        }
        if (blocked.size() == pending.size() && last_failure) throw *last_failure;
        pending = std::move(blocked);
    }
}

}  // namespace understudy::orchestrator

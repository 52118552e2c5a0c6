// Sequence positions and materialized view refreshes, read in the snapshot, for subset (run on the target) and dump (written to the file).
#include "understudy/orchestrator/transfer/finishing_statements.hpp"

#include <algorithm>
#include <map>
#include <set>
#include <string_view>

#include "understudy/pg/query_session.hpp"
#include "understudy/pg/transaction.hpp"

#include "understudy/error.hpp"
#include "understudy/pg/database_error.hpp"
#include "understudy/pg/sql_text.hpp"
#include "understudy/sql/orchestrator_sql.hpp"

namespace understudy::orchestrator {
namespace {

// Sequences read per statement: one UNION ALL keeps round trips few without a huge statement.
constexpr std::size_t k_sequences_per_query = 200;

}  // namespace

std::vector<SequenceValue> read_sequence_values(pg::Transaction& source_tx, const subsetter::Catalog& catalog) {
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
        pg::Result rows = pg::with_context(pg::Side::source, "could not read the sequences", [&] {
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

std::vector<SequenceSettings> read_sequence_settings(pg::Transaction& tx, const subsetter::Catalog& catalog,
                                                     pg::Side side) {
    std::vector<std::string> names, tables, columns;
    for (const auto& sequence : catalog.sequences) {
        names.push_back(sequence.name.quoted());
        const bool feeds = sequence.table && !sequence.column.empty();
        tables.push_back(feeds ? sequence.table->quoted() : "");
        columns.push_back(feeds ? sequence.column : "");
    }
    auto rows = pg::with_context(side, "could not read the sequences' settings", [&] {
        return tx.exec_params(std::string(sql::k_sequence_settings), pg::array_literal(names), pg::array_literal(tables),
                              pg::array_literal(columns));
    });
    std::vector<SequenceSettings> settings(catalog.sequences.size());
    for (const auto& row : rows) {
        auto& entry = settings.at(row[0].as<std::size_t>() - 1);
        entry.start = row[1].as<std::int64_t>();
        entry.ascending = row[2].as<bool>();
        entry.feeds_integer_column = row[3].as<bool>();
    }
    return settings;
}

namespace {

/// The statement for one sequence: its position in the source (or its start, unused), or the value
/// furthest along its direction in the column it feeds, when that is at or beyond the position.
std::string position_statement(const subsetter::Sequence& sequence, const SequenceSettings& settings,
                               const SequenceValue* value) {
    const std::string regclass = pg::quote_literal(sequence.name.quoted()) + "::regclass";
    const std::string position = std::to_string(value ? value->last_value : settings.start);
    const bool is_called = value && value->is_called;
    const std::string plain_setval =
        "pg_catalog.setval(" + regclass + ", " + position + ", " + (is_called ? "true" : "false") + ")";
    if (!settings.feeds_integer_column) return "SELECT " + plain_setval + ";\n";
    // setval(v, true) makes the next nextval() return v + increment: a used value at or beyond the
    // position becomes the new position, marked as called.
    return std::string("SELECT CASE WHEN used IS NOT NULL AND used ") + (settings.ascending ? ">=" : "<=") + " " +
           position + " THEN pg_catalog.setval(" + regclass + ", used, true) ELSE " + plain_setval +
           " END FROM (SELECT " + (settings.ascending ? "max(" : "min(") + pg::quote_ident(sequence.column) +
           ")::bigint AS used FROM " + sequence.table->quoted() + ") AS restored;\n";
}

}  // namespace

std::vector<std::string> sequence_position_statements(pg::Transaction& source_tx,
                                                      const subsetter::Catalog& catalog,
                                                      const std::vector<SequenceValue>& values) {
    std::map<subsetter::QualifiedName, const SequenceValue*> source_values;
    for (const auto& value : values) source_values[value.sequence] = &value;
    const auto settings = read_sequence_settings(source_tx, catalog, pg::Side::source);
    std::vector<std::string> statements;
    for (std::size_t sequence_idx = 0; sequence_idx < catalog.sequences.size(); ++sequence_idx) {
        const auto& sequence = catalog.sequences[sequence_idx];
        auto found = source_values.find(sequence.name);
        statements.push_back(position_statement(sequence, settings[sequence_idx],
                                                found == source_values.end() ? nullptr : found->second));
    }
    return statements;
}

std::vector<subsetter::QualifiedName> materialized_view_refresh_order(pg::Transaction& source_tx,
                                                                      const subsetter::Catalog& catalog) {
    const auto& views = catalog.materialized_views;
    if (views.empty()) return {};
    std::vector<std::string> names;
    for (const auto& view : views) names.push_back(view.quoted());
    auto rows = pg::with_context(pg::Side::source, "could not read the materialized views' dependencies", [&] {
        return source_tx.exec_params(std::string(sql::k_materialized_view_reads),
                                     pg::array_literal(names));
    });
    std::map<subsetter::QualifiedName, std::set<subsetter::QualifiedName>> reads;
    const std::set<subsetter::QualifiedName> populated(views.begin(), views.end());
    for (const auto& row : rows) {
        subsetter::QualifiedName reader{row[0].c_str(), row[1].c_str()};
        subsetter::QualifiedName read{row[2].c_str(), row[3].c_str()};
        if (populated.count(read) && !(reader == read)) reads[reader].insert(read);
    }
    // Rounds by name: each round takes every view whose inputs are all refreshed already.
    std::vector<subsetter::QualifiedName> order;
    std::set<subsetter::QualifiedName> done;
    while (order.size() < views.size()) {
        std::size_t before = order.size();
        std::vector<subsetter::QualifiedName> ready;
        for (const auto& view : views) {
            if (done.count(view)) continue;
            bool inputs_done = true;
            for (const auto& input : reads[view]) inputs_done = inputs_done && done.count(input) > 0;
            if (inputs_done) ready.push_back(view);
        }
        for (const auto& view : ready) {
            done.insert(view);
            order.push_back(view);
        }
        if (order.size() == before) {
            // A cycle cannot exist between matviews; should the query miss something, keep the name order.
            for (const auto& view : views)
                if (!done.count(view)) order.push_back(view);
        }
    }
    return order;
}

std::string refresh_statement(const subsetter::QualifiedName& view) {
    return "REFRESH MATERIALIZED VIEW " + view.quoted() + ";\n";
}

void set_sequence_positions(pg::QuerySession& target, const std::vector<std::string>& statements) {
    pg::with_context(pg::Side::target, "could not set the sequences", [&] {
        // setval() is not transactional anyway, and one transaction would hold a lock on every
        // table (and partition) it read max() from: each statement commits on its own.
        auto tx = target.autocommit();
        for (const auto& statement : statements) tx.exec(statement);
    });
}

void refresh_materialized_views(pg::QuerySession& target, const std::vector<subsetter::QualifiedName>& order) {
    for (const auto& view : order) {
        pg::with_context(pg::Side::target, "could not refresh materialized view \"" + view.display() + "\"", [&] {
            auto tx = target.begin();
            tx.exec0(refresh_statement(view));
            tx.commit();
        });
    }
}

}  // namespace understudy::orchestrator

// The row-level security guard: a role that policies filter would copy fewer rows without a word.
#include "guards/row_security_guard.hpp"

#include <string_view>
#include <vector>

#include "understudy/pg/result.hpp"

#include "understudy/error.hpp"
#include "understudy/pg/database_error.hpp"
#include "understudy/pg/sql_text.hpp"
#include "understudy/sql/orchestrator_sql.hpp"
#include "understudy/orchestrator/schema/sql_template.hpp"

namespace understudy::orchestrator {

void check_rows_readable(pg::Transaction& source, const subsetter::Catalog& catalog,
                         const subsetter::SubsetPlan& plan) {
    // Every relation whose rows the run reads: the planned tables, and the leaves of partitioned
    // ones (a whole copy reads each leaf directly, where only the leaf's own policies apply).
    std::vector<std::string> names;
    for (const auto& table_plan : plan.tables) {
        if (table_plan.policy == subsetter::TablePolicy::none) continue;
        names.push_back(table_plan.table.quoted());
        if (const auto* table = catalog.find(table_plan.table)) {
            for (const auto& leaf : table->partitions) names.push_back(leaf.quoted());
        }
    }
    if (names.empty()) return;
    std::vector<std::string_view> elements(names.begin(), names.end());
    // row_security_active() answers for the current role whatever row_security is set to: false
    // for a superuser, a BYPASSRLS role and the owner of a table without FORCE.
    const std::string relations = pg::quote_literal(pg::array_literal(elements));
    const std::string query = sql_with(sql::k_row_security_filtered_relations, {{"relations", relations}});
    auto filtered = pg::with_context(pg::Side::source, "could not check row-level security",
                                     [&] { return source.exec(query); });
    if (filtered.empty()) return;
    const auto& first = filtered[0];
    const subsetter::QualifiedName table{first[0].c_str(), first[1].c_str()};
    const long long more = first[3].as<long long>() - 1;
    throw Error(ExitCode::source,
                "source: role " + pg::quote_ident(first[2].c_str()) + " is subject to row-level security on " +
                    table.quoted() + (more > 0 ? " (and " + std::to_string(more) + " more)" : std::string()) +
                    ": its rows cannot all be read",
                "read the source as a role with BYPASSRLS (or a superuser), or as the table's owner without "
                "FORCE ROW LEVEL SECURITY, as pg_dump needs");
}

}  // namespace understudy::orchestrator

// Parallel ANALYZE: one connection per job, tables handed out largest first.
#include "understudy/orchestrator/transfer/target_analyze.hpp"

#include "transfer/parallel_workers.hpp"

#include <algorithm>
#include <atomic>
#include <exception>
#include <mutex>
#include <thread>

#include "understudy/pg/query_session.hpp"

#include "understudy/pg/session.hpp"

namespace understudy::orchestrator {

void analyze_table(pg::QuerySession& connection, const std::string& quoted_table) {
    pg::with_context(pg::Side::target, "could not analyze " + quoted_table,
                     [&] { connection.autocommit().exec0("ANALYZE " + quoted_table); });
}

void analyze_tables(const pg::ConnInfo& target, const std::vector<const subsetter::Table*>& tables, int jobs,
                    const std::set<std::string>& freeze) {
    auto frozen = [&](const subsetter::Table* table) { return freeze.count(table->name.display()) > 0; };
    std::vector<const subsetter::Table*> order = tables;
    std::stable_sort(order.begin(), order.end(), [&](const subsetter::Table* left, const subsetter::Table* right) {
        if (frozen(left) != frozen(right)) return frozen(left);
        return left->estimated_rows > right->estimated_rows;
    });
    run_workers(jobs, order.size(), [&](int, WorkQueue& queue) {
        auto connection = pg::connect(target, pg::Side::target);
        for (std::size_t index = 0; queue.take(index);) {
            const std::string quoted = order[index]->name.quoted();
            if (!frozen(order[index])) {
                analyze_table(*connection, quoted);
                continue;
            }
            // Only now, with every load committed, are all the table's rows older than every
            // transaction of the database, which VACUUM needs to freeze them and mark their pages
            // all-visible (as COPY FREEZE would have); it sets their hint bits too, so the first
            // readers of the copy do not rewrite every page.
            pg::with_context(pg::Side::target, "could not vacuum " + quoted,
                             [&] { connection->autocommit().exec0("VACUUM (FREEZE, ANALYZE) " + quoted); });
        }
    });
}

}  // namespace understudy::orchestrator

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

void analyze_tables(const pg::ConnInfo& target, const std::vector<const subsetter::Table*>& tables, int jobs) {
    std::vector<const subsetter::Table*> order = tables;
    std::stable_sort(order.begin(), order.end(), [](const subsetter::Table* left, const subsetter::Table* right) {
        return left->estimated_rows > right->estimated_rows;
    });
    run_workers(jobs, order.size(), [&](int, WorkQueue& queue) {
        auto connection = pg::connect(target, pg::Side::target);
        for (std::size_t index = 0; queue.take(index);) analyze_table(*connection, order[index]->name.quoted());
    });
}

}  // namespace understudy::orchestrator

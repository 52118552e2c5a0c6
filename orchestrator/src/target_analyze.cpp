// Parallel ANALYZE: one connection per job, tables handed out largest first.
#include "understudy/orchestrator/target_analyze.hpp"

#include <algorithm>
#include <atomic>
#include <exception>
#include <mutex>
#include <thread>

#include <pqxx/nontransaction>

#include "understudy/pg/session.hpp"

namespace understudy::orchestrator {

void analyze_tables(const pg::ConnInfo& target, const std::vector<const subsetter::Table*>& tables, int jobs) {
    std::vector<const subsetter::Table*> order = tables;
    std::stable_sort(order.begin(), order.end(), [](const subsetter::Table* left, const subsetter::Table* right) {
        return left->estimated_rows > right->estimated_rows;
    });
    std::atomic<std::size_t> next{0};
    std::exception_ptr first_error;
    std::mutex error_mutex;
    auto work = [&] {
        try {
            auto connection = pg::connect(target, pg::Side::target);
            for (std::size_t index = next++; index < order.size() && !first_error; index = next++) {
                const auto& name = order[index]->name;
                pg::with_context(pg::Side::target, "could not analyze " + name.quoted(), [&] {
                    pqxx::nontransaction(*connection).exec0("ANALYZE " + name.quoted());
                });
            }
        } catch (...) {
            std::lock_guard lock(error_mutex);
            if (!first_error) first_error = std::current_exception();
        }
    };
    int thread_count = std::max(1, std::min<int>(jobs, static_cast<int>(order.size())));
    std::vector<std::thread> threads;
    for (int worker = 1; worker < thread_count; ++worker) threads.emplace_back(work);
    work();
    for (auto& thread : threads) thread.join();
    if (first_error) std::rethrow_exception(first_error);
}

}  // namespace understudy::orchestrator

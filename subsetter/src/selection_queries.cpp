// The selection's sessions: formats pinned on each, steps fanned out over them, reads counted.
#include "selection_queries.hpp"

#include <array>
#include <atomic>
#include <exception>
#include <thread>
#include <utility>

#include "understudy/pg/database_error.hpp"
#include "understudy/pg/sql_text.hpp"

namespace understudy::subsetter::detail {
namespace {

// Keys are hashed and compared as their text form, so the settings that change how values print
// (a timestamptz key under another TimeZone, a date under DateStyle SQL, DMY) would change which
// rows a seed picks, and could make a key unreadable for a session with other settings. They are
// pinned for the selection and restored afterwards, leaving the caller's transaction as it was.
// Parallel query is off as well: the selection's parallelism is its sessions, and a parallel
// worker's reads would be missing from the session's pg_stat_xact_user_tables (they reach only
// the shared statistics), which would make the rows-read count vary from run to run.
constexpr std::array<std::pair<const char*, const char*>, 6> k_formats = {{
    {"TimeZone", "UTC"},
    {"DateStyle", "ISO, YMD"},
    {"IntervalStyle", "postgres"},
    {"extra_float_digits", "1"},
    {"bytea_output", "hex"},
    {"max_parallel_workers_per_gather", "0"},
}};

std::string set_formats(const std::vector<std::string>& values) {
    std::string sql;
    for (std::size_t setting_idx = 0; setting_idx < k_formats.size(); ++setting_idx) {
        sql += std::string(sql.empty() ? "SELECT " : ", ") + "set_config(" +
               pg::quote_literal(k_formats[setting_idx].first) + ", " + pg::quote_literal(values[setting_idx]) +
               ", true)";
    }
    return sql;
}

// Partitions count for their root table, which is the table the plan and the report know
// (pg_partition_root exists from PostgreSQL 12; before, partitions count for themselves).
std::string rows_read_sql(bool has_partition_root) {
    std::string root = has_partition_root ? "coalesce(pg_partition_root(s.relid), s.relid)" : "s.relid";
    return "SELECT n.nspname, c.relname, sum(coalesce(s.seq_tup_read, 0) + coalesce(s.idx_tup_fetch, 0))::bigint "
           "FROM pg_stat_xact_user_tables s JOIN pg_class c ON c.oid = " + root +
           " JOIN pg_namespace n ON n.oid = c.relnamespace GROUP BY 1, 2";
}

pg::Result run_on(pg::Transaction& session, const QualifiedName& table, const std::string& sql) {
    return pg::with_context(pg::Side::source, "could not select rows of \"" + table.display() + "\"",
                            [&] { return session.exec(sql); });
}

}  // namespace

SelectionQueries::SelectionQueries(pg::Transaction& main, std::vector<pg::Transaction*> parallel) {
    m_sessions.push_back(&main);
    for (auto* session : parallel) m_sessions.push_back(session);
    std::string read;
    std::vector<std::string> pinned;
    for (const auto& [name, value] : k_formats) {
        read += std::string(read.empty() ? "SELECT " : ", ") + "current_setting(" + pg::quote_literal(name) + ")";
        pinned.emplace_back(value);
    }
    pg::with_context(pg::Side::source, "could not set the output formats", [&] {
        for (auto* session : m_sessions) {
            auto row = session->exec1(read);
            std::vector<std::string> saved;
            for (std::size_t setting_idx = 0; setting_idx < k_formats.size(); ++setting_idx)
                saved.emplace_back(row[static_cast<std::size_t>(setting_idx)].c_str());
            m_saved_formats.push_back(std::move(saved));
            session->exec1(set_formats(pinned));
        }
        auto version = m_sessions.front()->exec1("SELECT current_setting('server_version_num')::int")[0].as<int>();
        m_rows_read_sql = rows_read_sql(version >= 120000);
    });
}

SelectionQueries::~SelectionQueries() {
    for (std::size_t session_idx = 0; session_idx < m_saved_formats.size(); ++session_idx) {
        try {
            m_sessions[session_idx]->exec1(set_formats(m_saved_formats[session_idx]));
        } catch (...) {
            // The transaction failed already: it is rolled back, and its settings with it.
        }
    }
}

pg::Result SelectionQueries::run(const QualifiedName& table, const std::string& sql) {
    return run_on(*m_sessions.front(), table, sql);
}

void SelectionQueries::run_step(std::vector<StepQuery>& step) {
    std::vector<pg::Result> results(step.size());
    std::vector<std::exception_ptr> failures(step.size());
    std::atomic<std::size_t> next{0};
    auto work = [&](pg::Transaction& session) {
        for (auto query_idx = next++; query_idx < step.size(); query_idx = next++) {
            try {
                results[query_idx] = run_on(session, step[query_idx].table, step[query_idx].sql);
            } catch (...) {
                failures[query_idx] = std::current_exception();
            }
        }
    };
    auto helpers = std::min(m_sessions.size(), step.size()) - (step.empty() ? 0 : 1);
    std::vector<std::thread> threads;
    for (std::size_t session_idx = 1; session_idx <= helpers; ++session_idx)
        threads.emplace_back(work, std::ref(*m_sessions[session_idx]));
    if (!step.empty()) work(*m_sessions.front());
    for (auto& thread : threads) thread.join();
    for (const auto& failure : failures) {
        if (failure) std::rethrow_exception(failure);
    }
    for (std::size_t query_idx = 0; query_idx < step.size(); ++query_idx) step[query_idx].on_rows(results[query_idx]);
}

std::map<QualifiedName, std::int64_t> SelectionQueries::rows_read() {
    std::map<QualifiedName, std::int64_t> totals;
    pg::with_context(pg::Side::source, "could not read the statistics of this run", [&] {
        for (auto* session : m_sessions) {
            for (const auto& row : session->exec(m_rows_read_sql))
                totals[QualifiedName{row[0].c_str(), row[1].c_str()}] += row[2].as<std::int64_t>();
        }
    });
    return totals;
}

}  // namespace understudy::subsetter::detail

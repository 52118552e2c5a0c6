// Where the selection's queries run: the snapshot's own transaction, plus the sessions that imported
// its snapshot, so that the independent lookups of one step run side by side; and how many rows
// they made the source read, per table.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <string>
#include <vector>

#include "understudy/pg/result.hpp"
#include "understudy/pg/transaction.hpp"

#include "understudy/subsetter/catalog.hpp"

namespace understudy::subsetter::detail {

/// One query of a step, and what to do with its rows (called on the caller's thread, in the
/// step's order, so the selection stays deterministic whichever session answered first).
struct StepQuery {
    QualifiedName table;  ///< for the error message
    std::string sql;
    std::function<void(const pg::Result&)> on_rows;
};

class SelectionQueries {
public:
    /// Pins the output formats keys are compared in on every session; restores them afterwards.
    SelectionQueries(pg::Transaction& main, std::vector<pg::Transaction*> parallel);
    ~SelectionQueries();
    SelectionQueries(const SelectionQueries&) = delete;
    SelectionQueries& operator=(const SelectionQueries&) = delete;

    /// Runs one query on the main session.
    pg::Result run(const QualifiedName& table, const std::string& sql);
    /// Runs independent queries, as many at a time as there are sessions, then hands each result
    /// to its callback in order. The first failure (in order) is rethrown after all have ended.
    void run_step(std::vector<StepQuery>& step);

    /// Rows read from each table (a partition counts for its root) by all sessions so far:
    /// sequential-scan rows plus heap rows fetched through indexes, as pg_stat_xact_user_tables
    /// counts them for the open transactions.
    std::map<QualifiedName, std::int64_t> rows_read();

private:
    std::vector<pg::Transaction*> m_sessions;  // the main one first
    std::vector<std::vector<std::string>> m_saved_formats;
    std::string m_rows_read_sql;
};

}  // namespace understudy::subsetter::detail

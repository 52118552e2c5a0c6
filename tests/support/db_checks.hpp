// Assertions over a whole database: referential integrity, schema, counts, keys, sequences; and the CLI.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "process.hpp"
#include "understudy/pg/conninfo.hpp"

namespace understudy::testing {

class TestCluster;

/// Every FK of the database's catalog checked with NOT EXISTS (composite too, MATCH SIMPLE: rows with a
/// NULL in the key are skipped); one line per violated constraint: "schema.table.constraint: N orphans".
/// Without `include_not_valid`, NOT VALID constraints are left out: the source promises nothing for
/// them, and a faithful copy keeps the orphans the source has (tests/fixtures/strange/23_not_valid.sql).
std::vector<std::string> fk_violations(const pg::ConnInfo& db, bool include_not_valid = true);

/// `pg_dump --schema-only --no-owner --no-privileges` normalized for comparison (drop \restrict and
/// \unrestrict lines, comment lines, blank lines; ignore the database name).
std::string normalized_schema_dump(const pg::ConnInfo& db);

/// Row counts of every table (partitioned tables as one; leaf partitions not listed), "schema.table" -> n.
std::map<std::string, std::int64_t> table_counts(const pg::ConnInfo& db);

/// Sorted text of the key columns of every row of `table` (schema.table), columns joined by ','.
/// `table` is quoted part by part unless it already holds a double quote (then it is used as SQL);
/// `key_columns_sql` is a select list such as `order_id, product_id`. NULL shows as \N.
std::vector<std::string> row_keys(const pg::ConnInfo& db, const std::string& table, const std::string& key_columns_sql);

/// Sequences whose next value would collide: "seq: last_value L < max(col) M".
std::vector<std::string> sequences_behind(const pg::ConnInfo& db);

/// Creates `accounts` (500 rows) and `events` (`event_rows` rows of 64-character payloads, each
/// referencing an account) in `database`: the two-table source of the retry and restart tests.
void load_accounts_and_events(const TestCluster& cluster, const std::string& database, int event_rows);

/// Runs the understudy binary (compile definition UNDERSTUDY_BINARY) with args and extra env; captures.
CommandResult run_understudy(const std::vector<std::string>& args, const std::map<std::string, std::string>& env = {});

/// A JSON file (a run's --report) parsed; throws when it is missing or not JSON.
nlohmann::json read_json(const std::string& path);

}  // namespace understudy::testing

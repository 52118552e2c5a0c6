// The "strange production" database: the odd-but-real features live databases accumulate.
#pragma once

namespace understudy::testing {

/// Name of the strange database on the fixture primary (and so on its standby).
inline constexpr const char* k_strange_database = "strange";

/// Creates the `strange` database on the fixture primary from every tests/fixtures/strange/*.sql,
/// in name order, each file in its own psql session (so `99_…` files may change database-level
/// settings without disturbing the others), then waits until the standby has replayed it. Runs
/// once per test binary; later calls return at once. Throws if a file fails.
void ensure_strange_database();

}  // namespace understudy::testing

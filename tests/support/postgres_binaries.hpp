// Where the PostgreSQL server and client programs of the tests are found.
#pragma once

#include <string>

namespace understudy::testing {

/// The highest /usr/lib/postgresql/<version>/bin, or $UNDERSTUDY_PG_BIN if set; throws if none.
std::string postgres_bin_dir();

}  // namespace understudy::testing

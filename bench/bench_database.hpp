// Shared by the benchmarks: a fresh, empty database on the target server for each measured run.
#pragma once

#include <string>

#include "understudy/pg/query_session.hpp"

#include "understudy/pg/session.hpp"
#include "understudy/pg/sql_text.hpp"

namespace understudy::bench {

/// Drops `name` on the server of `server` (forcing its sessions off) and creates it empty.
inline void recreate_database(const pg::ConnInfo& server, const std::string& name) {
    auto connection = pg::connect(server, pg::Side::target);
    pg::Transaction tx = connection->autocommit();
    tx.exec0("DROP DATABASE IF EXISTS " + pg::quote_ident(name) + " WITH (FORCE)");
    tx.exec0("CREATE DATABASE " + pg::quote_ident(name));
}

}  // namespace understudy::bench

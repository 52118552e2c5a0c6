// Promotion on one PostgreSQL server: build beside the live database, then swap names atomically.
#pragma once

#include <memory>

#include "understudy/orchestrator/promotion/promotion_backend.hpp"

namespace understudy::orchestrator {

/// The `postgres` backend: the new database is `<live>_understudy_new` on the live database's
/// server; promotion renames live -> `<live>_understudy_prev_<n>` and new -> live in one transaction
/// after terminating the live database's sessions. Previous databases carry increasing n (newest
/// highest). Needs the right to create and rename databases on that server.
std::unique_ptr<PromotionBackend> make_postgres_backend(const pg::ConnInfo& live);

/// The `none` backend: build into the target itself and promote nothing (review apps, where the
/// target already is the app's database).
std::unique_ptr<PromotionBackend> make_none_backend(const pg::ConnInfo& target);

}  // namespace understudy::orchestrator

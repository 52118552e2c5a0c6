// Which schemas are the user's: the one SQL condition every catalog query over "user objects" shares.
#pragma once

namespace understudy::orchestrator {

/// A WHERE condition on `n` (pg_namespace) that keeps the user's schemas: not PostgreSQL's own
/// (pg_catalog, information_schema), and not pg_toast_N / pg_temp_N, which come and go with sessions.
inline constexpr const char* k_user_schema_filter =
    "n.nspname NOT IN ('pg_catalog', 'information_schema') "
    "AND n.nspname NOT LIKE 'pg\\_toast%' AND n.nspname NOT LIKE 'pg\\_temp\\_%'";

}  // namespace understudy::orchestrator

// Which schemas are the user's: the one SQL condition every catalog query over "user objects" shares,
// in C++ and in the embedded .sql files alike.
#pragma once

#include <string>
#include <string_view>

namespace understudy::pg {

/// A condition on `n` (pg_namespace) that keeps the user's schemas. PostgreSQL reserves every
/// schema name starting with `pg_` (CREATE SCHEMA refuses them), so this leaves out pg_catalog,
/// pg_toast, and the pg_temp_N / pg_toast_temp_N schemas that come and go with sessions.
inline constexpr const char* k_user_schema_filter = "n.nspname <> 'information_schema' AND n.nspname NOT LIKE 'pg\\_%'";

/// The token an embedded .sql file writes where the condition goes.
inline constexpr std::string_view k_user_schema_token = "@user_schemas@";

/// `sql` with every `@user_schemas@` replaced by k_user_schema_filter.
inline std::string with_user_schema_filter(std::string_view sql) {
    std::string out(sql);
    for (auto at = out.find(k_user_schema_token); at != std::string::npos;
         at = out.find(k_user_schema_token, at + 1)) {
        out.replace(at, k_user_schema_token.size(), k_user_schema_filter);
    }
    return out;
}

}  // namespace understudy::pg

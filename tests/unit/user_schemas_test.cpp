// Unit tests for the one user-schema condition and the token the embedded .sql files use for it.
#include <gtest/gtest.h>

#include <string>
#include <string_view>

#include "understudy/pg/user_schemas.hpp"
#include "understudy/sql/subsetter_sql.hpp"

namespace understudy::pg {
namespace {

TEST(UserSchemas, EveryTokenIsReplacedByTheOneCondition) {
    EXPECT_EQ(with_user_schema_filter("SELECT 1 WHERE @user_schemas@ OR @user_schemas@"),
              std::string("SELECT 1 WHERE ") + k_user_schema_filter + " OR " + k_user_schema_filter);
    EXPECT_EQ(with_user_schema_filter("SELECT 1"), "SELECT 1");
}

TEST(UserSchemas, TheCatalogQueriesThatFilterSchemasUseTheToken) {
    for (std::string_view sql : {sql::k_catalog_tables, sql::k_catalog_sequences, sql::k_catalog_materialized_views,
                                 sql::k_selection_indexes}) {
        EXPECT_NE(sql.find(k_user_schema_token), std::string_view::npos) << sql;
        // No hand-written variant of the condition is left beside it.
        EXPECT_EQ(sql.find("pg\\_t"), std::string_view::npos) << sql;
        EXPECT_EQ(with_user_schema_filter(sql).find('@'), std::string::npos);
    }
}

}  // namespace
}  // namespace understudy::pg

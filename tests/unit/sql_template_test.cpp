// Unit tests for sql_with, which makes the orchestrator's embedded .sql files runnable.
#include <gtest/gtest.h>

#include <string>
#include <string_view>

#include "understudy/orchestrator/schema/sql_template.hpp"
#include "understudy/pg/user_schemas.hpp"
#include "understudy/sql/orchestrator_sql.hpp"

namespace understudy::orchestrator {
namespace {

TEST(SqlTemplate, ReplacesEachTokenAndTheUserSchemaFilter) {
    EXPECT_EQ(sql_with("SELECT max(@column@) FROM @table@ t, @table@ u WHERE @user_schemas@",
                       {{"column", "\"id\""}, {"table", "public.users"}}),
              std::string("SELECT max(\"id\") FROM public.users t, public.users u WHERE ") + pg::k_user_schema_filter);
}

TEST(SqlTemplate, LeavesOperatorsAndReplacedTextAlone) {
    // `@>` is an operator, not a token; a name holding a token's spelling is not replaced again.
    EXPECT_EQ(sql_with("SELECT a @> b, @table@ FROM @column@", {{"table", "\"@column@\""}, {"column", "x"}}),
              "SELECT a @> b, \"@column@\" FROM x");
    EXPECT_EQ(sql_with("SELECT '@' || @x@", {{"x", "1"}}), "SELECT '@' || 1");
}

TEST(SqlTemplate, OrchestratorQueriesLeaveNoTokenOnceFilled) {
    for (std::string_view sql : {sql::k_privileged_objects, sql::k_owned_objects, sql::k_user_columns,
                                 sql::k_user_objects, sql::k_droppable_relations}) {
        EXPECT_NE(sql.find(pg::k_user_schema_token), std::string_view::npos) << sql;
        // No hand-written variant of the user-schema condition is left beside the token.
        EXPECT_EQ(sql.find("pg\\_"), std::string_view::npos) << sql;
        EXPECT_EQ(sql_with(sql).find('@'), std::string::npos) << sql;
    }
    const std::string objects = sql_with(sql::k_privileged_objects);
    for (std::string_view sql : {sql::k_object_acls, sql::k_objects_under_default_acls}) {
        EXPECT_EQ(sql_with(sql, {{"privileged_objects", objects}}).find('@'), std::string::npos) << sql;
    }
}

}  // namespace
}  // namespace understudy::orchestrator

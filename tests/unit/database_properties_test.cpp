// database_properties_test: live's per-database settings become ALTER … SET statements quoted as pg_dump quotes them.
#include <gtest/gtest.h>

#include "understudy/orchestrator/schema/database_properties.hpp"

namespace understudy::orchestrator {
namespace {

TEST(SettingStatement, PlainValueIsOneLiteral) {
    EXPECT_EQ(setting_statement("ALTER DATABASE \"x\"", "TimeZone=Europe/Paris"),
              "ALTER DATABASE \"x\" SET \"timezone\" TO 'Europe/Paris'");
    EXPECT_EQ(setting_statement("ALTER DATABASE x", "DateStyle=SQL, DMY"),
              "ALTER DATABASE x SET \"datestyle\" TO 'SQL, DMY'");
    EXPECT_EQ(setting_statement("ALTER DATABASE x", "app.note=it's"),
              "ALTER DATABASE x SET \"app\".\"note\" TO 'it''s'");
    EXPECT_EQ(setting_statement("ALTER ROLE r IN DATABASE x", "work_mem=8MB"),
              "ALTER ROLE r IN DATABASE x SET \"work_mem\" TO '8MB'");
}

TEST(SettingStatement, ListSettingsKeepTheirElements) {
    EXPECT_EQ(setting_statement("ALTER DATABASE x", "search_path=\"$user\", public, \"Odd, One\""),
              "ALTER DATABASE x SET \"search_path\" TO '$user', 'public', 'Odd, One'");
    EXPECT_EQ(setting_statement("ALTER DATABASE x", "search_path=\"a\"\"b\""),
              "ALTER DATABASE x SET \"search_path\" TO 'a\"b'");
    EXPECT_EQ(setting_statement("ALTER DATABASE x", "search_path="), "ALTER DATABASE x SET \"search_path\" TO ''");
    EXPECT_EQ(setting_statement("ALTER DATABASE x", "temp_tablespaces=fast,  slow"),
              "ALTER DATABASE x SET \"temp_tablespaces\" TO 'fast', 'slow'");
}

}  // namespace
}  // namespace understudy::orchestrator

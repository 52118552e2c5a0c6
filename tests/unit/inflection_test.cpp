// Unit tests for the Rails inflection rules used to guess table names from columns and type values.
#include <gtest/gtest.h>

#include "../../subsetter/src/inflection.hpp"

namespace understudy::subsetter {
namespace {

TEST(Inflection, RegularPlurals) {
    EXPECT_EQ(pluralize("user"), "users");
    EXPECT_EQ(pluralize("users"), "users");
    EXPECT_EQ(pluralize("category"), "categories");
    EXPECT_EQ(pluralize("day"), "days");
    EXPECT_EQ(pluralize("query"), "queries");
    EXPECT_EQ(pluralize("address"), "addresses");
    EXPECT_EQ(pluralize("status"), "statuses");
    EXPECT_EQ(pluralize("alias"), "aliases");
    EXPECT_EQ(pluralize("box"), "boxes");
    EXPECT_EQ(pluralize("match"), "matches");
    EXPECT_EQ(pluralize("bus"), "buses");
    EXPECT_EQ(pluralize("line_item"), "line_items");
}

TEST(Inflection, SpecialRules) {
    EXPECT_EQ(pluralize("mouse"), "mice");
    EXPECT_EQ(pluralize("octopus"), "octopi");
    EXPECT_EQ(pluralize("virus"), "viri");
    EXPECT_EQ(pluralize("axis"), "axes");
    EXPECT_EQ(pluralize("analysis"), "analyses");
    EXPECT_EQ(pluralize("knife"), "knives");
    EXPECT_EQ(pluralize("wolf"), "wolves");
    EXPECT_EQ(pluralize("hive"), "hives");
    EXPECT_EQ(pluralize("matrix"), "matrices");
    EXPECT_EQ(pluralize("index"), "indices");
    EXPECT_EQ(pluralize("vertex"), "vertices");
    EXPECT_EQ(pluralize("ox"), "oxen");
    EXPECT_EQ(pluralize("quiz"), "quizzes");
    EXPECT_EQ(pluralize("datum"), "data");
    EXPECT_EQ(pluralize("medium"), "media");
    EXPECT_EQ(pluralize("tomato"), "tomatoes");
}

TEST(Inflection, IrregularWords) {
    EXPECT_EQ(pluralize("person"), "people");
    EXPECT_EQ(pluralize("sales_person"), "sales_people");
    EXPECT_EQ(pluralize("man"), "men");
    EXPECT_EQ(pluralize("woman"), "women");
    EXPECT_EQ(pluralize("child"), "children");
    EXPECT_EQ(pluralize("sex"), "sexes");
    EXPECT_EQ(pluralize("move"), "moves");
    EXPECT_EQ(pluralize("zombie"), "zombies");
    EXPECT_EQ(pluralize("people"), "people");
    EXPECT_EQ(pluralize("Person"), "People");
}

TEST(Inflection, Uncountables) {
    EXPECT_EQ(pluralize("equipment"), "equipment");
    EXPECT_EQ(pluralize("information"), "information");
    EXPECT_EQ(pluralize("sheep"), "sheep");
    EXPECT_EQ(pluralize("police"), "police");
    EXPECT_EQ(pluralize("series"), "series");
    // ActiveSupport matches /\bword\Z/: '_' is a word character, so this one is countable.
    EXPECT_EQ(pluralize("office_equipment"), "office_equipments");
    EXPECT_EQ(pluralize(""), "");
}

TEST(Inflection, Underscore) {
    EXPECT_EQ(underscore("AdminUser"), "admin_user");
    EXPECT_EQ(underscore("Admin::User"), "admin/user");
    EXPECT_EQ(underscore("HTMLParser"), "html_parser");
    EXPECT_EQ(underscore("Post"), "post");
    EXPECT_EQ(underscore("Version2Item"), "version2_item");
    EXPECT_EQ(underscore("already_snake"), "already_snake");
}

TEST(Inflection, Tableize) {
    EXPECT_EQ(tableize("Post"), "posts");
    EXPECT_EQ(tableize("LineItem"), "line_items");
    EXPECT_EQ(tableize("Person"), "people");
    EXPECT_EQ(tableize("Admin::User"), "admin/users");
}

}  // namespace
}  // namespace understudy::subsetter

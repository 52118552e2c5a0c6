// Unit tests of unresolved references: which columns count, how candidates rank, the texts, and
// the YAML that excludes columns or makes them an error.
#include <gtest/gtest.h>

#include "../../subsetter/src/plan_builder.hpp"
#include "../support/temp_file.hpp"
#include "understudy/error.hpp"
#include "understudy/orchestrator/cli/config_file.hpp"
#include "understudy/subsetter/unresolved_references.hpp"

namespace understudy::subsetter {
namespace {

Column column(const std::string& name, const std::string& type = "bigint") {
    return {name, type, type, type == "text" ? "S" : "N", false, false, false};
}

Table table(const std::string& name, std::vector<Column> columns, std::vector<std::string> key) {
    Table result;
    result.name = {"public", name};
    result.columns = std::move(columns);
    result.primary_key = std::move(key);
    result.estimated_rows = 1000;
    return result;
}

ForeignKey reference(const std::string& child, const std::string& child_column, const std::string& parent) {
    ForeignKey key;
    key.name = child + "_" + child_column;
    key.child = {"public", child};
    key.child_columns = {child_column};
    key.parent = {"public", parent};
    key.parent_columns = {"id"};
    return key;
}

/// A Rails-shaped catalog: one column of each kind the rules tell apart.
Catalog rails_catalog() {
    Catalog catalog;
    catalog.tables = {
        // A polymorphic pair: covered once a reference starts from subject_id.
        table("comments", {column("id"), column("subject_type", "text"), column("subject_id")}, {"id"}),
        table("invitations", {column("id"), column("inviter_id", "integer")}, {"id"}),
        // author_id unresolved; project_id covered by a constraint; uuid and smallint count, text
        // and numeric do not; `id` itself is the key.
        table("issues",
              {column("id"), column("author_id"), column("project_id"), column("device_id", "uuid"),
               column("rank_id", "smallint"), column("external_id", "text"), column("legacy_id", "numeric"),
               column("id_card", "bigint")},
              {"id"}),
        // The key itself ends in _id: not a reference.
        table("profiles", {column("user_id"), column("bio", "text")}, {"user_id"}),
        table("projects", {column("id"), column("owner_id")}, {"id"}),
        table("users", {column("id"), column("stripe_customer_id")}, {"id"}),
        // A composite reference covers both of its columns.
        table("memberships", {column("id"), column("org_id"), column("team_number")}, {"id"}),
        // Part of a composite key still counts: join tables' keys are made of references.
        table("teams", {column("org_id"), column("number")}, {"org_id", "number"}),
    };
    std::sort(catalog.tables.begin(), catalog.tables.end(),
              [](const Table& left, const Table& right) { return left.name < right.name; });
    ForeignKey composite;
    composite.name = "memberships_team";
    composite.child = {"public", "memberships"};
    composite.child_columns = {"org_id", "team_number"};
    composite.parent = {"public", "teams"};
    composite.parent_columns = {"org_id", "number"};
    catalog.foreign_keys = {reference("issues", "project_id", "projects"), composite};
    return catalog;
}

std::vector<std::string> names(const std::vector<UnresolvedReference>& unresolved) {
    std::vector<std::string> out;
    for (const auto& entry : unresolved) out.push_back(entry.display());
    return out;
}

TEST(UnresolvedReferences, ListsIdColumnsOfIntegerOrUuidTypeThatNothingExplains) {
    const Catalog catalog = rails_catalog();
    const auto plan = build_plan(catalog, SubsetSettings{}, {}, {});
    EXPECT_EQ(names(list_unresolved_columns(catalog, plan, {})),
              (std::vector<std::string>{"public.comments.subject_id", "public.invitations.inviter_id",
                                        "public.issues.author_id", "public.issues.device_id", "public.issues.rank_id",
                                        "public.projects.owner_id", "public.teams.org_id",
                                        "public.users.stripe_customer_id"}));
}

TEST(UnresolvedReferences, DeclaredInferredAndPolymorphicReferencesCoverTheirColumns) {
    const Catalog catalog = rails_catalog();
    SubsetSettings settings;
    settings.declared_references = {reference("issues", "author_id", "users")};
    PolymorphicReference polymorphic;
    polymorphic.table = {"public", "comments"};
    polymorphic.type_column = "subject_type";
    polymorphic.id_column = "subject_id";
    polymorphic.types["Issue"] = {"public", "issues"};
    settings.polymorphic = {polymorphic};
    ForeignKey inferred = reference("projects", "owner_id", "users");
    inferred.origin = ReferenceOrigin::inferred;
    const auto plan = build_plan(catalog, settings, {inferred}, {});
    EXPECT_EQ(names(list_unresolved_columns(catalog, plan, {})),
              (std::vector<std::string>{"public.invitations.inviter_id", "public.issues.device_id",
                                        "public.issues.rank_id", "public.teams.org_id",
                                        "public.users.stripe_customer_id"}));
}

TEST(UnresolvedReferences, NotReferencesExcludeColumnsAndMustNameOne) {
    const Catalog catalog = rails_catalog();
    const auto plan = build_plan(catalog, SubsetSettings{}, {}, {});
    auto unresolved = list_unresolved_columns(
        catalog, plan, {"public.users.stripe_customer_id", "issues.device_id", "public.issues.rank_id"});
    EXPECT_EQ(names(unresolved), (std::vector<std::string>{"public.comments.subject_id", "public.invitations.inviter_id",
                                                           "public.issues.author_id", "public.projects.owner_id",
                                                           "public.teams.org_id"}));
    for (const std::string bad : {"public.users.nope", "public.nope.id", "stripe_customer_id"}) {
        try {
            list_unresolved_columns(catalog, plan, {bad});
            ADD_FAILURE() << bad;
        } catch (const Error& error) {
            EXPECT_EQ(error.code(), ExitCode::config);
            EXPECT_EQ(std::string(error.what()),
                      "not_references entry \"" + bad + "\" names no column: expected schema.table.column");
        }
    }
}

TEST(UnresolvedReferences, TablesLeftEmptyAreNotChecked) {
    const Catalog catalog = rails_catalog();
    SubsetSettings settings;
    settings.overrides[{"public", "users"}].policy = TablePolicy::none;
    settings.overrides[{"public", "profiles"}].policy = TablePolicy::none;
    const auto plan = build_plan(catalog, settings, {}, {});
    const auto listed = names(list_unresolved_columns(catalog, plan, {}));
    EXPECT_EQ(std::count(listed.begin(), listed.end(), "public.users.stripe_customer_id"), 0);
    EXPECT_EQ(std::count(listed.begin(), listed.end(), "public.issues.author_id"), 1);
}

TEST(UnresolvedReferences, NameLikenessFollowsRailsInflection) {
    EXPECT_EQ(name_likeness("owner_id", {"public", "owners"}), 2);
    EXPECT_EQ(name_likeness("category_id", {"public", "categories"}), 2);
    EXPECT_EQ(name_likeness("person_id", {"public", "people"}), 2);
    EXPECT_EQ(name_likeness("parent_user_id", {"public", "users"}), 1);
    EXPECT_EQ(name_likeness("author_id", {"public", "blog_authors"}), 1);
    EXPECT_EQ(name_likeness("author_id", {"public", "users"}), 0);
    EXPECT_EQ(name_likeness("author", {"public", "authors"}), 0);
}

ReferenceCandidate candidate(const std::string& name, std::size_t contained, int likeness) {
    ReferenceCandidate result;
    result.table = {"public", name};
    result.key_column = "id";
    result.contained = contained;
    result.name_likeness = likeness;
    return result;
}

TEST(UnresolvedReferences, CandidatesRankByShareThenNameThenKeySpanThenTable) {
    std::vector<ReferenceCandidate> candidates = {candidate("accounts", 40, 0), candidate("users", 100, 0),
                                                  candidate("owners", 40, 2),   candidate("events", 0, 2),
                                                  candidate("admins", 40, 0),   candidate("zebras", 100, 0)};
    rank_candidates(candidates);
    ASSERT_EQ(candidates.size(), 3u);
    EXPECT_EQ(candidates[0].table.name, "users");
    EXPECT_EQ(candidates[1].table.name, "zebras");
    EXPECT_EQ(candidates[2].table.name, "owners");
    EXPECT_EQ(candidates[0].display(100), "public.users 100 %");
    EXPECT_EQ(candidate("x", 2, 0).display(3), "public.x 67 %");

    // Dense keys from 1 hold each other's values: the tightest key range holding them all wins.
    std::vector<ReferenceCandidate> dense = {candidate("issues", 100, 0), candidate("users", 100, 0)};
    dense[0].key_span = 60000;
    dense[1].key_span = 20000;
    rank_candidates(dense);
    EXPECT_EQ(dense[0].table.name, "users");

    std::vector<ReferenceCandidate> none = {candidate("users", 0, 2)};
    rank_candidates(none);
    EXPECT_TRUE(none.empty());
}

UnresolvedReference unresolved(const std::string& name, const std::string& column, std::size_t sampled,
                               std::vector<ReferenceCandidate> candidates) {
    UnresolvedReference entry;
    entry.table = {"public", name};
    entry.column = column;
    entry.sampled = sampled;
    entry.candidates = std::move(candidates);
    return entry;
}

TEST(UnresolvedReferences, WarningErrorAndPlanSectionNameEveryColumn) {
    std::vector<UnresolvedReference> entries = {
        unresolved("issues", "author_id", 100, {candidate("users", 100, 0), candidate("projects", 12, 0)}),
        unresolved("users", "stripe_customer_id", 80, {}),
        unresolved("invitations", "inviter_id", 0, {}),
    };
    EXPECT_EQ(unresolved_warning(entries),
              "3 columns look like a reference that nothing declares, so the subset may hold rows whose parent is "
              "missing: public.issues.author_id, public.users.stripe_customer_id, public.invitations.inviter_id; "
              "understudy plan ranks their likely parents (declare them under foreign_keys:, or list them under "
              "not_references:)");
    EXPECT_EQ(unresolved_warning({entries[0]}).rfind("1 column looks like a reference that nothing declares", 0), 0u);
    EXPECT_EQ(unresolved_warning({}), "");
    EXPECT_EQ(unresolved_error({entries[0]}),
              "--strict-references: 1 column looks like a reference that nothing declares: public.issues.author_id; "
              "declare them under foreign_keys: or not_references: (understudy plan ranks their likely parents)");
    EXPECT_EQ(format_unresolved_references(entries),
              "unresolved references (no constraint, declaration or convention says where they point):\n"
              "  public.issues.author_id: public.users 100 %, public.projects 12 % of 100 sampled values\n"
              "    declare: {from: \"public.issues(author_id)\", to: \"public.users(id)\"}\n"
              "  public.users.stripe_customer_id: no table's key holds any of 80 sampled values\n"
              "  public.invitations.inviter_id: no values to probe\n");
    EXPECT_EQ(format_unresolved_references({}), "");
    auto refused = unresolved("notes", "writer_id", 0, {});
    refused.probe_error = "source: query would be affected by row-level security policy for table \"notes\"";
    EXPECT_EQ(format_unresolved_references({refused}),
              "unresolved references (no constraint, declaration or convention says where they point):\n"
              "  public.notes.writer_id: not probed: source: query would be affected by row-level security policy "
              "for table \"notes\"\n");
}

}  // namespace
}  // namespace understudy::subsetter

namespace understudy::orchestrator {
namespace {

TEST(UnresolvedReferencesConfig, ReadsNotReferencesAndStrictMode) {
    testing::TempFile file(
        "subset:\n  references: strict\n  not_references: [public.users.stripe_customer_id, users.legacy_id]\n");
    auto config = load_config_file(file.path());
    EXPECT_TRUE(config.strict_references);
    EXPECT_EQ(config.not_references,
              (std::vector<std::string>{"public.users.stripe_customer_id", "users.legacy_id"}));

    testing::TempFile warn("subset:\n  references: warn\n");
    EXPECT_FALSE(load_config_file(warn.path()).strict_references);
    testing::TempFile unset("subset:\n  seed: 1\n");
    EXPECT_FALSE(load_config_file(unset.path()).strict_references);
}

std::string error_of(const std::string& text) {
    testing::TempFile file(text);
    try {
        load_config_file(file.path());
    } catch (const Error& error) {
        EXPECT_EQ(error.code(), ExitCode::config);
        return std::string(error.what()).substr(file.path().size());
    }
    ADD_FAILURE() << "no error for: " << text;
    return {};
}

TEST(UnresolvedReferencesConfig, RefusesBadValues) {
    EXPECT_EQ(error_of("subset:\n  references: loose\n"), ":2:15: references must be strict or warn");
    EXPECT_EQ(error_of("subset:\n  not_references: public.users.x\n"), ":2:19: not_references must be a list");
    EXPECT_EQ(error_of("subset:\n  not_references: [stripe_customer_id]\n"),
              ":2:20: not_references entry \"stripe_customer_id\" must be schema.table.column");
}

}  // namespace
}  // namespace understudy::orchestrator

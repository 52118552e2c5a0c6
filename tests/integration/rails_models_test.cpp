// End to end from the standby: a Rails-shaped database without foreign-key constraints
// (tests/fixtures/rails_app/schema.sql) subset with and without its models (…/rails_app/app/models).
// With them, no association of the models has an orphan in the target; without them, the
// associations named by class_name: do, which is what issue 10 is about.
#include <gtest/gtest.h>

#include <string>
#include <utility>
#include <vector>

#include "db_checks.hpp"
#include "process.hpp"
#include "test_cluster.hpp"

namespace understudy::testing {
namespace {

constexpr const char* k_source = "rails_models_src";
const std::string k_app = std::string(UNDERSTUDY_TEST_DATA_DIR) + "/fixtures/rails_app";

/// Orphan counts written from the models, one query per association (NULLs are no orphans).
const std::vector<std::pair<std::string, std::string>> k_associations = {
    {"Issue belongs_to :author (concern Authored)",
     "SELECT count(*) FROM public.issues c WHERE NOT EXISTS (SELECT 1 FROM public.users p WHERE p.id = c.author_id)"},
    {"Issue belongs_to :assignee, class_name: :User",
     "SELECT count(*) FROM public.issues c WHERE c.assignee_id IS NOT NULL AND NOT EXISTS "
     "(SELECT 1 FROM public.users p WHERE p.id = c.assignee_id)"},
    {"Issue belongs_to :project",
     "SELECT count(*) FROM public.issues c WHERE NOT EXISTS (SELECT 1 FROM public.projects p WHERE p.id = "
     "c.project_id)"},
    {"Project belongs_to :owner, class_name: \"User\"",
     "SELECT count(*) FROM public.projects c WHERE NOT EXISTS (SELECT 1 FROM public.users p WHERE p.id = c.owner_id)"},
    {"User has_many :sent_invitations, foreign_key: :inviter_id",
     "SELECT count(*) FROM public.invitations c WHERE NOT EXISTS "
     "(SELECT 1 FROM public.users p WHERE p.id = c.inviter_id)"},
    {"Invitation belongs_to :invitee, class_name: \"::User\"",
     "SELECT count(*) FROM public.invitations c WHERE c.invitee_id IS NOT NULL AND NOT EXISTS "
     "(SELECT 1 FROM public.users p WHERE p.id = c.invitee_id)"},
    {"Invitation belongs_to :project",
     "SELECT count(*) FROM public.invitations c WHERE NOT EXISTS "
     "(SELECT 1 FROM public.projects p WHERE p.id = c.project_id)"},
    {"Profile belongs_to :user",
     "SELECT count(*) FROM public.profiles c WHERE NOT EXISTS (SELECT 1 FROM public.users p WHERE p.id = c.user_id)"},
    {"Comment belongs_to :user",
     "SELECT count(*) FROM public.comments c WHERE NOT EXISTS (SELECT 1 FROM public.users p WHERE p.id = c.user_id)"},
    {"Issue has_many :comments, as: :commentable",
     "SELECT count(*) FROM public.comments c WHERE c.commentable_type = 'Issue' AND NOT EXISTS "
     "(SELECT 1 FROM public.issues p WHERE p.id = c.commentable_id)"},
    {"User has_many :comments, as: :commentable",
     "SELECT count(*) FROM public.comments c WHERE c.commentable_type = 'User' AND NOT EXISTS "
     "(SELECT 1 FROM public.users p WHERE p.id = c.commentable_id)"},
    {"Billing::Invoice has_many :comments, as: :commentable",
     "SELECT count(*) FROM public.comments c WHERE c.commentable_type = 'Billing::Invoice' AND NOT EXISTS "
     "(SELECT 1 FROM public.billing_invoices p WHERE p.id = c.commentable_id)"},
    {"Billing::Invoice belongs_to :account, class_name: \"User\", foreign_key: :customer_id",
     "SELECT count(*) FROM public.billing_invoices c WHERE NOT EXISTS "
     "(SELECT 1 FROM public.users p WHERE p.id = c.customer_id)"},
    {"Billing::LineItem belongs_to :invoice",
     "SELECT count(*) FROM public.invoice_lines c WHERE NOT EXISTS "
     "(SELECT 1 FROM public.billing_invoices p WHERE p.id = c.invoice_id)"},
    {"Project has_and_belongs_to_many :tags (projects)",
     "SELECT count(*) FROM public.projects_tags c WHERE NOT EXISTS "
     "(SELECT 1 FROM public.projects p WHERE p.id = c.project_id)"},
    {"Project has_and_belongs_to_many :tags (tags)",
     "SELECT count(*) FROM public.projects_tags c WHERE NOT EXISTS (SELECT 1 FROM public.tags p WHERE p.id = "
     "c.tag_id)"},
};

/// The associations only class_name:/foreign_key: name: the naming convention cannot find them.
const std::vector<std::string> k_named_only = {
    "Issue belongs_to :author (concern Authored)", "Project belongs_to :owner, class_name: \"User\"",
    "User has_many :sent_invitations, foreign_key: :inviter_id",
    "Billing::Invoice belongs_to :account, class_name: \"User\", foreign_key: :customer_id"};

class RailsModels : public ::testing::Test {
protected:
    static void SetUpTestSuite() {
        auto& servers = fixture_servers();
        servers.primary.drop_database(k_source);
        servers.primary.create_database(k_source);
        servers.primary.run_sql_file(k_source, k_app + "/schema.sql");
        servers.standby.wait_for_replay_of(servers.primary);
    }

    static CommandResult subset(const std::string& target, std::vector<std::string> extra) {
        auto& servers = fixture_servers();
        servers.primary.drop_database(target);
        servers.primary.create_database(target);
        std::vector<std::string> args = {
            "subset",        "--source", servers.standby.url(k_source), "--target", servers.primary.url(target),
            "--logarithmic", "0.5",      "--infer-foreign-keys",        "rails"};
        args.insert(args.end(), extra.begin(), extra.end());
        return run_understudy(args);
    }

    static std::int64_t orphans(const std::string& target, const std::string& association) {
        for (const auto& [name, sql] : k_associations) {
            if (name == association) return std::stoll(fixture_servers().primary.query_value(target, sql));
        }
        ADD_FAILURE() << "no query for " << association;
        return -1;
    }
};

TEST_F(RailsModels, WithTheModelsNoAssociationHasOrphans) {
    auto result = subset("rails_models_with", {"--rails-app", k_app});
    ASSERT_EQ(result.exit_code, 0) << result.err;
    auto& primary = fixture_servers().primary;
    // The subset is not trivially empty: every table the associations join has rows.
    for (const char* table : {"users", "issues", "projects", "comments", "invitations", "billing_invoices",
                              "invoice_lines", "projects_tags"}) {
        EXPECT_NE(primary.query_value("rails_models_with", std::string("SELECT count(*) FROM public.") + table), "0")
            << table;
    }
    for (const auto& [name, sql] : k_associations) EXPECT_EQ(orphans("rails_models_with", name), 0) << name;
    // The models' warning about the model that does not exist reaches the user.
    EXPECT_NE(result.err.find("warning: app/models/invitation.rb:4: belongs_to :approver: class_name \"Ghost\" names "
                              "no model in app/models and no table (tried ghosts)"),
              std::string::npos)
        << result.err;
    primary.drop_database("rails_models_with");
}

TEST_F(RailsModels, WithoutTheModelsClassNameAssociationsHaveOrphans) {
    auto result = subset("rails_models_without", {});
    ASSERT_EQ(result.exit_code, 0) << result.err;
    std::int64_t total = 0;
    for (const auto& name : k_named_only) total += orphans("rails_models_without", name);
    EXPECT_GT(total, 0);
    EXPECT_GT(orphans("rails_models_without", "Issue belongs_to :author (concern Authored)"), 0);
    // What the convention finds is still whole.
    EXPECT_EQ(orphans("rails_models_without", "Issue belongs_to :project"), 0);
    fixture_servers().primary.drop_database("rails_models_without");
}

TEST_F(RailsModels, PlanShowsWhereEachReferenceComesFrom) {
    auto& servers = fixture_servers();
    auto result = run_understudy(
        {"plan", "--source", servers.standby.url(k_source), "--infer-foreign-keys", "rails", "--rails-app", k_app});
    ASSERT_EQ(result.exit_code, 0) << result.err;
    for (const char* line : {
             "  public.issues(author_id) -> public.users(id): app/models/concerns/authored.rb:5\n",
             "  public.projects(owner_id) -> public.users(id): app/models/project.rb:2\n",
             "  public.invitations(inviter_id) -> public.users(id): app/models/user.rb:6\n",
             "  public.comments(commentable_id) -> public.billing_invoices(id) when commentable_type = "
             "'Billing::Invoice': app/models/billing/invoice.rb:5\n",
             "  public.invoice_lines(invoice_id) -> public.billing_invoices(id): app/models/billing/line_item.rb:4\n",
             "  public.projects_tags(tag_id) -> public.tags(id): app/models/project.rb:8\n",
         }) {
        EXPECT_NE(result.out.find(line), std::string::npos) << line << "\n" << result.out;
    }
    // The models resolve every column the convention would guess: no second reference for one.
    EXPECT_EQ(result.out.find("naming convention"), std::string::npos) << result.out;

    auto without = run_understudy({"plan", "--source", servers.standby.url(k_source), "--infer-foreign-keys", "rails"});
    ASSERT_EQ(without.exit_code, 0) << without.err;
    EXPECT_NE(without.out.find("  public.issues(project_id) -> public.projects(id): naming convention: "),
              std::string::npos)
        << without.out;
    EXPECT_EQ(without.out.find("app/models/"), std::string::npos) << without.out;
}

TEST_F(RailsModels, InitWritesTheModelsReferencesAsCommentedEntries) {
    auto result = run_understudy({"init", "--source", fixture_servers().standby.url(k_source), "--rails-app", k_app});
    ASSERT_EQ(result.exit_code, 0) << result.err;
    for (const char* line : {
             "#     - {from: \"public.projects(owner_id)\", to: \"public.users(id)\"}  # app/models/project.rb:2\n",
             "#     - {from: \"public.issues(author_id)\", to: \"public.users(id)\"}  # app/models/concerns/authored.rb:5\n",
         }) {
        EXPECT_NE(result.out.find(line), std::string::npos) << line << "\n" << result.out;
    }
    EXPECT_NE(result.out.find("#     - {table: \"public.comments\", type_column: \"commentable_type\", id_column: "
                              "\"commentable_id\", types: {"),
              std::string::npos)
        << result.out;
    EXPECT_NE(result.out.find("\"Billing::Invoice\": \"public.billing_invoices\""), std::string::npos) << result.out;
}

TEST_F(RailsModels, TheWorkingDirectoryIsTheDefaultAppAndNamingAnAppAsksForItsModels) {
    // A review app's postdeploy runs in the app's directory: its models are read without --rails-app.
    ProcessOptions options;
    options.working_directory = k_app;
    auto in_app = run_process({UNDERSTUDY_BINARY, "plan", "--source", fixture_servers().standby.url(k_source),
                               "--infer-foreign-keys", "rails"},
                              options);
    ASSERT_EQ(in_app.exit_code, 0) << in_app.err;
    EXPECT_NE(in_app.out.find("  public.projects(owner_id) -> public.users(id): app/models/project.rb:2\n"),
              std::string::npos)
        << in_app.out;
    // --rails-app alone turns the rails inference on.
    auto named = run_understudy({"plan", "--source", fixture_servers().standby.url(k_source), "--rails-app", k_app});
    ASSERT_EQ(named.exit_code, 0) << named.err;
    EXPECT_NE(named.out.find("  public.projects(owner_id) -> public.users(id): app/models/project.rb:2\n"),
              std::string::npos)
        << named.out;
}

TEST_F(RailsModels, AMissingAppIsAUsageError) {
    auto result = run_understudy({"plan", "--source", fixture_servers().standby.url(k_source), "--infer-foreign-keys",
                                  "rails", "--rails-app", k_app + "/missing"});
    EXPECT_EQ(result.exit_code, 2) << result.err;
    EXPECT_NE(result.err.find(k_app + "/missing"), std::string::npos) << result.err;
}

}  // namespace
}  // namespace understudy::testing

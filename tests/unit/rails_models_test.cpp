// Unit tests for reading Rails models (tests/fixtures/rails_app) and resolving them onto a hand-built catalog.
#include <gtest/gtest.h>

#include <algorithm>
#include <string>
#include <vector>

#include "../../subsetter/src/rails_models.hpp"
#include "understudy/error.hpp"

namespace understudy::subsetter {
namespace {

const std::string k_app = std::string(UNDERSTUDY_TEST_DATA_DIR) + "/fixtures/rails_app";

const ModelDeclaration* model_named(const ModelSource& source, const std::string& name) {
    for (const auto& model : source.models) {
        if (model.class_name == name) return &model;
    }
    return nullptr;
}

const AssociationDeclaration* association_named(const std::vector<AssociationDeclaration>& associations,
                                                const std::string& name) {
    for (const auto& association : associations) {
        if (association.name == name) return &association;
    }
    return nullptr;
}

Column column(const std::string& name, const std::string& type = "bigint") {
    return {name, type, type, type == "bigint" ? "N" : "S", false, false, false};
}

Table table(const std::string& name, std::vector<Column> columns, std::vector<std::string> key = {"id"}) {
    Table result;
    result.name = {"public", name};
    result.columns = std::move(columns);
    result.primary_key = std::move(key);
    return result;
}

/// The tables of tests/fixtures/rails_app/schema.sql.
Catalog fixture_catalog() {
    Catalog catalog;
    catalog.tables = {
        table("users", {column("id"), column("email", "text"), column("name", "text")}),
        table("profiles", {column("id"), column("user_id"), column("bio", "text")}),
        table("projects", {column("id"), column("owner_id"), column("name", "text")}),
        table("issues", {column("id"), column("project_id"), column("author_id"), column("assignee_id"),
                         column("reviewer_id"), column("title", "text")}),
        table("comments", {column("id"), column("commentable_type", "character varying"), column("commentable_id"),
                           column("user_id"), column("body", "text")}),
        table("invitations",
              {column("id"), column("project_id"), column("inviter_id"), column("invitee_id"), column("approver_id")}),
        table("tags", {column("id"), column("name", "text")}),
        table("projects_tags", {column("project_id"), column("tag_id")}, {}),
        table("billing_invoices", {column("id"), column("customer_id"), column("total", "numeric")}),
        table("invoice_lines", {column("id"), column("invoice_id"), column("amount", "numeric")}),
    };
    std::sort(catalog.tables.begin(), catalog.tables.end(),
              [](const Table& left, const Table& right) { return left.name < right.name; });
    return catalog;
}

/// `child(column) -> parent(column) [type] @ reason`, one string per reference, for whole-list comparisons.
std::vector<std::string> describe(const std::vector<ForeignKey>& references) {
    std::vector<std::string> lines;
    for (const auto& reference : references) {
        std::string line = reference.child.name + "(" + reference.child_columns.front() + ") -> " +
                           reference.parent.name + "(" + reference.parent_columns.front() + ")";
        if (reference.condition)
            line += " when " + reference.condition->type_column + "=" + reference.condition->type_value;
        lines.push_back(line + " @ " + reference.reason);
    }
    return lines;
}

TEST(RubyModelParser, ReadsTheFixtureApp) {
    const ModelSource source = read_model_directory(k_app);
    const ModelDeclaration* project = model_named(source, "Project");
    ASSERT_NE(project, nullptr);
    EXPECT_EQ(project->file, "app/models/project.rb");
    // A belongs_to spread over four lines is one declaration, at the line it starts on.
    const AssociationDeclaration* owner = association_named(project->associations, "owner");
    ASSERT_NE(owner, nullptr);
    EXPECT_EQ(owner->kind, AssociationKind::belongs_to);
    EXPECT_EQ(owner->class_name, std::optional<std::string>("User"));
    EXPECT_EQ(owner->where(), "app/models/project.rb:2");
    // A scope lambda before the options, and habtm.
    ASSERT_NE(association_named(project->associations, "issues"), nullptr);
    EXPECT_EQ(association_named(project->associations, "tags")->kind, AssociationKind::has_and_belongs_to_many);
    EXPECT_EQ(project->associations.size(), 4u);

    const ModelDeclaration* issue = model_named(source, "Issue");
    ASSERT_NE(issue, nullptr);
    EXPECT_EQ(issue->includes, std::vector<std::string>{"Authored"});
    // Commented out, in a heredoc: not declarations. A symbol class_name reads as the class.
    EXPECT_EQ(association_named(issue->associations, "reviewer"), nullptr);
    EXPECT_EQ(association_named(issue->associations, "not_ruby"), nullptr);
    EXPECT_EQ(association_named(issue->associations, "assignee")->class_name, std::optional<std::string>("User"));
    EXPECT_EQ(association_named(issue->associations, "comments")->as, std::optional<std::string>("commentable"));
    EXPECT_EQ(issue->associations.size(), 3u);

    const ModelDeclaration* user = model_named(source, "User");
    ASSERT_NE(user, nullptr);
    // The regexp's `#` starts no comment; a call inside a method is no declaration.
    EXPECT_EQ(user->associations.size(), 5u);
    EXPECT_EQ(association_named(user->associations, "nothing"), nullptr);
    EXPECT_EQ(association_named(user->associations, "sent_invitations")->foreign_key,
              std::optional<std::string>("inviter_id"));

    const ModelDeclaration* comment = model_named(source, "Comment");
    ASSERT_NE(comment, nullptr);
    EXPECT_TRUE(association_named(comment->associations, "commentable")->polymorphic);
    EXPECT_NE(association_named(comment->associations, "user"), nullptr);  // belongs_to(:user)

    EXPECT_EQ(association_named(model_named(source, "Invitation")->associations, "invitee")->class_name,
              std::optional<std::string>("::User"));

    // Namespaced: by module block and by `class Billing::LineItem`, with self.table_name.
    const ModelDeclaration* invoice = model_named(source, "Billing::Invoice");
    ASSERT_NE(invoice, nullptr);
    EXPECT_EQ(invoice->file, "app/models/billing/invoice.rb");
    const ModelDeclaration* line_item = model_named(source, "Billing::LineItem");
    ASSERT_NE(line_item, nullptr);
    EXPECT_EQ(line_item->table_name, std::optional<std::string>("invoice_lines"));
    EXPECT_TRUE(model_named(source, "ApplicationRecord")->abstract_class);

    bool concern_found = false;
    bool prefix_found = false;
    for (const auto& module : source.modules) {
        if (module.module_name == "Authored" && module.associations.size() == 1) {
            concern_found = true;
            EXPECT_EQ(module.associations[0].where(), "app/models/concerns/authored.rb:5");
            EXPECT_EQ(module.associations[0].class_name, std::optional<std::string>("User"));
        }
        if (module.module_name == "Billing" && module.table_name_prefix == std::optional<std::string>("billing_"))
            prefix_found = true;
    }
    EXPECT_TRUE(concern_found);
    EXPECT_TRUE(prefix_found);
}

TEST(RubyModelParser, ReadsTerseAndOddForms) {
    const std::string text =
        "module Authored; extend ActiveSupport::Concern; included do belongs_to :author, class_name: \"User\" end; "
        "end\n"
        "=begin\n"
        "belongs_to :old, class_name: \"Old\"\n"
        "=end\n"
        "module Shop\n"
        "  module Admin\n"
        "    class Order < ApplicationRecord\n"
        "      self.primary_key = :uuid\n"
        "      belongs_to :buyer, :class_name => 'Customer', :foreign_key => :buyer_uuid\n"
        "      has_many :items, through: :lines\n"
        "      has_many :lines do\n"
        "        def total; sum(:amount); end\n"
        "      end\n"
        "      class << self\n"
        "        def belongs_to_nothing; end\n"
        "      end\n"
        "      before_save { self.x = %w[a b] }\n"
        "      has_one :receipt, foreign_key: :order_uuid, primary_key: :uuid\n"
        "    end\n"
        "  end\n"
        "end\n";
    const ModelSource source = parse_model_source(text, "app/models/x.rb");
    ASSERT_EQ(source.models.size(), 1u);
    const ModelDeclaration& order = source.models[0];
    EXPECT_EQ(order.class_name, "Shop::Admin::Order");
    EXPECT_EQ(order.primary_key, std::optional<std::string>("uuid"));
    ASSERT_EQ(order.associations.size(), 4u);
    EXPECT_EQ(order.associations[0].class_name, std::optional<std::string>("Customer"));
    EXPECT_EQ(order.associations[0].foreign_key, std::optional<std::string>("buyer_uuid"));
    EXPECT_TRUE(order.associations[1].through);
    EXPECT_EQ(order.associations[2].name, "lines");  // an extension block still declares it
    EXPECT_EQ(order.associations[3].primary_key, std::optional<std::string>("uuid"));
    EXPECT_EQ(order.associations[3].line, 18);
    ASSERT_GE(source.modules.size(), 1u);
    EXPECT_EQ(source.modules[0].module_name, "Authored");
    ASSERT_EQ(source.modules[0].associations.size(), 1u);
    EXPECT_EQ(source.modules[0].associations[0].name, "author");
    EXPECT_EQ(source.modules[0].associations[0].line, 1);
}

TEST(RubyModelParser, KeepsTrackOfBlocksThatHideTheirEnds) {
    // Each line below opens and closes something in its own way; a miscounted `end` would close
    // the class early and lose the last association.
    const std::string text =
        "class Report < ApplicationRecord\n"
        "  scope :open, -> { if x; where(open: true); end }\n"
        "  private def helper\n"
        "    1\n"
        "  end\n"
        "  protected def other = 2\n"
        "  begin\n"
        "    retry_it\n"
        "  end while false\n"
        "  validate { errors.add(:base, 'x') unless y }\n"
        "  klass = Class.new { def z; end }\n"
        "  @cache ||= begin\n"
        "    {}\n"
        "  end\n"
        "  value = if a then b else c end\n"
        "  belongs_to :user\n"
        "end\n"
        "__END__\n"
        "class Ghost; belongs_to :nobody; end\n";
    const ModelSource source = parse_model_source(text, "app/models/report.rb");
    ASSERT_EQ(source.models.size(), 1u);
    ASSERT_EQ(source.models[0].associations.size(), 1u);
    EXPECT_EQ(source.models[0].associations[0].name, "user");
    EXPECT_EQ(source.models[0].associations[0].line, 16);
}

TEST(RubyModelParser, WithOptionsGivesItsOptionsToTheAssociationsInside) {
    const std::string text =
        "class Topic < ApplicationRecord\n"
        "  with_options(through: :classifications) do\n"
        "    has_many :products, source_type: 'Product'\n"
        "  end\n"
        "  with_options class_name: 'User', optional: true do |user|\n"
        "    user.belongs_to :editor\n"
        "    belongs_to :reviewer, class_name: 'Admin'\n"
        "  end\n"
        "  belongs_to :owner\n"
        "end\n";
    const ModelSource source = parse_model_source(text, "app/models/topic.rb");
    ASSERT_EQ(source.models.size(), 1u);
    const auto& associations = source.models[0].associations;
    ASSERT_EQ(associations.size(), 4u);
    EXPECT_TRUE(associations[0].through);
    EXPECT_EQ(associations[1].name, "editor");
    EXPECT_EQ(associations[1].class_name, std::optional<std::string>("User"));
    EXPECT_EQ(associations[1].line, 6);
    EXPECT_EQ(associations[2].class_name, std::optional<std::string>("Admin"));  // its own wins
    EXPECT_EQ(associations[3].class_name, std::nullopt);                         // outside the block
}

TEST(RubyModelParser, MissingAppIsAUsageError) {
    try {
        read_model_directory(k_app + "/no-such-dir");
        FAIL() << "no error";
    } catch (const Error& error) {
        EXPECT_EQ(error.code(), ExitCode::usage);
        EXPECT_NE(std::string(error.what()).find("no-such-dir"), std::string::npos);
    }
}

TEST(RailsModels, ResolvesTheFixtureAppOntoItsTables) {
    const Catalog catalog = fixture_catalog();
    std::vector<std::string> warnings;
    auto references = resolve_model_references(catalog, read_model_directory(k_app), warnings);
    const std::vector<std::string> expected = {
        "billing_invoices(customer_id) -> users(id) @ app/models/billing/invoice.rb:3",
        "comments(commentable_id) -> billing_invoices(id) when commentable_type=Billing::Invoice @ "
        "app/models/billing/invoice.rb:5",
        "comments(commentable_id) -> issues(id) when commentable_type=Issue @ app/models/issue.rb:7",
        "comments(commentable_id) -> users(id) when commentable_type=User @ app/models/user.rb:7",
        "comments(user_id) -> users(id) @ app/models/comment.rb:3",
        "invitations(invitee_id) -> users(id) @ app/models/invitation.rb:3",
        "invitations(inviter_id) -> users(id) @ app/models/user.rb:6",
        "invitations(project_id) -> projects(id) @ app/models/invitation.rb:2",
        "invoice_lines(invoice_id) -> billing_invoices(id) @ app/models/billing/line_item.rb:4",
        "issues(assignee_id) -> users(id) @ app/models/issue.rb:5",
        "issues(author_id) -> users(id) @ app/models/concerns/authored.rb:5",
        "issues(project_id) -> projects(id) @ app/models/issue.rb:4",
        "profiles(user_id) -> users(id) @ app/models/profile.rb:2",
        "projects(owner_id) -> users(id) @ app/models/project.rb:2",
        "projects_tags(project_id) -> projects(id) @ app/models/project.rb:8",
        "projects_tags(tag_id) -> tags(id) @ app/models/project.rb:8",
    };
    EXPECT_EQ(describe(references), expected);
    for (const auto& reference : references) EXPECT_EQ(reference.origin, ReferenceOrigin::model);
    EXPECT_EQ(warnings, std::vector<std::string>{
                            "app/models/invitation.rb:4: belongs_to :approver: class_name \"Ghost\" names no model in "
                            "app/models and no table (tried ghosts)"});
}

TEST(RailsModels, WarnsAboutMissingColumnsAndSidesThatDisagree) {
    Catalog catalog = fixture_catalog();
    const std::string text =
        "class User < ApplicationRecord\n"
        "  has_many :projects, foreign_key: :owner_id\n"     // agrees with Project's belongs_to
        "  has_many :issues, foreign_key: :author_id\n"      // disagrees: Issue says its author is a Tag
        "  has_many :invitations, foreign_key: :guest_id\n"  // no such column
        "end\n"
        "class Admin < User\n"                      // STI: lives in users
        "  has_many :comments, as: :commentable\n"  // stores the base class, User
        "end\n"
        "class Project < ApplicationRecord\n"
        "  belongs_to :owner, class_name: \"User\"\n"
        "end\n"
        "class Issue < ApplicationRecord\n"
        "  belongs_to :author, class_name: \"Tag\"\n"
        "end\n"
        "class Tag < ApplicationRecord\n"
        "end\n"
        "class Comment < ApplicationRecord\n"
        "  belongs_to :commentable, polymorphic: true\n"
        "end\n"
        "class Invitation < ApplicationRecord\n"
        "  belongs_to :approver, class_name: \"::Gem::Tag\"\n"  // a gem's model: found by its table
        "end\n"
        "class Widget < ApplicationRecord\n"
        "  belongs_to :user\n"  // no table widgets
        "end\n";
    std::vector<std::string> warnings;
    auto references = resolve_model_references(catalog, parse_model_source(text, "app/models/all.rb"), warnings);
    const std::vector<std::string> expected = {
        "comments(commentable_id) -> users(id) when commentable_type=User @ app/models/all.rb:7",
        "invitations(approver_id) -> tags(id) @ app/models/all.rb:21",
        "issues(author_id) -> tags(id) @ app/models/all.rb:13",
        "projects(owner_id) -> users(id) @ app/models/all.rb:10",
    };
    EXPECT_EQ(describe(references), expected);
    const std::vector<std::string> expected_warnings = {
        "app/models/all.rb:4: has_many :invitations: table \"public.invitations\" has no column \"guest_id\"",
        "app/models/all.rb:24: belongs_to :user: table \"widgets\" does not exist (model Widget)",
        "app/models/all.rb:3: has_many :issues says public.issues(author_id) -> public.users(id), but "
        "app/models/all.rb:13: belongs_to :author says public.issues(author_id) -> public.tags(id); following "
        "app/models/all.rb:13",
    };
    EXPECT_EQ(warnings, expected_warnings);
}

TEST(RailsModels, ReopenedClassesAndConcernsWithABlockArgument) {
    const Catalog catalog = fixture_catalog();
    ModelSource source = parse_model_source(
        "class Issue < ApplicationRecord\n  include Tracked\nend\nclass User; end\nclass Project; end\n",
        "app/models/issue.rb");
    ModelSource reopened = parse_model_source(
        "class Issue\n  belongs_to :owner, class_name: 'User', foreign_key: :assignee_id\nend\n"
        "module Tracked\n  extend ActiveSupport::Concern\n  included do |base|\n    belongs_to :project\n  end\nend\n",
        "app/models/issue/extra.rb");
    source.models.push_back(reopened.models.at(0));
    source.modules.push_back(reopened.modules.at(0));
    std::vector<std::string> warnings;
    auto references = resolve_model_references(catalog, source, warnings);
    EXPECT_EQ(describe(references), (std::vector<std::string>{
                                        "issues(assignee_id) -> users(id) @ app/models/issue/extra.rb:2",
                                        "issues(project_id) -> projects(id) @ app/models/issue/extra.rb:7",
                                    }));
    EXPECT_TRUE(warnings.empty()) << warnings.front();
}

TEST(RailsModels, ConventionGuessesYieldToTheModels) {
    ForeignKey model;
    model.child = {"public", "comments"};
    model.child_columns = {"commentable_id"};
    model.parent = {"public", "issues"};
    model.name = "model:commentable_type=Issue";
    model.condition = PolymorphicCondition{"commentable_type", "Issue"};
    ForeignKey same_type = model;
    same_type.name = "polymorphic:commentable_type=Issue";
    same_type.origin = ReferenceOrigin::inferred;
    ForeignKey other_type = same_type;
    other_type.name = "polymorphic:commentable_type=Post";
    other_type.condition->type_value = "Post";
    ForeignKey plain;
    plain.child = {"public", "issues"};
    plain.child_columns = {"project_id"};
    plain.name = "rails:project_id";
    ForeignKey plain_model = plain;
    plain_model.name = "model:project_id";
    auto merged = merge_model_references({model, plain_model}, {same_type, other_type, plain});
    std::vector<std::string> names;
    for (const auto& reference : merged) names.push_back(reference.name);
    EXPECT_EQ(names, (std::vector<std::string>{"model:commentable_type=Issue", "polymorphic:commentable_type=Post",
                                               "model:project_id"}));
}

TEST(RailsModels, InflectionHelpers) {
    EXPECT_EQ(camelize("line_item"), "LineItem");
    EXPECT_EQ(camelize("billing/invoice"), "Billing::Invoice");
    EXPECT_EQ(default_join_table("tags", "projects"), "projects_tags");
    EXPECT_EQ(default_join_table("billing_tags", "billing_invoices"), "billing_invoices_tags");
    EXPECT_EQ(default_join_table("users", "user_roles"), "user_roles_users");
}

}  // namespace
}  // namespace understudy::subsetter

// Rails model files to declarations: classes, modules, concerns and association macros, from the
// statements ruby_tokenizer finds.
#include "ruby_model_parser.hpp"

#include <algorithm>
#include <cctype>
#include <filesystem>
#include <fstream>
#include <set>
#include <sstream>

#include "ruby_tokenizer.hpp"
#include "understudy/error.hpp"

namespace understudy::subsetter {
namespace {

using detail::is_word;
using detail::Token;
using detail::TokenKind;

std::string constant_path(const std::vector<Token>& tokens, std::size_t& index) {
    std::string path;
    bool expect_name = true;
    while (index < tokens.size()) {
        if (tokens[index].kind == TokenKind::punct && tokens[index].text == "::") {
            path += "::";
            expect_name = true;
        } else if (tokens[index].kind == TokenKind::constant && expect_name) {
            path += tokens[index].text;
            expect_name = false;
        } else {
            break;
        }
        ++index;
    }
    return path;
}

std::string strip_leading_colons(std::string name) {
    if (name.rfind("::", 0) == 0) name.erase(0, 2);
    return name;
}

/// A plain option value: a string, a symbol, a constant path, `true`/`false`; nullopt otherwise.
std::optional<std::string> option_value(const std::vector<Token>& tokens, std::size_t index) {
    if (index >= tokens.size()) return std::nullopt;
    const Token& token = tokens[index];
    if (token.kind == TokenKind::string || token.kind == TokenKind::symbol) return token.text;
    if (token.kind == TokenKind::identifier && (token.text == "true" || token.text == "false")) return token.text;
    if (token.kind == TokenKind::constant || (token.kind == TokenKind::punct && token.text == "::")) {
        std::size_t position = index;
        std::string path = constant_path(tokens, position);
        // `class_name: User.name` / `User.to_s`: the constant's name.
        return path;
    }
    return std::nullopt;
}

std::optional<AssociationKind> association_kind(const std::string& macro) {
    if (macro == "belongs_to") return AssociationKind::belongs_to;
    if (macro == "has_many") return AssociationKind::has_many;
    if (macro == "has_one") return AssociationKind::has_one;
    if (macro == "has_and_belongs_to_many") return AssociationKind::has_and_belongs_to_many;
    return std::nullopt;
}

/// Reads `belongs_to :author, class_name: "User", optional: true` (with or without parentheses).
std::optional<AssociationDeclaration> parse_association(const std::vector<Token>& tokens, const std::string& file) {
    auto kind = association_kind(tokens[0].text);
    if (!kind || tokens.size() < 2) return std::nullopt;
    std::size_t index = 1;
    if (tokens[index].kind == TokenKind::punct && tokens[index].text == "(") ++index;
    if (index >= tokens.size() || (tokens[index].kind != TokenKind::symbol && tokens[index].kind != TokenKind::string))
        return std::nullopt;
    AssociationDeclaration association;
    association.kind = *kind;
    association.name = tokens[index].text;
    association.file = file;
    association.line = tokens[0].line;
    // Options at the call's own nesting level; a scope lambda's `{ ... }` is skipped.
    int depth = 0;
    for (++index; index < tokens.size(); ++index) {
        const Token& token = tokens[index];
        if (token.kind == TokenKind::punct) {
            if (token.text == "(" || token.text == "[" || token.text == "{") ++depth;
            if (token.text == ")" || token.text == "]" || token.text == "}") --depth;
        }
        if (depth > 0 || (depth == 0 && is_word(token, "do"))) continue;
        std::string key;
        std::size_t value_index = 0;
        if (token.kind == TokenKind::label) {
            key = token.text;
            value_index = index + 1;
        } else if (token.kind == TokenKind::symbol && index + 1 < tokens.size() && tokens[index + 1].text == "=>") {
            key = token.text;
            value_index = index + 2;
        } else {
            continue;
        }
        auto value = option_value(tokens, value_index);
        if (key == "through") association.through = true;
        if (!value) continue;
        if (key == "class_name")
            association.class_name = *value;
        else if (key == "foreign_key")
            association.foreign_key = *value;
        else if (key == "primary_key")
            association.primary_key = *value;
        else if (key == "foreign_type")
            association.foreign_type = *value;
        else if (key == "as")
            association.as = *value;
        else if (key == "join_table")
            association.join_table = *value;
        else if (key == "association_foreign_key")
            association.association_foreign_key = *value;
        else if (key == "polymorphic")
            association.polymorphic = *value == "true";
    }
    return association;
}

/// One open `module`, `class` or block while walking the statements.
struct Scope {
    enum class Kind { module, model, included, prefix_method, other } kind;
    std::string name;   ///< fully qualified for module and model
    std::size_t index;  ///< into ModelSource::models or ::modules
    /// Inside `with_options class_name: "User" do ... end`: the options every association gets.
    std::optional<AssociationDeclaration> defaults = std::nullopt;
};

/// `with_options(through: :x) do` read as the options of an association named `_`.
std::optional<AssociationDeclaration> with_options_defaults(const std::vector<Token>& tokens, const std::string& file) {
    std::vector<Token> options(tokens.begin() + 1, tokens.end() - 1);  // without `with_options` and `do`
    if (!options.empty() && options.front().text == "(" && options.back().text == ")") {
        options.erase(options.begin());
        options.pop_back();
    }
    std::vector<Token> call = {{TokenKind::identifier, "belongs_to", tokens[0].line},
                               {TokenKind::symbol, "_", tokens[0].line},
                               {TokenKind::punct, ",", tokens[0].line}};
    call.insert(call.end(), options.begin(), options.end());
    return parse_association(call, file);
}

/// Options the association does not give itself come from the enclosing `with_options`.
void apply_defaults(AssociationDeclaration& association, const AssociationDeclaration& defaults) {
    for (auto [field, fallback] :
         {std::pair{&association.class_name, &defaults.class_name},
          std::pair{&association.foreign_key, &defaults.foreign_key},
          std::pair{&association.primary_key, &defaults.primary_key},
          std::pair{&association.foreign_type, &defaults.foreign_type}, std::pair{&association.as, &defaults.as},
          std::pair{&association.join_table, &defaults.join_table},
          std::pair{&association.association_foreign_key, &defaults.association_foreign_key}}) {
        if (!*field) *field = *fallback;
    }
    association.polymorphic = association.polymorphic || defaults.polymorphic;
    association.through = association.through || defaults.through;
}

/// `def name = expr` (Ruby 3) has no `end`; `def name=(value)` is a setter that has one.
/// `at` is the index of the `def` token.
bool is_endless_method(const std::vector<Token>& tokens, std::size_t at) {
    for (std::size_t index = at + 2; index + 1 < tokens.size(); ++index) {
        if (tokens[index].text != "=") continue;
        if (tokens[index - 1].text == ")") return true;
        if (index == at + 2 || (index == at + 4 && tokens[at + 2].text == ".")) return tokens[index + 1].text != "(";
        return false;
    }
    return false;
}

/// Whether the statement opens a method body: `def x`, also after `private`, `memoize` and the like.
bool opens_method(const std::vector<Token>& tokens) {
    int depth = 0;  // `Class.new { def x; end }` closes its own method
    for (std::size_t index = 0; index < tokens.size(); ++index) {
        if (tokens[index].kind == TokenKind::punct) {
            if (tokens[index].text == "(" || tokens[index].text == "[" || tokens[index].text == "{") ++depth;
            if (tokens[index].text == ")" || tokens[index].text == "]" || tokens[index].text == "}") --depth;
        }
        if (depth > 0 || !is_word(tokens[index], "def")) continue;
        if (index > 0 && (tokens[index - 1].text == "." || tokens[index - 1].text == "&.")) continue;
        return !is_endless_method(tokens, index);
    }
    return false;
}

const std::set<std::string> k_block_keywords = {"def", "if", "unless", "case", "while", "until", "begin", "for"};

}  // namespace

ModelSource parse_model_source(const std::string& text, const std::string& file) {
    ModelSource source;
    std::vector<Scope> scopes;
    auto namespace_of = [&]() -> std::string {
        for (auto scope = scopes.rbegin(); scope != scopes.rend(); ++scope) {
            if (scope->kind == Scope::Kind::module || scope->kind == Scope::Kind::model) return scope->name;
        }
        return "";
    };
    // Reading a class body only at its own level: associations inside methods or `if` are not declarations.
    auto current = [&]() -> Scope* { return scopes.empty() ? nullptr : &scopes.back(); };

    for (const auto& tokens : detail::ruby_statements(text)) {
        const Token& first = tokens.front();
        if (is_word(first, "end")) {
            if (!scopes.empty()) scopes.pop_back();
            continue;
        }
        if (is_word(first, "module") || (is_word(first, "class") && !(tokens.size() > 1 && tokens[1].text == "<<"))) {
            std::size_t index = 1;
            std::string name = constant_path(tokens, index);
            if (name.empty()) {
                scopes.push_back({Scope::Kind::other, "", 0});
                continue;
            }
            std::string qualified;
            if (name.rfind("::", 0) == 0)
                qualified = strip_leading_colons(name);
            else
                qualified = namespace_of().empty() ? name : namespace_of() + "::" + name;
            if (is_word(first, "module")) {
                source.modules.push_back({qualified, {}, std::nullopt, file, first.line});
                scopes.push_back({Scope::Kind::module, qualified, source.modules.size() - 1});
            } else {
                ModelDeclaration model;
                model.class_name = qualified;
                model.file = file;
                model.line = first.line;
                if (index < tokens.size() && tokens[index].text == "<") {
                    ++index;
                    model.superclass = constant_path(tokens, index);
                }
                source.models.push_back(std::move(model));
                scopes.push_back({Scope::Kind::model, qualified, source.models.size() - 1});
            }
            continue;
        }
        if (is_word(first, "class")) {  // `class << self`: singleton methods, no declarations
            scopes.push_back({Scope::Kind::other, "", 0});
            continue;
        }
        Scope* scope = current();
        const bool opens_keyword_block =
            opens_method(tokens) ||
            (first.kind == TokenKind::identifier && k_block_keywords.count(first.text) && !is_word(first, "def"));
        bool opens_assigned_block = false;  // `x = if ...` / `x = case ...`
        for (std::size_t index = 1; index + 1 < tokens.size(); ++index) {
            if (tokens[index].text == "=" && tokens[index + 1].kind == TokenKind::identifier &&
                k_block_keywords.count(tokens[index + 1].text))
                opens_assigned_block = true;
        }
        bool ends_with_do = false;  // ruby_statements ends a statement right after `do` or `do |args|`
        for (auto token = tokens.rbegin(); token != tokens.rend(); ++token) {
            if (is_word(*token, "do")) ends_with_do = true;
            if (is_word(*token, "do") || token->text != "|") break;
        }
        if (!ends_with_do && tokens.back().text == "|") {
            for (const auto& token : tokens) ends_with_do = ends_with_do || is_word(token, "do");
        }
        const bool loop_with_do = first.kind == TokenKind::identifier &&
                                  (first.text == "while" || first.text == "until" || first.text == "for");
        if (opens_keyword_block || opens_assigned_block) {
            // `def self.table_name_prefix` in a namespace module: the generator's way to prefix tables.
            if (is_word(first, "def") && scope && scope->kind == Scope::Kind::module && tokens.size() >= 4 &&
                is_word(tokens[1], "self") && tokens[3].text == "table_name_prefix") {
                scopes.push_back({Scope::Kind::prefix_method, "", scope->index});
                continue;
            }
            scopes.push_back({Scope::Kind::other, "", 0});
            if (ends_with_do && !loop_with_do) scopes.push_back({Scope::Kind::other, "", 0});
            continue;
        }
        if (is_word(first, "def") && scope && scope->kind == Scope::Kind::module && tokens.size() >= 6 &&
            is_word(tokens[1], "self") && tokens[3].text == "table_name_prefix" &&
            tokens.back().kind == TokenKind::string) {  // `def self.table_name_prefix = "billing_"`
            source.modules[scope->index].table_name_prefix = tokens.back().text;
            continue;
        }
        if (ends_with_do && is_word(first, "included") && is_word(tokens[1], "do") && scope &&
            scope->kind == Scope::Kind::module) {
            scopes.push_back({Scope::Kind::included, scope->name, scope->index});
            continue;
        }
        if (ends_with_do && is_word(first, "with_options") && scope &&
            (scope->kind == Scope::Kind::model || scope->kind == Scope::Kind::included)) {
            Scope options = *scope;
            if (auto defaults = with_options_defaults(tokens, file)) {
                if (scope->defaults) apply_defaults(*defaults, *scope->defaults);
                options.defaults = std::move(defaults);
            }
            scopes.push_back(std::move(options));
            continue;
        }
        // An association with an extension block (`has_many :x do ... end`) still declares itself.
        struct BlockAfter {
            std::vector<Scope>& scopes;
            bool open;
            ~BlockAfter() {
                if (open) scopes.push_back({Scope::Kind::other, "", 0});
            }
        } block_after{scopes, ends_with_do};
        if (!scope) continue;
        if (scope->kind == Scope::Kind::prefix_method) {
            if (tokens.size() == 1 && first.kind == TokenKind::string)
                source.modules[scope->index].table_name_prefix = first.text;
            continue;
        }
        if (scope->kind != Scope::Kind::model && scope->kind != Scope::Kind::included) continue;
        std::vector<AssociationDeclaration>& associations = scope->kind == Scope::Kind::model
                                                                ? source.models[scope->index].associations
                                                                : source.modules[scope->index].associations;
        if (scope->defaults && tokens.size() > 2 && tokens[1].text == "." && association_kind(tokens[2].text)) {
            // `with_options ... do |options| options.belongs_to :x end`
            std::vector<Token> call(tokens.begin() + 2, tokens.end());
            call.front().kind = TokenKind::identifier;
            if (auto association = parse_association(call, file)) {
                apply_defaults(*association, *scope->defaults);
                associations.push_back(std::move(*association));
            }
            continue;
        }
        if (first.kind == TokenKind::identifier && association_kind(first.text)) {
            if (auto association = parse_association(tokens, file)) {
                if (scope->defaults) apply_defaults(*association, *scope->defaults);
                associations.push_back(std::move(*association));
            }
            continue;
        }
        if (scope->kind != Scope::Kind::model) continue;
        ModelDeclaration& model = source.models[scope->index];
        if (is_word(first, "include") || is_word(first, "prepend")) {
            for (std::size_t index = 1; index < tokens.size(); ++index) {
                std::string name = constant_path(tokens, index);
                if (!name.empty()) model.includes.push_back(name);
                if (index >= tokens.size()) break;
            }
            continue;
        }
        // Rails 7 generates `primary_abstract_class` in ApplicationRecord: abstract, no table of its own.
        if (is_word(first, "primary_abstract_class")) {
            model.abstract_class = true;
            continue;
        }
        // `self.table_name = "..."`, `self.primary_key = :uuid`, `self.abstract_class = true`.
        if (is_word(first, "self") && tokens.size() >= 5 && tokens[1].text == "." && tokens[3].text == "=") {
            auto value = option_value(tokens, 4);
            if (!value) continue;
            if (tokens[2].text == "table_name")
                model.table_name = *value;
            else if (tokens[2].text == "primary_key")
                model.primary_key = *value;
            else if (tokens[2].text == "abstract_class")
                model.abstract_class = *value == "true";
        }
    }
    return source;
}

ModelSource read_model_directory(const std::string& app_dir) {
    namespace fs = std::filesystem;
    const fs::path models = fs::path(app_dir) / "app" / "models";
    std::error_code error;
    if (!fs::is_directory(models, error))
        throw Error(ExitCode::usage, "rails app \"" + app_dir + "\" has no app/models directory",
                    "give --rails-app the directory that holds the app's app/models");
    std::vector<fs::path> files;
    for (fs::recursive_directory_iterator entry(models, fs::directory_options::skip_permission_denied, error), end;
         entry != end; entry.increment(error)) {
        if (error) break;
        if (entry->is_regular_file(error) && entry->path().extension() == ".rb") files.push_back(entry->path());
    }
    // Directory order differs between machines; the plan must not.
    std::sort(files.begin(), files.end());
    ModelSource all;
    for (const auto& path : files) {
        std::ifstream in(path, std::ios::binary);
        if (!in) continue;
        std::ostringstream text;
        text << in.rdbuf();
        const std::string relative = (fs::path("app") / "models" / path.lexically_relative(models)).generic_string();
        ModelSource parsed = parse_model_source(text.str(), relative);
        for (auto& model : parsed.models) all.models.push_back(std::move(model));
        for (auto& module : parsed.modules) all.modules.push_back(std::move(module));
    }
    return all;
}

}  // namespace understudy::subsetter

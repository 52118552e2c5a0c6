// Rails associations turned into references: class names to tables, macros to columns, both sides checked.
#include "rails_models.hpp"

#include <algorithm>
#include <cctype>
#include <deque>
#include <map>
#include <optional>
#include <set>
#include <tuple>

#include "inflection.hpp"
#include "rails_inference.hpp"

namespace understudy::subsetter {
namespace {

const char* macro_name(AssociationKind kind) {
    switch (kind) {
        case AssociationKind::belongs_to:
            return "belongs_to";
        case AssociationKind::has_many:
            return "has_many";
        case AssociationKind::has_one:
            return "has_one";
        case AssociationKind::has_and_belongs_to_many:
            return "has_and_belongs_to_many";
    }
    return "association";
}

/// `Billing::Invoice` -> `Invoice`.
std::string demodulize(const std::string& name) {
    const auto colons = name.rfind("::");
    return colons == std::string::npos ? name : name.substr(colons + 2);
}

/// `Billing::Invoice` -> `Billing`; empty at the top level.
std::string namespace_of(const std::string& name) {
    const auto colons = name.rfind("::");
    return colons == std::string::npos ? "" : name.substr(0, colons);
}

/// A table called `name` (`schema.name` when qualified): in `public` first, Rails' usual
/// search_path, else in the first schema that has it.
const Table* find_table_named(const Catalog& catalog, const std::string& name) {
    if (name.find('.') != std::string::npos) return catalog.find(QualifiedName::parse(name));
    if (const Table* table = catalog.find({"public", name})) return table;
    for (const auto& table : catalog.tables) {
        if (table.name.name == name) return &table;
    }
    return nullptr;
}

/// One model class with its table resolved.
struct Model {
    const ModelDeclaration* declaration = nullptr;
    const Table* table = nullptr;  ///< nullptr when no table of that name exists
    std::string table_name;        ///< what Rails would call it, for warnings
    std::string base_class;        ///< the STI root, which polymorphic type columns store
    std::string primary_key;       ///< `self.primary_key`, else the table's one-column key, else `id`
};

/// A reference found from one side of an association, before the two sides are compared.
struct Candidate {
    ForeignKey reference;
    bool parent_side = false;  ///< from `has_many` / `has_one`, which restate a `belongs_to`
    std::string macro;         ///< `has_many :comments`, for messages
};

class Resolver {
public:
    Resolver(const Catalog& catalog, const ModelSource& source, std::vector<std::string>& warnings)
        : m_catalog(catalog), m_source(source), m_warnings(warnings) {
        // A class reopened in several files (`app/models/user.rb`, `app/models/user/roles.rb`) is
        // one model: settings from any of them, associations from all, named by its first file.
        for (const auto& declaration : source.models) {
            auto [found, inserted] = m_declarations.emplace(declaration.class_name, declaration);
            if (inserted) continue;
            ModelDeclaration& merged = found->second;
            if (merged.superclass.empty()) merged.superclass = declaration.superclass;
            if (!merged.table_name) merged.table_name = declaration.table_name;
            if (!merged.primary_key) merged.primary_key = declaration.primary_key;
            merged.abstract_class = merged.abstract_class || declaration.abstract_class;
            merged.includes.insert(merged.includes.end(), declaration.includes.begin(), declaration.includes.end());
            merged.associations.insert(merged.associations.end(), declaration.associations.begin(),
                                       declaration.associations.end());
        }
        for (const auto& [name, declaration] : m_declarations)
            m_models.emplace(name, Model{&declaration, nullptr, "", "", ""});
        for (auto& [name, model] : m_models) resolve_table(model, 0);
    }

    std::vector<ForeignKey> references() {
        std::vector<Candidate> candidates;
        for (const auto& [name, declaration] : m_declarations) {
            if (declaration.abstract_class) continue;
            const Model& model = m_models.at(name);
            for (const auto& association : associations_of(declaration)) add_candidates(model, association, candidates);
        }
        return reconcile(std::move(candidates));
    }

private:
    /// The class `name` means inside `context` (a class name), the way Rails' compute_type looks
    /// it up: `Invoice` in `Billing::Payment` is `Billing::Payment::Invoice`, then
    /// `Billing::Invoice`, then `Invoice`; `::User` is only `User`.
    const Model* find_model(const std::string& name, const std::string& context) const {
        if (name.rfind("::", 0) == 0) {
            auto found = m_models.find(name.substr(2));
            return found == m_models.end() ? nullptr : &found->second;
        }
        std::string scope = context;
        while (true) {
            auto found = m_models.find(scope.empty() ? name : scope + "::" + name);
            if (found != m_models.end()) return &found->second;
            if (scope.empty()) return nullptr;
            scope = namespace_of(scope);
        }
    }

    /// The model a `has_many :comments` without class_name means: one whose pluralized name is
    /// `comments`, nearest the declaring class's namespace first.
    const Model* find_model_by_plural(const std::string& plural, const std::string& context) const {
        std::string scope = context;
        while (true) {
            for (const auto& [name, model] : m_models) {
                if (namespace_of(name) == scope && pluralize(underscore(demodulize(name))) == plural) return &model;
            }
            if (scope.empty()) return nullptr;
            scope = namespace_of(scope);
        }
    }

    std::optional<std::string> table_name_prefix(const std::string& class_name) const {
        for (std::string scope = namespace_of(class_name); !scope.empty(); scope = namespace_of(scope)) {
            for (const auto& module : m_source.modules) {
                if (module.module_name == scope && module.table_name_prefix) return module.table_name_prefix;
            }
        }
        return std::nullopt;
    }

    void resolve_table(Model& model, int depth) {
        if (!model.table_name.empty() || depth > 20) return;
        const ModelDeclaration& declaration = *model.declaration;
        model.base_class = declaration.class_name;
        std::vector<std::string> candidates;
        Model* parent = nullptr;
        if (!declaration.superclass.empty()) {
            const Model* found = find_model(declaration.superclass, namespace_of(declaration.class_name));
            if (found && !found->declaration->abstract_class && found != &model) parent = const_cast<Model*>(found);
        }
        if (declaration.table_name) {
            candidates.push_back(*declaration.table_name);
        } else if (parent) {
            // Single-table inheritance: a subclass lives in its parent's table.
            resolve_table(*parent, depth + 1);
            model.table_name = parent->table_name;
            model.table = parent->table;
            model.base_class = parent->base_class;
            model.primary_key = declaration.primary_key ? *declaration.primary_key : parent->primary_key;
            return;
        } else {
            const std::string own = tableize(demodulize(declaration.class_name));
            // A class nested in a model class is prefixed with that model's singular table name.
            std::string contained;
            const std::string outer = namespace_of(declaration.class_name);
            if (!outer.empty() && m_models.count(outer) && !m_models.at(outer).declaration->abstract_class)
                contained = underscore(demodulize(outer)) + "_";
            if (auto prefix = table_name_prefix(declaration.class_name)) {
                candidates.push_back(*prefix + contained + own);
            } else {
                // The generator's `rails g model billing/invoice` writes a module whose
                // table_name_prefix is `billing_`; without one, Rails uses the bare name.
                std::string flat = underscore(declaration.class_name);
                std::replace(flat.begin(), flat.end(), '/', '_');
                candidates.push_back(pluralize(flat));
                candidates.push_back(contained + own);
            }
        }
        model.table_name = candidates.front();
        for (const auto& candidate : candidates) {
            if ((model.table = find_table_named(m_catalog, candidate))) {
                model.table_name = candidate;
                break;
            }
        }
        if (declaration.primary_key)
            model.primary_key = *declaration.primary_key;
        else if (model.table && model.table->row_key().size() == 1)
            model.primary_key = model.table->row_key().front();
        else
            model.primary_key = "id";
    }

    /// The model's own associations and those of the concerns it includes.
    std::vector<AssociationDeclaration> associations_of(const ModelDeclaration& declaration) const {
        std::vector<AssociationDeclaration> all = declaration.associations;
        for (const auto& included : declaration.includes) {
            const ModuleDeclaration* concern = find_module(included, declaration.class_name);
            if (concern) all.insert(all.end(), concern->associations.begin(), concern->associations.end());
        }
        return all;
    }

    const ModuleDeclaration* find_module(const std::string& name, const std::string& context) const {
        std::vector<std::string> candidates;
        if (name.rfind("::", 0) == 0) {
            candidates.push_back(name.substr(2));
        } else {
            for (std::string scope = context;; scope = namespace_of(scope)) {
                candidates.push_back(scope.empty() ? name : scope + "::" + name);
                if (scope.empty()) break;
            }
        }
        for (const auto& candidate : candidates) {
            for (const auto& module : m_source.modules) {
                if (module.module_name == candidate && !module.associations.empty()) return &module;
            }
        }
        return nullptr;
    }

    void warn(const AssociationDeclaration& association, const std::string& message) {
        m_warnings.push_back(association.where() + ": " + macro_name(association.kind) + " :" + association.name +
                             ": " + message);
    }

    /// The association's other model, or nullptr after a warning.
    const Model* target_of(const Model& model, const AssociationDeclaration& association) {
        const std::string& context = model.declaration->class_name;
        const bool collection = association.kind == AssociationKind::has_many ||
                                association.kind == AssociationKind::has_and_belongs_to_many;
        const Model* found = nullptr;
        std::string class_name;
        if (association.class_name) {
            class_name = *association.class_name;
            found = find_model(class_name, context);
        } else {
            found = collection ? find_model_by_plural(association.name, context) : nullptr;
            class_name = camelize(association.name);
            if (!found) found = find_model(class_name, context);  // belongs_to, has_one, uncountable plurals
        }
        if (found) return found;
        // A model from a gem or an engine (`PaperTrail::Version`) has a table but no file here.
        std::vector<std::string> tried;
        std::string flat = underscore(strip_colons(class_name));
        std::replace(flat.begin(), flat.end(), '/', '_');
        tried.push_back(collection && !association.class_name ? association.name : pluralize(flat));
        const std::string bare = tableize(demodulize(class_name));
        if (bare != tried.front()) tried.push_back(bare);
        for (const auto& name : tried) {
            if (const Table* table = find_table_named(m_catalog, name)) return outside_model(class_name, *table);
        }
        std::string list;
        for (const auto& name : tried) list += (list.empty() ? "" : ", ") + name;
        if (association.class_name)
            warn(association,
                 "class_name \"" + class_name + "\" names no model in app/models and no table (tried " + list + ")");
        else
            warn(association, "names no model in app/models and no table (tried " + list + "); give it a class_name");
        return nullptr;
    }

    /// A model found only by its table: its key is the table's.
    const Model* outside_model(const std::string& class_name, const Table& table) {
        ModelDeclaration declaration;
        declaration.class_name = strip_colons(class_name);
        m_outside.push_back(std::move(declaration));
        Model model;
        model.declaration = &m_outside.back();
        model.table = &table;
        model.table_name = table.name.name;
        model.base_class = m_outside.back().class_name;
        model.primary_key = table.row_key().size() == 1 ? table.row_key().front() : "id";
        m_outside_models.push_back(model);
        return &m_outside_models.back();
    }

    static std::string strip_colons(const std::string& name) {
        return name.rfind("::", 0) == 0 ? name.substr(2) : name;
    }

    /// Checks that the tables and columns exist and the parent columns are a key; nullopt after a warning.
    std::optional<ForeignKey> make_reference(const AssociationDeclaration& association, const Model* child_model,
                                             const std::string& child_table_name, const Table* child,
                                             const std::string& child_column, const Model& parent_model,
                                             const std::string& parent_column) {
        if (!child) {
            warn(association, "table \"" + child_table_name + "\" does not exist" +
                                  (child_model ? " (model " + child_model->declaration->class_name + ")" : ""));
            return std::nullopt;
        }
        if (!parent_model.table) {
            warn(association, "table \"" + parent_model.table_name + "\" of model " +
                                  parent_model.declaration->class_name + " does not exist");
            return std::nullopt;
        }
        const Column* column = child->find_column(child_column);
        if (!column) {
            warn(association, "table \"" + child->name.display() + "\" has no column \"" + child_column + "\"");
            return std::nullopt;
        }
        const Table& parent = *parent_model.table;
        const Column* key = parent.find_column(parent_column);
        if (!key) {
            warn(association, "table \"" + parent.name.display() + "\" has no column \"" + parent_column + "\"");
            return std::nullopt;
        }
        // A reference must name one parent row per child value, which only a key guarantees.
        bool is_key = parent.primary_key == std::vector<std::string>{parent_column};
        for (const auto& unique_key : parent.unique_keys)
            is_key = is_key || unique_key == std::vector<std::string>{parent_column};
        if (!is_key) {
            warn(association, "column \"" + parent_column + "\" of table \"" + parent.name.display() +
                                  "\" is not its primary key or a NOT NULL unique key");
            return std::nullopt;
        }
        if (!key_types_compatible(*column, *key)) {
            warn(association, "column \"" + child_column + "\" of table \"" + child->name.display() + "\" (" +
                                  column->type + ") cannot hold \"" + parent.name.display() + "\".\"" + parent_column +
                                  "\" (" + key->type + ")");
            return std::nullopt;
        }
        ForeignKey reference;
        reference.name = "model:" + child_column;
        reference.child = child->name;
        reference.child_columns = {child_column};
        reference.parent = parent.name;
        reference.parent_columns = {parent_column};
        reference.origin = ReferenceOrigin::model;
        reference.reason = association.where();
        return reference;
    }

    void add_candidates(const Model& model, const AssociationDeclaration& association,
                        std::vector<Candidate>& candidates) {
        if (association.through) return;  // follows other associations: no column of its own
        const std::string macro = std::string(macro_name(association.kind)) + " :" + association.name;
        const std::string own_key = underscore(demodulize(model.declaration->class_name)) + "_id";
        switch (association.kind) {
            case AssociationKind::belongs_to: {
                const std::string column = association.foreign_key.value_or(association.name + "_id");
                // A polymorphic one is mapped from its parents' `as:` declarations; without any, the
                // convention's type-value inference reads its types from the data.
                if (association.polymorphic) return;
                const Model* target = target_of(model, association);
                if (!target) return;
                auto reference = make_reference(association, &model, model.table_name, model.table, column, *target,
                                                association.primary_key.value_or(target->primary_key));
                if (reference) candidates.push_back({*reference, false, macro});
                return;
            }
            case AssociationKind::has_many:
            case AssociationKind::has_one: {
                const Model* target = target_of(model, association);
                if (!target) return;
                const std::string parent_column = association.primary_key.value_or(model.primary_key);
                if (association.as) {
                    const std::string column = association.foreign_key.value_or(*association.as + "_id");
                    const std::string type_column = association.foreign_type.value_or(*association.as + "_type");
                    auto reference = make_reference(association, target, target->table_name, target->table, column,
                                                    model, parent_column);
                    if (!reference) return;
                    if (!target->table->find_column(type_column)) {
                        warn(association,
                             "table \"" + target->table->name.display() + "\" has no column \"" + type_column + "\"");
                        return;
                    }
                    reference->name = "model:" + type_column + "=" + model.base_class;
                    reference->condition = PolymorphicCondition{type_column, model.base_class};
                    candidates.push_back({*reference, true, macro});
                    return;
                }
                const std::string column = association.foreign_key.value_or(own_key);
                auto reference = make_reference(association, target, target->table_name, target->table, column, model,
                                                parent_column);
                if (reference) candidates.push_back({*reference, true, macro});
                return;
            }
            case AssociationKind::has_and_belongs_to_many: {
                const Model* target = target_of(model, association);
                if (!target) return;
                const std::string join_name =
                    association.join_table.value_or(default_join_table(model.table_name, target->table_name));
                const Table* join = find_table_named(m_catalog, join_name);
                const std::string target_key = association.association_foreign_key.value_or(
                    underscore(demodulize(target->declaration->class_name)) + "_id");
                auto own = make_reference(association, nullptr, join_name, join,
                                          association.foreign_key.value_or(own_key), model, model.primary_key);
                if (!own) return;
                auto other =
                    make_reference(association, nullptr, join_name, join, target_key, *target, target->primary_key);
                if (!other) return;
                candidates.push_back({*own, false, macro});
                candidates.push_back({*other, false, macro});
                return;
            }
        }
    }

    static std::string describe(const ForeignKey& reference) {
        return reference.child.display() + "(" + reference.child_columns.front() + ") -> " +
               reference.parent.display() + "(" + reference.parent_columns.front() + ")";
    }

    /// One reference per column (and type value): a `belongs_to` and the `has_many` that restates
    /// it from the parent agree, or a warning says which one is followed.
    std::vector<ForeignKey> reconcile(std::vector<Candidate> candidates) {
        std::stable_sort(candidates.begin(), candidates.end(), [](const Candidate& left, const Candidate& right) {
            return left.parent_side < right.parent_side;
        });
        std::set<std::pair<QualifiedName, std::string>> constrained;
        for (const auto& key : m_catalog.foreign_keys) {
            if (key.origin == ReferenceOrigin::constraint && !key.child_columns.empty())
                constrained.insert({key.child, key.child_columns.front()});
        }
        std::map<std::tuple<QualifiedName, std::string, std::string>, std::size_t> seen;
        std::vector<Candidate> kept;
        for (auto& candidate : candidates) {
            const ForeignKey& reference = candidate.reference;
            if (constrained.count({reference.child, reference.child_columns.front()})) continue;
            const std::string type_value = reference.condition ? reference.condition->type_value : "";
            auto key = std::make_tuple(reference.child, reference.child_columns.front(), type_value);
            auto found = seen.find(key);
            if (found == seen.end()) {
                seen.emplace(key, kept.size());
                kept.push_back(std::move(candidate));
                continue;
            }
            const ForeignKey& first = kept[found->second].reference;
            if (first.parent != reference.parent || first.parent_columns != reference.parent_columns) {
                m_warnings.push_back(reference.reason + ": " + candidate.macro + " says " + describe(reference) +
                                     ", but " + first.reason + ": " + kept[found->second].macro + " says " +
                                     describe(first) + "; following " + first.reason);
            }
        }
        std::vector<ForeignKey> references;
        for (auto& candidate : kept) references.push_back(std::move(candidate.reference));
        std::stable_sort(references.begin(), references.end(), [](const ForeignKey& left, const ForeignKey& right) {
            return left.child != right.child ? left.child < right.child : left.name < right.name;
        });
        return references;
    }

    const Catalog& m_catalog;
    const ModelSource& m_source;
    std::vector<std::string>& m_warnings;
    std::map<std::string, ModelDeclaration> m_declarations;
    std::map<std::string, Model> m_models;
    std::deque<ModelDeclaration> m_outside;  ///< deque: models point into it
    std::deque<Model> m_outside_models;
};

}  // namespace

std::string camelize(const std::string& underscored) {
    std::string out;
    bool upper = true;
    for (std::size_t index = 0; index < underscored.size(); ++index) {
        const char c = underscored[index];
        if (c == '_') {
            upper = true;
        } else if (c == '/') {
            out += "::";
            upper = true;
        } else {
            out += upper ? static_cast<char>(std::toupper(static_cast<unsigned char>(c))) : c;
            upper = false;
        }
    }
    return out;
}

std::string default_join_table(const std::string& first, const std::string& second) {
    const std::string& low = std::min(first, second);
    const std::string& high = std::max(first, second);
    // Rails' gsub(/^(.*_)(.+)\0\1(.+)/, '\1\2_\3'): the longest shared prefix ending in `_`.
    for (std::size_t end = low.size(); end-- > 0;) {
        if (low[end] != '_' || end + 1 >= low.size()) continue;
        const std::string prefix = low.substr(0, end + 1);
        if (high.size() > prefix.size() && high.compare(0, prefix.size(), prefix) == 0)
            return prefix + low.substr(prefix.size()) + "_" + high.substr(prefix.size());
    }
    return low + "_" + high;
}

std::vector<ForeignKey> resolve_model_references(const Catalog& catalog, const ModelSource& source,
                                                 std::vector<std::string>& warnings) {
    return Resolver(catalog, source, warnings).references();
}

std::vector<ForeignKey> read_rails_model_references(const std::string& app_dir, const Catalog& catalog,
                                                    std::vector<std::string>& warnings) {
    const ModelSource source = read_model_directory(app_dir);
    return resolve_model_references(catalog, source, warnings);
}

std::vector<ForeignKey> merge_model_references(std::vector<ForeignKey> from_models,
                                               const std::vector<ForeignKey>& by_convention) {
    auto covered = [&](const ForeignKey& guess) {
        return std::any_of(from_models.begin(), from_models.end(), [&](const ForeignKey& model) {
            if (model.child != guess.child || model.child_columns.front() != guess.child_columns.front()) return false;
            if (!model.condition || !guess.condition) return true;
            return model.condition->type_value == guess.condition->type_value;
        });
    };
    std::vector<ForeignKey> merged = from_models;
    for (const auto& guess : by_convention) {
        if (!covered(guess)) merged.push_back(guess);
    }
    std::stable_sort(merged.begin(), merged.end(), [](const ForeignKey& left, const ForeignKey& right) {
        return left.child != right.child ? left.child < right.child : left.name < right.name;
    });
    return merged;
}

}  // namespace understudy::subsetter

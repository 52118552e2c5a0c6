// A tolerant reader of Rails model files: the associations and table settings they declare, no Ruby runtime.
#pragma once

#include <optional>
#include <string>
#include <vector>

namespace understudy::subsetter {

/// The four association macros of ActiveRecord.
enum class AssociationKind { belongs_to, has_many, has_one, has_and_belongs_to_many };

/// One association call as written: `belongs_to :author, class_name: "User"` (options the
/// subsetter does not need, like `optional:` or `dependent:`, are not kept).
struct AssociationDeclaration {
    AssociationKind kind = AssociationKind::belongs_to;
    std::string name;                       ///< `author`
    std::optional<std::string> class_name;  ///< as written: `User`, `Billing::Invoice`, `::User`
    std::optional<std::string> foreign_key;
    std::optional<std::string> primary_key;
    std::optional<std::string> foreign_type;             ///< polymorphic belongs_to's type column
    std::optional<std::string> as;                       ///< `has_many :comments, as: :commentable`
    std::optional<std::string> join_table;               ///< habtm
    std::optional<std::string> association_foreign_key;  ///< habtm
    bool polymorphic = false;
    bool through = false;  ///< `through:`: follows other associations, adds no column
    std::string file;      ///< path as given to the parser
    int line = 0;          ///< the line the call starts on

    /// `file:line`, how messages and `plan` name the declaration.
    std::string where() const { return file + ":" + std::to_string(line); }
};

/// A class declared in a model file, with its namespace: `Billing::Invoice`.
struct ModelDeclaration {
    std::string class_name;                  ///< fully qualified, no leading `::`
    std::string superclass;                  ///< as written, empty when none
    std::optional<std::string> table_name;   ///< `self.table_name = "..."`
    std::optional<std::string> primary_key;  ///< `self.primary_key = "..."`
    bool abstract_class = false;             ///< `self.abstract_class = true`
    std::vector<std::string> includes;       ///< modules named by `include`, as written
    std::vector<AssociationDeclaration> associations;
    std::string file;
    int line = 0;
};

/// A module: a concern's `included do ... end` associations, or a namespace's `table_name_prefix`.
struct ModuleDeclaration {
    std::string module_name;                           ///< fully qualified
    std::vector<AssociationDeclaration> associations;  ///< from `included do ... end`
    std::optional<std::string> table_name_prefix;      ///< `def self.table_name_prefix; "billing_"; end`
    std::string file;
    int line = 0;
};

/// Everything read from one or more files.
struct ModelSource {
    std::vector<ModelDeclaration> models;
    std::vector<ModuleDeclaration> modules;
};

/// Reads the declarations of one file's text. Never throws on odd Ruby: what it cannot read it
/// skips (code inside methods, conditionals and blocks other than `included do` is not read).
ModelSource parse_model_source(const std::string& text, const std::string& file);

/// Reads every `app/models/**/*.rb` under `app_dir` in path order; `file` fields are relative to
/// `app_dir` (`app/models/issue.rb`). Throws Error(usage) when `app_dir/app/models` is no directory.
ModelSource read_model_directory(const std::string& app_dir);

}  // namespace understudy::subsetter

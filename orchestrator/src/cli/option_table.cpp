// The table of `understudy`'s commands and options: the only place an option is declared.
#include "understudy/orchestrator/cli/option_table.hpp"

#include <cctype>
#include <initializer_list>
#include <stdexcept>

#include "understudy/exit_code.hpp"

namespace understudy::orchestrator {
namespace {

/// "exit 14": how help text names an exit code, its number taken from the one declaration.
std::string exit_note(ExitCode code) {
    return "exit " + std::to_string(static_cast<int>(code));
}

/// The commands that read the source and size a subset: they take every sizing option.
const std::initializer_list<const char*> k_source_commands = {"subset", "plan", "graph", "check",
                                                              "init",   "dump", "sync"};

/// Uses by `commands`, each with the option's own help.
std::vector<OptionUse> used_by(std::initializer_list<const char*> commands) {
    std::vector<OptionUse> uses;
    for (const char* command : commands) uses.push_back({command, "", false});
    return uses;
}

OptionSpec option(std::string name, OptionKind kind, std::string help, std::vector<OptionUse> uses) {
    OptionSpec spec;
    spec.name = std::move(name);
    spec.kind = kind;
    spec.help = std::move(help);
    spec.uses = std::move(uses);
    return spec;
}

std::vector<OptionSpec> build_option_table() {
    std::vector<OptionSpec> table;
    auto add = [&](OptionSpec spec) -> OptionSpec& { return table.emplace_back(std::move(spec)); };
    using K = OptionKind;

    add(option("--source", K::text, "source database URL or keyword string (a read-only follower)",
               used_by(k_source_commands)))
        .secret = true;
    {
        auto uses = used_by(k_source_commands);
        uses.push_back({"anonymize", "configuration file with the anonymize: rules", true});
        uses.push_back({"restore", "configuration file (its protect: entries are honoured)", false});
        uses.push_back({"rollback", "configuration file with the sync: section", false});
        add(option("--config", K::file, "configuration file (understudy.yml)", uses));
    }
    add(option("--logarithmic", K::text, "size each table 10^(log10(rows)*F), as rdbms-subsetter",
               used_by(k_source_commands)))
        .default_value = "0.5";
    add(option("--fraction", K::text, "size each table rows*F", used_by(k_source_commands))).excludes = "--logarithmic";
    add(option("--force", K::list, "rows that must be included: TABLE:KEY or TABLE:(K1,K2)",
               used_by(k_source_commands)));
    add(option("--children", K::text, "child rows per seed row and child table", used_by(k_source_commands)))
        .default_value = "3";
    add(option("--seed", K::text, "seed of the deterministic sample", used_by(k_source_commands))).default_value = "0";
    {
        auto& sampling = add(option("--sampling", K::text,
                                    "how seed rows are chosen: probe (index probes, cost follows the subset) or "
                                    "exact (smallest hash of every key: reads whole tables)",
                                    used_by(k_source_commands)));
        sampling.choices = {"probe", "exact"};
        sampling.default_value = "probe";
    }
    add(option("--full-table", K::list, "tables copied whole", used_by(k_source_commands)));
    add(option("--exclude-table", K::list, "tables left empty", used_by(k_source_commands)));
    add(option("--schema", K::list, "schemas to copy", used_by(k_source_commands))).default_value =
        "all non-system schemas";
    add(option("--infer-foreign-keys", K::text, "infer missing references from naming conventions",
               used_by(k_source_commands)))
        .choices = {"rails", "none"};
    add(option("--rails-app", K::text, "read references from this Rails app's app/models", used_by(k_source_commands)))
        .default_value = ". when it has app/models";
    add(option("--strict-references", K::flag,
               "refuse the run (" + exit_note(ExitCode::plan_refused) +
                   ") when a *_id column looks like a reference that nothing declares",
               used_by(k_source_commands)));
    {
        auto& format = add(option("--format", K::text, "output format", used_by({"graph"})));
        format.choices = {"dot"};
        format.default_value = "dot";
        format.from_environment = false;
    }
    // `init --out` and `dump --out` are two options that share a name: one may be left out (standard
    // output), the other is required and may be gzip; only the dump's is read from UNDERSTUDY_OUT.
    {
        auto& init_out = add(option("--out", K::text, "file to write", used_by({"init"})));
        init_out.default_value = "standard output";
        init_out.from_environment = false;
    }
    add(option("--out", K::text, "file to write; gzip when it ends in .gz", {{"dump", "", true}}));
    add(option("FILE", K::file, "the dump file (.sql or .sql.gz)", {{"restore", "", true}})).from_environment = false;
    {
        auto& target = add(option("--target", K::text, "target database URL",
                                  {{"subset", "", false},
                                   {"restore", "", false},
                                   {"sync", "the live database", false},
                                   {"rollback", "the live database", false}}));
        target.default_value = std::string("the config's target, ") + k_target_fallback_variable;
        target.secret = true;
    }
    add(option("--jobs", K::text, "table copies and index builds running at once", used_by({"subset", "sync"}))).default_value = "2";
    add(option("--split-tables-larger-than", K::text,
               "copy tables larger than SIZE (e.g. 200MB, 1GB) as page ranges by all --jobs workers at once "
               "(PostgreSQL 14+)",
               used_by({"subset", "sync"})))
        .default_value = "1GB";
    add(option("--max-snapshot-age", K::text,
               "stop the run between steps once its source snapshot is older than DURATION (e.g. 90s, 30 min, "
               "2h; " + exit_note(ExitCode::snapshot_too_old) + ", nothing promoted); default: no limit",
               used_by({"subset", "sync"})));
    add(option("--report", K::text, "write the run's JSON report to this file", used_by({"subset", "dump", "sync"})));
    add(option("--dry-run", K::flag, "select rows and report, write nothing", used_by({"subset"})));
    add(option("--replace", K::flag, "drop the target's contents first instead of refusing",
               used_by({"subset", "restore"})));
    add(option("--wait", K::flag, "wait for a running sync instead of exiting (" + exit_note(ExitCode::locked) + ")",
               used_by({"sync"})));
    add(option("--allow-primary-source", K::flag, "allow a source that is not a follower", used_by({"sync"})));
    return table;
}

}  // namespace

const char* const k_program_description =
    "understudy: production-shaped, referentially intact, PII-free copies of PostgreSQL databases";

const char* const k_target_fallback_variable = "DATABASE_URL";

const std::vector<CommandSpec>& command_table() {
    static const std::vector<CommandSpec> table = {
        {"subset", "copy a referentially intact subset from the source into the target"},
        {"plan", "print what subset would copy, and why (reads the source only)"},
        {"graph", "print the foreign-key graph (reads the source only)"},
        {"check", "verify that every copied column has an anonymization rule (" +
                      exit_note(ExitCode::unclassified_columns) + " on drift; for CI after migrations)"},
        {"init", "write a starter understudy.yml with suggested anonymization rules"},
        {"anonymize", "rewrite the COPY blocks of a plain pg_dump read from standard input, to standard output"},
        {"dump",
         "write a referentially intact (anonymized) subset of the source as a plain SQL file that psql "
         "restores"},
        {"restore", "load a file written by dump into an empty database (needs psql)"},
        {"sync", "build a fresh (anonymized) copy, verify it, then promote it (config sync: section)"},
        {"rollback", "put the previous copy back in place of the live database"},
    };
    return table;
}

const std::vector<OptionSpec>& option_table() {
    static const std::vector<OptionSpec> table = build_option_table();
    return table;
}

std::string env_name(const std::string& option_name) {
    std::string name = "UNDERSTUDY_";
    for (char c : option_name.substr(option_name.find_first_not_of('-')))
        name += c == '-' ? '_' : static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
    return name;
}

const OptionUse* find_use(const OptionSpec& option, const std::string& command) {
    for (const OptionUse& use : option.uses) {
        if (use.command == command) return &use;
    }
    return nullptr;
}

const OptionSpec* find_option(const std::string& command, const std::string& option_name) {
    for (const OptionSpec& option : option_table()) {
        if (option.name == option_name && find_use(option, command) != nullptr) return &option;
    }
    return nullptr;
}

std::string help_text(const OptionSpec& option, const OptionUse& use) {
    std::string text = use.help.empty() ? option.help : use.help;
    if (!option.default_value.empty()) text += " (default: " + option.default_value + ")";
    // CLI11 prints "(Env:NAME)" only for the variables it reads itself; a list's words are split here.
    if (option.kind == OptionKind::list && option.from_environment)
        text += " (env " + env_name(option.name) + ", space-separated)";
    return text;
}

const std::string& default_value(const std::string& option_name) {
    for (const OptionSpec& option : option_table()) {
        if (option.name == option_name && !option.default_value.empty()) return option.default_value;
    }
    throw std::logic_error("the option table gives " + option_name + " no default");
}

}  // namespace understudy::orchestrator

// The `understudy` command line: options from flags, UNDERSTUDY_* variables and the config file.
#include "understudy/orchestrator/cli/cli.hpp"

#include <CLI/CLI.hpp>

#include <algorithm>
#include <cerrno>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <iostream>
#include <limits>
#include <optional>
#include <sstream>
#include <stdexcept>

#include "understudy/error.hpp"
#include "understudy/orchestrator/cli/config_file.hpp"
#include "understudy/orchestrator/pipelines/dump_pipeline.hpp"
#include "understudy/orchestrator/pipelines/restore_pipeline.hpp"
#include "understudy/orchestrator/transfer/progress.hpp"
#include "understudy/anonymizer/dump_filter.hpp"
#include "understudy/anonymizer/rules.hpp"
#include "understudy/anonymizer/secret.hpp"
#include "understudy/orchestrator/cli/report_file.hpp"
#include "understudy/orchestrator/pipelines/inspect_pipeline.hpp"
#include "understudy/orchestrator/pipelines/subset_pipeline.hpp"
#include "understudy/orchestrator/pipelines/sync_pipeline.hpp"
#include "understudy/pg/conninfo.hpp"

namespace understudy::orchestrator {
namespace {

/// Raw option values as given on the command line or in the environment. Numbers arrive as text
/// and are converted by whole_number()/share(): CLI11's own checks print their range with all 309
/// digits of DBL_MAX ("--jobs: Value 0 not in range 0.000000 to 1797…").
struct CliOptions {
    std::string logarithmic_text;
    std::string fraction_text;
    std::string children_text;
    std::string seed_text;
    std::string jobs_text;
    std::string source;
    std::string target;
    std::string config_path;
    double logarithmic = 0;
    double fraction = 0;
    std::vector<std::string> force;
    int children = -1;
    std::uint64_t seed = 0;
    bool seed_given = false;
    std::vector<std::string> full_tables;
    std::vector<std::string> excluded_tables;
    std::vector<std::string> schemas;
    std::string infer_foreign_keys;
    std::string rails_app;
    bool strict_references = false;
    std::string sampling;
    int jobs = 0;
    std::string report_path;
    bool dry_run = false;
    bool replace = false;
    std::string graph_format = "dot";
    std::string output_path;
    bool wait_for_lock = false;
    bool allow_primary_source = false;
};

/// A whole number option within [minimum, maximum], or Error(usage) in one line naming the option.
std::uint64_t whole_number(const std::string& flag, const std::string& text, std::uint64_t minimum,
                           std::uint64_t maximum) {
    const bool negative = !text.empty() && text.front() == '-';
    const std::string digits = negative ? text.substr(1) : text;
    if (digits.empty() || !std::all_of(digits.begin(), digits.end(), [](char c) { return c >= '0' && c <= '9'; }))
        throw Error(ExitCode::usage, flag + " must be a whole number, not \"" + text + "\"");
    const bool zero = digits.find_first_not_of('0') == std::string::npos;
    if (negative && !zero) throw Error(ExitCode::usage, flag + " must be at least " + std::to_string(minimum));
    errno = 0;
    const unsigned long long value = std::strtoull(digits.c_str(), nullptr, 10);
    if (errno == ERANGE || value > maximum)
        throw Error(ExitCode::usage, flag + " must be at most " + std::to_string(maximum));
    if (value < minimum) throw Error(ExitCode::usage, flag + " must be at least " + std::to_string(minimum));
    return value;
}

/// A sizing factor: a number greater than 0 and at most 1.
double share(const std::string& flag, const std::string& text) {
    double value = 0;
    std::size_t used = 0;
    try {
        value = std::stod(text, &used);
    } catch (const std::logic_error&) {
        used = 0;
    }
    if (used == 0 || used != text.size() || !std::isfinite(value))
        throw Error(ExitCode::usage, flag + " must be a number, not \"" + text + "\"");
    if (value <= 0 || value > 1) throw Error(ExitCode::usage, flag + " must be greater than 0 and at most 1");
    return value;
}

/// True when `command` has the option and it was given (flag or environment).
bool given(const CLI::App& command, const std::string& flag) {
    const CLI::Option* option = command.get_option_no_throw(flag);
    return option != nullptr && option->count() > 0;
}

/// Converts the numeric options that were given; run before anything else is done.
void convert_numbers(const CLI::App& command, CliOptions& options) {
    if (given(command, "--logarithmic")) options.logarithmic = share("--logarithmic", options.logarithmic_text);
    if (given(command, "--fraction")) options.fraction = share("--fraction", options.fraction_text);
    if (given(command, "--children"))
        options.children = static_cast<int>(whole_number("--children", options.children_text, 0, 1000000));
    if (given(command, "--seed"))
        options.seed = whole_number("--seed", options.seed_text, 0, std::numeric_limits<std::uint64_t>::max());
    if (given(command, "--jobs")) options.jobs = static_cast<int>(whole_number("--jobs", options.jobs_text, 1, 1024));
}

/// "exit 14": how help text names an exit code, its number taken from the one declaration.
std::string exit_note(ExitCode code) { return "exit " + std::to_string(static_cast<int>(code)); }

/// List options read their UNDERSTUDY_* variable as whitespace-separated words.
void add_list_option(CLI::App& command, const std::string& flag, std::vector<std::string>& values,
                     const std::string& help) {
    command.add_option(flag, values, help + " (env UNDERSTUDY_" + [&] {
        std::string name = flag.substr(2);
        for (auto& c : name) c = c == '-' ? '_' : static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
        return name;
    }() + ", space-separated)");
}

std::string env_name(const std::string& flag) {
    std::string name = "UNDERSTUDY_" + flag.substr(2);
    for (auto& c : name) c = c == '-' ? '_' : static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
    return name;
}

void fill_list_from_env(std::vector<std::string>& values, const std::string& flag) {
    if (!values.empty()) return;
    const char* text = std::getenv(env_name(flag).c_str());
    if (!text) return;
    std::istringstream words(text);
    for (std::string word; words >> word;) values.push_back(word);
}

void add_source_options(CLI::App& command, CliOptions& options) {
    command.add_option("--source", options.source, "source database URL or keyword string (a read-only follower)")
        ->envname("UNDERSTUDY_SOURCE");
    command.add_option("--config", options.config_path, "configuration file (understudy.yml)")
        ->envname("UNDERSTUDY_CONFIG")
        ->check(CLI::ExistingFile);
    auto* logarithmic = command.add_option("--logarithmic", options.logarithmic_text,
                                           "size each table 10^(log10(rows)*F), as rdbms-subsetter (default 0.5)")
                            ->envname("UNDERSTUDY_LOGARITHMIC");
    command.add_option("--fraction", options.fraction_text, "size each table rows*F")
        ->envname("UNDERSTUDY_FRACTION")
        ->excludes(logarithmic);
    add_list_option(command, "--force", options.force, "rows that must be included: TABLE:KEY or TABLE:(K1,K2)");
    command.add_option("--children", options.children_text, "child rows per seed row and child table (default 3)")
        ->envname("UNDERSTUDY_CHILDREN");
    command.add_option("--seed", options.seed_text, "seed of the deterministic sample (default 0)")
        ->envname("UNDERSTUDY_SEED");
    command.add_option("--sampling", options.sampling,
                       "how seed rows are chosen: probe (index probes, cost follows the subset; default) or exact "
                       "(smallest hash of every key: reads whole tables)")
        ->envname("UNDERSTUDY_SAMPLING")
        ->check(CLI::IsMember({"probe", "exact"}));
    add_list_option(command, "--full-table", options.full_tables, "tables copied whole");
    add_list_option(command, "--exclude-table", options.excluded_tables, "tables left empty");
    add_list_option(command, "--schema", options.schemas, "schemas to copy (default: all non-system schemas)");
    command.add_option("--infer-foreign-keys", options.infer_foreign_keys,
                       "infer missing references from naming conventions")
        ->envname("UNDERSTUDY_INFER_FOREIGN_KEYS")
        ->check(CLI::IsMember({"rails", "none"}));
    command.add_option("--rails-app", options.rails_app,
                       "read references from this Rails app's app/models (default: . when it has app/models)")
        ->envname("UNDERSTUDY_RAILS_APP");
    command.add_flag("--strict-references", options.strict_references,
                     "refuse the run (" + exit_note(ExitCode::plan_refused) +
                         ") when a *_id column looks like a reference that nothing declares")
        ->envname("UNDERSTUDY_STRICT_REFERENCES");
}

/// --target, --jobs and --report: what every command that loads a database takes.
void add_load_options(CLI::App& command, CliOptions& options, const std::string& target_help) {
    command.add_option("--target", options.target, target_help)->envname("UNDERSTUDY_TARGET");
    command.add_option("--jobs", options.jobs_text, "tables copied in parallel (default 2)")
        ->envname("UNDERSTUDY_JOBS");
    command.add_option("--report", options.report_path, "write the run's JSON report to this file")
        ->envname("UNDERSTUDY_REPORT");
}

/// Merges command line, environment and config file into the run's settings (command line wins).
subsetter::SubsetSettings build_settings(CLI::App& command, CliOptions& options, const ConfigFile& config) {
    for (const char* flag : {"--force", "--full-table", "--exclude-table", "--schema"}) {
        std::vector<std::string>* values = std::string(flag) == "--force"        ? &options.force
                                           : std::string(flag) == "--full-table" ? &options.full_tables
                                           : std::string(flag) == "--exclude-table" ? &options.excluded_tables
                                                                                   : &options.schemas;
        fill_list_from_env(*values, flag);
    }
    subsetter::SubsetSettings settings;
    if (config.sizing) settings.sizing = *config.sizing;
    if (command.count("--logarithmic")) settings.sizing = {subsetter::SizingMode::logarithmic, options.logarithmic};
    if (command.count("--fraction")) settings.sizing = {subsetter::SizingMode::fraction, options.fraction};
    if (settings.sizing.factor <= 0) throw Error(ExitCode::usage, "the sizing factor must be greater than 0");
    settings.seed = command.count("--seed") ? options.seed : config.seed.value_or(0);
    settings.children = command.count("--children") ? options.children : config.children.value_or(3);
    settings.sampling = command.count("--sampling")
                            ? (options.sampling == "exact" ? subsetter::SamplingMode::exact : subsetter::SamplingMode::probe)
                            : config.sampling.value_or(subsetter::SamplingMode::probe);
    settings.forced = config.forced;
    for (const auto& spec : options.force) settings.forced.push_back(subsetter::ForcedRow::parse(spec));
    settings.overrides = config.overrides;
    for (const auto& name : options.full_tables) {
        auto& entry = settings.overrides[subsetter::QualifiedName::parse(name)];
        entry = {subsetter::TablePolicy::all, {}, {}, {}, "--full-table"};
    }
    for (const auto& name : options.excluded_tables) {
        auto& entry = settings.overrides[subsetter::QualifiedName::parse(name)];
        entry = {subsetter::TablePolicy::none, {}, {}, {}, "--exclude-table"};
    }
    settings.declared_references = config.declared_references;
    settings.polymorphic = config.polymorphic;
    settings.inference = config.inference.value_or(subsetter::ReferenceInference::none);
    if (!options.infer_foreign_keys.empty())
        settings.inference = options.infer_foreign_keys == "rails" ? subsetter::ReferenceInference::rails
                                                                   : subsetter::ReferenceInference::none;
    settings.catalog_filter.schemas = options.schemas.empty() ? config.schemas : options.schemas;
    settings.rails_app = !options.rails_app.empty() ? options.rails_app : config.rails_app.value_or("");
    if (!settings.rails_app.empty()) {
        std::error_code error;
        if (!std::filesystem::is_directory(std::filesystem::path(settings.rails_app) / "app" / "models", error))
            throw Error(ExitCode::usage, "--rails-app \"" + settings.rails_app + "\" has no app/models directory",
                        "give the directory of the Rails app (the one holding app/models)");
        // Naming the app asks for its models: they are read with the rails inference.
        if (options.infer_foreign_keys.empty() && !config.inference)
            settings.inference = subsetter::ReferenceInference::rails;
    } else {
        // A review app's postdeploy runs in the app's own directory (/app on Heroku).
        std::error_code error;
        if (std::filesystem::is_directory("app/models", error)) settings.rails_app = ".";
    }
    settings.not_references = config.not_references;
    settings.strict_references = options.strict_references || config.strict_references;
    return settings;
}

pg::ConnInfo resolve_source(const CliOptions& options, const ConfigFile& config) {
    std::string text = !options.source.empty() ? options.source : config.source.value_or("");
    if (text.empty())
        throw Error(ExitCode::usage, "no source database: give --source or set UNDERSTUDY_SOURCE",
                    "point it at a read-only follower of production, never at the primary");
    return pg::ConnInfo::parse(text, "--source");
}

pg::ConnInfo resolve_target(const CliOptions& options, const ConfigFile& config) {
    std::string text = !options.target.empty() ? options.target : config.target.value_or("");
    if (text.empty()) {
        if (const char* database_url = std::getenv("DATABASE_URL")) text = database_url;
    }
    if (text.empty()) throw Error(ExitCode::usage, "no target database: give --target or set DATABASE_URL");
    return pg::ConnInfo::parse(text, "--target");
}

/// `understudy anonymize`: standard input to standard output, rows rewritten, the rest verbatim.
/// Fail-closed in a pipe too: whatever fails, standard output ends with a statement that stops
/// `psql -v ON_ERROR_STOP=1` (the filter writes it for its own failures, this for the ones before).
anonymizer::DumpFilterStats anonymize_dump(const std::string& config_path) {
    std::ios::sync_with_stdio(false);
    std::ostream& output = std::cout;
    anonymizer::RuleSet rules;
    std::optional<anonymizer::Secret> secret;
    try {
        load_config_file(config_path);  // the whole file is validated, as every command does
        rules = anonymizer::RuleSet::load_file(config_path);
        if (!rules.configured()) throw Error(ExitCode::config, "the configuration has no anonymize: section");
        secret = anonymizer::Secret::from_environment();
    } catch (const std::exception& error) {
        output << anonymizer::failure_trailer(error.what(), false);
        output.flush();
        throw;
    }
    auto stats = anonymizer::filter_dump(std::cin, output, rules, *secret);
    output.flush();
    if (!output) throw Error(ExitCode::io, "could not write to standard output");
    // Under default: keep, a misspelt table name in the rules would copy the real table unchanged.
    for (const auto& table : stats.unmatched_tables)
        std::fprintf(stderr, "warning: rules for \"%s\" matched no COPY block of the dump\n", table.c_str());
    return stats;
}

void print_error(const Error& error) {
    std::fprintf(stderr, "error: %s\n", pg::redact_secrets(error.what()).c_str());
    if (!error.hint().empty()) std::fprintf(stderr, "HINT: %s\n", pg::redact_secrets(error.hint()).c_str());
}

/// Where the run's JSON report goes, known once the options are parsed: run_cli() writes it on
/// failure too, so that a scheduler reading the report learns why.
struct ReportTarget {
    std::string command;
    std::string path;
};

/// Adds the outcome to a successful run's report and writes it.
void write_success_report(const std::string& path, nlohmann::json report) {
    report["ok"] = true;
    report["exit_code"] = 0;
    write_report_file(path, report);
}

/// `{"command", "ok": false, "exit_code", "error", "hint"}`: what a failed run reports, secrets redacted.
void write_failure_report(const ReportTarget& target, const Error& error) {
    nlohmann::json report;
    report["command"] = target.command;
    report["ok"] = false;
    report["exit_code"] = static_cast<int>(error.code());
    report["error"] = pg::redact_secrets(error.what());
    report["hint"] = pg::redact_secrets(error.hint());
    try {
        write_report_file(target.path, report);
    } catch (const Error& report_error) {
        // The run's own error matters more: say this one, keep that exit code.
        std::fprintf(stderr, "warning: %s\n", pg::redact_secrets(report_error.what()).c_str());
    }
}

int run(int argc, char** argv, ReportTarget& report_target) {
    CLI::App app{"understudy: production-shaped, referentially intact, PII-free copies of PostgreSQL databases"};
    app.set_version_flag("--version", "understudy 0.1.0");
    app.require_subcommand(1);
    CliOptions options;

    auto* subset = app.add_subcommand("subset", "copy a referentially intact subset from the source into the target");
    add_source_options(*subset, options);
    add_load_options(*subset, options, "target database URL (default: DATABASE_URL)");
    subset->add_flag("--dry-run", options.dry_run, "select rows and report, write nothing")
        ->envname("UNDERSTUDY_DRY_RUN");
    subset->add_flag("--replace", options.replace, "drop the target's contents first instead of refusing")
        ->envname("UNDERSTUDY_REPLACE");

    auto* plan = app.add_subcommand("plan", "print what subset would copy, and why (reads the source only)");
    add_source_options(*plan, options);

    auto* graph = app.add_subcommand("graph", "print the foreign-key graph (reads the source only)");
    add_source_options(*graph, options);
    graph->add_option("--format", options.graph_format, "output format")->check(CLI::IsMember({"dot"}));

    auto* check = app.add_subcommand("check", "verify that every copied column has an anonymization rule "
                                               "(" + exit_note(ExitCode::unclassified_columns) +
                                                   " on drift; for CI after migrations)");
    add_source_options(*check, options);

    auto* init = app.add_subcommand("init", "write a starter understudy.yml with suggested anonymization rules");
    add_source_options(*init, options);
    init->add_option("--out", options.output_path, "file to write (default: standard output)");

    auto* anonymize = app.add_subcommand("anonymize", "rewrite the COPY blocks of a plain pg_dump read from "
                                                      "standard input, to standard output");
    anonymize->add_option("--config", options.config_path, "configuration file with the anonymize: rules")
        ->envname("UNDERSTUDY_CONFIG")
        ->check(CLI::ExistingFile)
        ->required();

    // Laptop seeding: `dump` writes the (anonymized) subset as plain SQL, `restore` loads it through psql.
    std::string dump_out_path;
    std::string restore_file;
    auto* dump = app.add_subcommand("dump", "write a referentially intact (anonymized) subset of the source as a "
                                            "plain SQL file that psql restores");
    add_source_options(*dump, options);
    dump->add_option("--out", dump_out_path, "file to write; gzip when it ends in .gz")
        ->envname("UNDERSTUDY_OUT")
        ->required();
    dump->add_option("--report", options.report_path, "write the run's JSON report to this file")
        ->envname("UNDERSTUDY_REPORT");
    auto* restore = app.add_subcommand("restore", "load a file written by dump into an empty database (needs psql)");
    restore->add_option("FILE", restore_file, "the dump file (.sql or .sql.gz)")->required()->check(CLI::ExistingFile);
    restore->add_option("--target", options.target, "target database URL (default: DATABASE_URL)")
        ->envname("UNDERSTUDY_TARGET");
    restore->add_flag("--replace", options.replace, "drop the target's contents first instead of refusing")
        ->envname("UNDERSTUDY_REPLACE");
    restore->add_option("--config", options.config_path, "configuration file (its protect: entries are honoured)")
        ->envname("UNDERSTUDY_CONFIG")
        ->check(CLI::ExistingFile);

    auto* sync = app.add_subcommand("sync", "build a fresh (anonymized) copy, verify it, then promote it "
                                            "(config sync: section)");
    add_source_options(*sync, options);
    add_load_options(*sync, options, "the live database (default: the config's target, DATABASE_URL)");
    sync->add_flag("--wait", options.wait_for_lock,
                   "wait for a running sync instead of exiting (" + exit_note(ExitCode::locked) + ")")
        ->envname("UNDERSTUDY_WAIT");
    sync->add_flag("--allow-primary-source", options.allow_primary_source, "allow a source that is not a follower")
        ->envname("UNDERSTUDY_ALLOW_PRIMARY_SOURCE");
    auto* rollback = app.add_subcommand("rollback", "put the previous copy back in place of the live database");
    rollback->add_option("--config", options.config_path, "configuration file with the sync: section")
        ->envname("UNDERSTUDY_CONFIG")
        ->check(CLI::ExistingFile);
    rollback->add_option("--target", options.target, "the live database (default: the config's target, DATABASE_URL)")
        ->envname("UNDERSTUDY_TARGET");

    try {
        app.parse(argc, argv);
    } catch (const CLI::ParseError& error) {
        if (error.get_exit_code() == 0) return app.exit(error);
        std::fprintf(stderr, "error: %s\nHINT: see understudy %s --help\n", error.what(),
                     app.get_subcommands().empty() ? "" : app.get_subcommands().front()->get_name().c_str());
        return static_cast<int>(ExitCode::usage);
    }

    CLI::App& command = *app.get_subcommands().front();
    convert_numbers(command, options);
    if (!options.report_path.empty()) {
        check_report_path(options.report_path);  // before any connection: refused now, not after the copy
        report_target = {command.get_name(), options.report_path};
    }
    if (command.get_name() == "anonymize") {
        anonymize_dump(options.config_path);
        return 0;
    }
    ConfigFile config = options.config_path.empty() ? ConfigFile{} : load_config_file(options.config_path);
    auto rules = options.config_path.empty() ? anonymizer::RuleSet{} : anonymizer::RuleSet::load_file(options.config_path);
    if (command.get_name() == "restore") {
        Progress progress(Progress::stderr_is_terminal());
        auto report =
            run_restore({restore_file, resolve_target(options, config), options.replace, all_protected(config)}, progress);
        std::printf("restored %s (%s) in %.2f s\n", restore_file.c_str(),
                    format_bytes(report["file_bytes"].get<double>()).c_str(), report["seconds"].get<double>());
        return 0;
    }
    if (command.get_name() == "dump") {
        Progress progress(Progress::stderr_is_terminal());
        auto report = run_dump({resolve_source(options, config), build_settings(command, options, config),
                                std::move(rules), dump_out_path},
                               progress);
        if (!options.report_path.empty()) write_success_report(options.report_path, report);
        const auto& totals = report["totals"];
        std::printf("wrote %s: %llu rows (%s) in %llu tables, %.2f s\n", dump_out_path.c_str(),
                    static_cast<unsigned long long>(totals["rows"].get<std::uint64_t>()),
                    format_bytes(totals["bytes"].get<double>()).c_str(),
                    static_cast<unsigned long long>(totals["tables"].get<std::uint64_t>()), report["seconds"].get<double>());
        return 0;
    }
    if (command.get_name() == "rollback") {
        SyncConfig sync = config.sync.value_or(SyncConfig{});
        sync.protect = all_protected(config);
        std::cout << run_rollback(sync, resolve_target(options, config)) << "\n";
        return 0;
    }
    auto settings = build_settings(command, options, config);
    auto source = resolve_source(options, config);

    if (command.get_name() == "sync") {
        SyncRequest request;
        request.source = source;
        request.target = resolve_target(options, config);
        request.settings = settings;
        request.rules = std::move(rules);
        request.sync = config.sync.value_or(SyncConfig{});
        request.sync.protect = all_protected(config);
        if (options.allow_primary_source) request.sync.allow_primary_source = true;
        request.jobs = options.jobs > 0 ? options.jobs : config.jobs.value_or(2);
        request.wait_for_lock = options.wait_for_lock;
        Progress progress(Progress::stderr_is_terminal());
        auto report = run_sync(std::move(request), progress);
        if (!options.report_path.empty()) write_success_report(options.report_path, report);
        std::cout << summarize_report(report) << report["promoted"].get<std::string>() << "\n";
        for (const auto& dropped : report["dropped"]) std::cout << "dropped \"" << dropped.get<std::string>() << "\"\n";
        return 0;
    }
    if (command.get_name() == "plan") {
        std::cout << describe_plan(source, settings, rules);
        return 0;
    }
    if (command.get_name() == "graph") {
        std::cout << describe_graph(source, settings);
        return 0;
    }
    if (command.get_name() == "check") {
        std::cout << check_rules(source, settings, rules);
        return 0;
    }
    if (command.get_name() == "init") {
        auto text = write_init_config(source, settings);
        if (options.output_path.empty()) {
            std::cout << text;
        } else {
            write_text_file(options.output_path, text);
            std::fprintf(stderr, "wrote %s: review every rule before the first run\n", options.output_path.c_str());
        }
        return 0;
    }

    SubsetRequest request;
    request.source = source;
    request.target = resolve_target(options, config);
    request.settings = settings;
    request.jobs = options.jobs > 0 ? options.jobs : config.jobs.value_or(2);
    request.replace = options.replace;
    request.dry_run = options.dry_run;
    request.protect = all_protected(config);
    request.rules = std::move(rules);
    Progress progress(Progress::stderr_is_terminal());
    auto report = run_subset(request, progress);
    progress.finish();
    if (!options.report_path.empty()) write_success_report(options.report_path, report);
    std::cout << summarize_report(report);
    return 0;
}

}  // namespace

int run_cli(int argc, char** argv) {
    ReportTarget report_target;
    try {
        return run(argc, argv, report_target);
    } catch (const Error& error) {
        print_error(error);
        if (!report_target.path.empty()) write_failure_report(report_target, error);
        return static_cast<int>(error.code());
    } catch (const std::exception& error) {
        const Error internal(ExitCode::internal, std::string("internal error: ") + error.what());
        print_error(internal);
        if (!report_target.path.empty()) write_failure_report(report_target, internal);
        return static_cast<int>(ExitCode::internal);
    }
}

}  // namespace understudy::orchestrator

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
#include <stdexcept>

#include "option_binding.hpp"
#include "understudy/anonymizer/dump_filter.hpp"
#include "understudy/anonymizer/rules.hpp"
#include "understudy/anonymizer/secret.hpp"
#include "understudy/error.hpp"
#include "understudy/orchestrator/cli/config_file.hpp"
#include "understudy/orchestrator/cli/option_table.hpp"
#include "understudy/orchestrator/cli/report_file.hpp"
#include "understudy/orchestrator/pipelines/dump_pipeline.hpp"
#include "understudy/orchestrator/pipelines/inspect_pipeline.hpp"
#include "understudy/orchestrator/pipelines/restore_pipeline.hpp"
#include "understudy/orchestrator/pipelines/subset_pipeline.hpp"
#include "understudy/orchestrator/pipelines/sync_pipeline.hpp"
#include "understudy/orchestrator/transfer/progress.hpp"
#include "understudy/orchestrator/transfer/table_ranges.hpp"
#include "understudy/pg/conninfo.hpp"

namespace understudy::orchestrator {
namespace {

/// The numeric options that were given, converted by whole_number()/share() from the text CLI11
/// collected: CLI11's own checks print their range with all 309 digits of DBL_MAX ("--jobs: Value 0
/// not in range 0.000000 to 1797…").
struct Numbers {
    std::optional<double> logarithmic;
    std::optional<double> fraction;
    std::optional<int> children;
    std::optional<std::uint64_t> seed;
    std::optional<int> jobs;
    std::optional<std::uint64_t> split_tables_larger_than;
    std::optional<double> max_snapshot_age_seconds;
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

int to_children(const std::string& text) {
    return static_cast<int>(whole_number("--children", text, 0, 1000000));
}
std::uint64_t to_seed(const std::string& text) {
    return whole_number("--seed", text, 0, std::numeric_limits<std::uint64_t>::max());
}
int to_jobs(const std::string& text) {
    return static_cast<int>(whole_number("--jobs", text, 1, 1024));
}

std::uint64_t to_byte_size(const std::string& flag, const std::string& text) {
    auto bytes = parse_byte_size(text);
    if (!bytes) throw Error(ExitCode::usage, flag + " must be a size like 1GB or 200MB, not \"" + text + "\"");
    return *bytes;
}

/// Converts the numeric options that were given; run before anything else is done.
Numbers convert_numbers(const CLI::App& command, const OptionValues& values) {
    Numbers numbers;
    if (given(command, "--logarithmic")) numbers.logarithmic = share("--logarithmic", values.text("--logarithmic"));
    if (given(command, "--fraction")) numbers.fraction = share("--fraction", values.text("--fraction"));
    if (given(command, "--children")) numbers.children = to_children(values.text("--children"));
    if (given(command, "--seed")) numbers.seed = to_seed(values.text("--seed"));
    if (given(command, "--jobs")) numbers.jobs = to_jobs(values.text("--jobs"));
    if (given(command, "--split-tables-larger-than"))
        numbers.split_tables_larger_than =
            to_byte_size("--split-tables-larger-than", values.text("--split-tables-larger-than"));
    if (given(command, "--max-snapshot-age")) {
        const std::string text = values.text("--max-snapshot-age");
        numbers.max_snapshot_age_seconds = parse_duration_seconds(text);
        if (!numbers.max_snapshot_age_seconds)
            throw Error(ExitCode::usage, "--max-snapshot-age must be a duration like 90s, 30 min or 2h, not \"" + text + "\"");
    }
    return numbers;
}

/// --jobs, else the config file's jobs:, else the table's default.
int jobs_of(const Numbers& numbers, const ConfigFile& config) {
    return numbers.jobs.value_or(config.jobs.value_or(to_jobs(default_value("--jobs"))));
}

subsetter::SamplingMode to_sampling(const std::string& text) {
    return text == "exact" ? subsetter::SamplingMode::exact : subsetter::SamplingMode::probe;
}

/// Merges command line, environment, config file and the table's defaults into the run's settings
/// (in that order of precedence).
subsetter::SubsetSettings build_settings(const std::string& command, OptionValues& values, const Numbers& numbers,
                                         const ConfigFile& config) {
    fill_lists_from_environment(command, values);
    subsetter::SubsetSettings settings;
    settings.sizing = config.sizing.value_or(
        subsetter::Sizing{subsetter::SizingMode::logarithmic, share("--logarithmic", default_value("--logarithmic"))});
    if (numbers.logarithmic) settings.sizing = {subsetter::SizingMode::logarithmic, *numbers.logarithmic};
    if (numbers.fraction) settings.sizing = {subsetter::SizingMode::fraction, *numbers.fraction};
    if (settings.sizing.factor <= 0) throw Error(ExitCode::usage, "the sizing factor must be greater than 0");
    settings.seed = numbers.seed.value_or(config.seed.value_or(to_seed(default_value("--seed"))));
    settings.children = numbers.children.value_or(config.children.value_or(to_children(default_value("--children"))));
    settings.sampling = !values.text("--sampling").empty()
                            ? to_sampling(values.text("--sampling"))
                            : config.sampling.value_or(to_sampling(default_value("--sampling")));
    settings.forced = config.forced;
    for (const auto& spec : values.list("--force")) settings.forced.push_back(subsetter::ForcedRow::parse(spec));
    settings.overrides = config.overrides;
    for (const auto& name : values.list("--full-table")) {
        auto& entry = settings.overrides[subsetter::QualifiedName::parse(name)];
        entry = {subsetter::TablePolicy::all, {}, {}, {}, "--full-table"};
    }
    for (const auto& name : values.list("--exclude-table")) {
        auto& entry = settings.overrides[subsetter::QualifiedName::parse(name)];
        entry = {subsetter::TablePolicy::none, {}, {}, {}, "--exclude-table"};
    }
    settings.declared_references = config.declared_references;
    settings.polymorphic = config.polymorphic;
    settings.inference = config.inference.value_or(subsetter::ReferenceInference::none);
    const std::string infer_foreign_keys = values.text("--infer-foreign-keys");
    if (!infer_foreign_keys.empty())
        settings.inference =
            infer_foreign_keys == "rails" ? subsetter::ReferenceInference::rails : subsetter::ReferenceInference::none;
    const auto schemas = values.list("--schema");
    settings.catalog_filter.schemas = schemas.empty() ? config.schemas : schemas;
    const std::string rails_app = values.text("--rails-app");
    settings.rails_app = !rails_app.empty() ? rails_app : config.rails_app.value_or("");
    if (!settings.rails_app.empty()) {
        std::error_code error;
        if (!std::filesystem::is_directory(std::filesystem::path(settings.rails_app) / "app" / "models", error))
            throw Error(ExitCode::usage, "--rails-app \"" + settings.rails_app + "\" has no app/models directory",
                        "give the directory of the Rails app (the one holding app/models)");
        // Naming the app asks for its models: they are read with the rails inference.
        if (infer_foreign_keys.empty() && !config.inference) settings.inference = subsetter::ReferenceInference::rails;
    } else {
        // A review app's postdeploy runs in the app's own directory (/app on Heroku).
        std::error_code error;
        if (std::filesystem::is_directory("app/models", error)) settings.rails_app = ".";
    }
    settings.not_references = config.not_references;
    settings.strict_references = values.flag("--strict-references") || config.strict_references;
    return settings;
}

pg::ConnInfo resolve_source(const OptionValues& values, const ConfigFile& config) {
    std::string text = !values.text("--source").empty() ? values.text("--source") : config.source.value_or("");
    if (text.empty())
        throw Error(ExitCode::usage, "no source database: give --source or set UNDERSTUDY_SOURCE",
                    "point it at a read-only follower of production, never at the primary");
    return pg::ConnInfo::parse(text, "--source");
}

pg::ConnInfo resolve_target(const OptionValues& values, const ConfigFile& config) {
    std::string text = !values.text("--target").empty() ? values.text("--target") : config.target.value_or("");
    if (text.empty()) {
        if (const char* fallback = std::getenv(k_target_fallback_variable)) text = fallback;
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

/// What masks secrets in the run's messages: every password of the run's secret options (see option_table).
struct SecretMask {
    int argc;
    char** argv;
    std::string operator()(const std::string& text) const { return mask_secrets(text, argc, argv); }
};

void print_error(const Error& error, const SecretMask& mask) {
    std::fprintf(stderr, "error: %s\n", mask(error.what()).c_str());
    if (!error.hint().empty()) std::fprintf(stderr, "HINT: %s\n", mask(error.hint()).c_str());
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
void write_failure_report(const ReportTarget& target, const Error& error, const SecretMask& mask) {
    nlohmann::json report;
    report["command"] = target.command;
    report["ok"] = false;
    report["exit_code"] = static_cast<int>(error.code());
    report["error"] = mask(error.what());
    report["hint"] = mask(error.hint());
    try {
        write_report_file(target.path, report);
    } catch (const Error& report_error) {
        // The run's own error matters more: say this one, keep that exit code.
        std::fprintf(stderr, "warning: %s\n", mask(report_error.what()).c_str());
    }
}

int run(int argc, char** argv, ReportTarget& report_target) {
    CLI::App app{k_program_description};
    app.set_version_flag("--version", "understudy 0.1.0");
    app.require_subcommand(1);
    OptionValues values;
    add_commands(app, values);

    try {
        app.parse(argc, argv);
    } catch (const CLI::ParseError& error) {
        if (error.get_exit_code() == 0) return app.exit(error);
        // CLI11 quotes what it could not place, which may be a URL with its password.
        std::fprintf(stderr, "error: %s\nHINT: see understudy %s --help\n",
                     mask_secrets(error.what(), argc, argv).c_str(),
                     app.get_subcommands().empty() ? "" : app.get_subcommands().front()->get_name().c_str());
        return static_cast<int>(ExitCode::usage);
    }

    CLI::App& command = *app.get_subcommands().front();
    const Numbers numbers = convert_numbers(command, values);
    const std::string config_path = values.text("--config");
    const std::string report_path = values.text("--report");
    const std::string out_path = values.text("--out");
    if (!report_path.empty()) {
        check_report_path(report_path);  // before any connection: refused now, not after the copy
        report_target = {command.get_name(), report_path};
    }
    if (command.get_name() == "anonymize") {
        anonymize_dump(config_path);
        return 0;
    }
    ConfigFile config = config_path.empty() ? ConfigFile{} : load_config_file(config_path);
    auto rules = config_path.empty() ? anonymizer::RuleSet{} : anonymizer::RuleSet::load_file(config_path);
    if (command.get_name() == "restore") {
        Progress progress(Progress::stderr_is_terminal());
        auto report = run_restore(
            {values.text("FILE"), resolve_target(values, config), values.flag("--replace"), all_protected(config)},
            progress);
        std::printf("restored %s (%s) in %.2f s\n", values.text("FILE").c_str(),
                    format_bytes(report["file_bytes"].get<double>()).c_str(), report["seconds"].get<double>());
        return 0;
    }
    if (command.get_name() == "dump") {
        Progress progress(Progress::stderr_is_terminal());
        auto report = run_dump({resolve_source(values, config), build_settings("dump", values, numbers, config),
                                std::move(rules), out_path},
                               progress);
        if (!report_path.empty()) write_success_report(report_path, report);
        const auto& totals = report["totals"];
        std::printf("wrote %s: %llu rows (%s) in %llu tables, %.2f s\n", out_path.c_str(),
                    static_cast<unsigned long long>(totals["rows"].get<std::uint64_t>()),
                    format_bytes(totals["bytes"].get<double>()).c_str(),
                    static_cast<unsigned long long>(totals["tables"].get<std::uint64_t>()),
                    report["seconds"].get<double>());
        return 0;
    }
    if (command.get_name() == "rollback") {
        SyncConfig sync = config.sync.value_or(SyncConfig{});
        sync.protect = all_protected(config);
        std::cout << run_rollback(sync, resolve_target(values, config)) << "\n";
        return 0;
    }
    auto settings = build_settings(command.get_name(), values, numbers, config);
    auto source = resolve_source(values, config);

    if (command.get_name() == "sync") {
        SyncRequest request;
        request.source = source;
        request.target = resolve_target(values, config);
        request.settings = settings;
        request.rules = std::move(rules);
        request.sync = config.sync.value_or(SyncConfig{});
        request.sync.protect = all_protected(config);
        if (values.flag("--allow-primary-source")) request.sync.allow_primary_source = true;
        request.jobs = jobs_of(numbers, config);
        // The command line wins over the file's sync: split_tables_larger_than.
        if (numbers.split_tables_larger_than) request.sync.split_tables_larger_than = *numbers.split_tables_larger_than;
        if (numbers.max_snapshot_age_seconds) request.sync.max_snapshot_age_seconds = numbers.max_snapshot_age_seconds;
        request.wait_for_lock = values.flag("--wait");
        Progress progress(Progress::stderr_is_terminal());
        auto report = run_sync(std::move(request), progress);
        if (!report_path.empty()) write_success_report(report_path, report);
        std::cout << summarize_report(report) << summarize_verification(report["verification"])
                  << report["promoted"].get<std::string>() << "\n";
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
        if (out_path.empty()) {
            std::cout << text;
        } else {
            write_text_file(out_path, text);
            std::fprintf(stderr, "wrote %s: review every rule before the first run\n", out_path.c_str());
        }
        return 0;
    }

    SubsetRequest request;
    request.source = source;
    request.target = resolve_target(values, config);
    request.settings = settings;
    request.jobs = jobs_of(numbers, config);
    request.split_tables_larger_than = numbers.split_tables_larger_than.value_or(
        to_byte_size("--split-tables-larger-than", default_value("--split-tables-larger-than")));
    request.max_snapshot_age_seconds = numbers.max_snapshot_age_seconds;
    request.replace = values.flag("--replace");
    request.dry_run = values.flag("--dry-run");
    request.protect = all_protected(config);
    request.rules = std::move(rules);
    Progress progress(Progress::stderr_is_terminal());
    auto report = run_subset(request, progress);
    progress.finish();
    if (!report_path.empty()) write_success_report(report_path, report);
    std::cout << summarize_report(report);
    return 0;
}

}  // namespace

int run_cli(int argc, char** argv) {
    ReportTarget report_target;
    const SecretMask mask{argc, argv};
    try {
        return run(argc, argv, report_target);
    } catch (const Error& error) {
        print_error(error, mask);
        if (!report_target.path.empty()) write_failure_report(report_target, error, mask);
        return static_cast<int>(error.code());
    } catch (const std::exception& error) {
        const Error internal(ExitCode::internal, std::string("internal error: ") + error.what());
        print_error(internal, mask);
        if (!report_target.path.empty()) write_failure_report(report_target, internal, mask);
        return static_cast<int>(ExitCode::internal);
    }
}

}  // namespace understudy::orchestrator

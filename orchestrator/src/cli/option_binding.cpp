// Configures CLI11 from the option table and masks what the table marks secret.
#include "option_binding.hpp"

#include <cstdlib>
#include <sstream>

#include "understudy/error.hpp"
#include "understudy/orchestrator/cli/option_table.hpp"
#include "understudy/pg/conninfo.hpp"

namespace understudy::orchestrator {
namespace {

CLI::Option* add_option(CLI::App& command, const OptionSpec& spec, const OptionUse& use, OptionValues& values) {
    const std::string help = help_text(spec, use);
    CLI::Option* option = nullptr;
    switch (spec.kind) {
        case OptionKind::flag:
            option = command.add_flag(spec.name, values.flags[spec.name], help);
            break;
        case OptionKind::list:
            // CLI11 would read the whole variable as one value: the words are split by
            // fill_lists_from_environment() instead, so no envname here.
            return command.add_option(spec.name, values.lists[spec.name], help);
        case OptionKind::text:
        case OptionKind::file:
            option = command.add_option(spec.name, values.texts[spec.name], help);
            break;
    }
    if (use.required) option->required();
    if (spec.from_environment) option->envname(env_name(spec.name));
    // --config is opened by load_config_file, which names a file it cannot read and exits 15 (a
    // local file, as the README's table says); CLI11's ExistingFile would make that a usage error
    // (2). The no-op validator keeps "FILE" in the help. restore's FILE stays a usage error.
    if (spec.kind == OptionKind::file && spec.name == "--config")
        option->check(CLI::Validator([](std::string&) { return std::string(); }, "FILE"));
    else if (spec.kind == OptionKind::file)
        option->check(CLI::ExistingFile);
    if (!spec.choices.empty()) option->check(CLI::IsMember(spec.choices));
    return option;
}

/// The values given to secret options: `--name value` or `--name=value` in argv, and their variables.
std::vector<std::string> secret_values(int argc, char** argv) {
    std::vector<std::string> found;
    for (const OptionSpec& spec : option_table()) {
        if (!spec.secret) continue;
        for (int arg_idx = 1; arg_idx < argc; ++arg_idx) {
            const std::string arg = argv[arg_idx];
            if (arg == spec.name && arg_idx + 1 < argc) found.emplace_back(argv[arg_idx + 1]);
            if (arg.rfind(spec.name + "=", 0) == 0) found.push_back(arg.substr(spec.name.size() + 1));
        }
        if (const char* value = std::getenv(env_name(spec.name).c_str())) found.emplace_back(value);
    }
    if (const char* fallback = std::getenv(k_target_fallback_variable)) found.emplace_back(fallback);
    return found;
}

void replace_all(std::string& text, const std::string& from, const std::string& to) {
    for (std::size_t pos = text.find(from); pos != std::string::npos; pos = text.find(from, pos + to.size()))
        text.replace(pos, from.size(), to);
}

}  // namespace

std::string OptionValues::text(const std::string& name) const {
    const auto found = texts.find(name);
    return found == texts.end() ? std::string() : found->second;
}

std::vector<std::string> OptionValues::list(const std::string& name) const {
    const auto found = lists.find(name);
    return found == lists.end() ? std::vector<std::string>() : found->second;
}

bool OptionValues::flag(const std::string& name) const {
    const auto found = flags.find(name);
    return found != flags.end() && found->second;
}

void add_commands(CLI::App& app, OptionValues& values) {
    for (const CommandSpec& spec : command_table()) {
        CLI::App* command = app.add_subcommand(spec.name, spec.description);
        for (const OptionSpec& option : option_table()) {
            if (const OptionUse* use = find_use(option, spec.name)) add_option(*command, option, *use, values);
        }
        // CLI11 records an exclusion on both options, so each one's help names the other.
        for (const OptionSpec& option : option_table()) {
            if (option.excludes.empty() || find_use(option, spec.name) == nullptr) continue;
            command->get_option(option.name)->excludes(command->get_option(option.excludes));
        }
    }
}

bool given(const CLI::App& command, const std::string& name) {
    const CLI::Option* option = command.get_option_no_throw(name);
    return option != nullptr && option->count() > 0;
}

void fill_lists_from_environment(const std::string& command, OptionValues& values) {
    for (const OptionSpec& spec : option_table()) {
        if (spec.kind != OptionKind::list || !spec.from_environment || find_use(spec, command) == nullptr) continue;
        std::vector<std::string>& list = values.lists[spec.name];
        if (!list.empty()) continue;
        const char* text = std::getenv(env_name(spec.name).c_str());
        if (!text) continue;
        std::istringstream words(text);
        for (std::string word; words >> word;) list.push_back(word);
    }
}

std::string mask_secrets(const std::string& text, int argc, char** argv) {
    std::string masked = pg::redact_secrets(text);
    for (const std::string& value : secret_values(argc, argv)) {
        std::optional<std::string> password;
        try {
            password = pg::ConnInfo::parse(value).password();
        } catch (const Error&) {
            continue;  // not a connection string: libpq found no password in it either
        }
        if (password && !password->empty()) replace_all(masked, *password, "<redacted>");
    }
    return masked;
}

}  // namespace understudy::orchestrator

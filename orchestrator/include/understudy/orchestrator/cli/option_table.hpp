// The commands and options of `understudy`, declared once: CLI11, the help text, the UNDERSTUDY_*
// variables and the masking of secret values are all derived from these two tables.
#pragma once

#include <string>
#include <vector>

namespace understudy::orchestrator {

/// How an option's value is given.
enum class OptionKind {
    text,  ///< one value
    file,  ///< one value naming an existing file
    list,  ///< repeatable; its variable holds whitespace-separated words
    flag,  ///< no value
};

/// One command taking an option, and what the option says there.
struct OptionUse {
    std::string command;
    std::string help;  ///< empty: the option's own help
    bool required = false;
};

/// One row of the option table. A name without leading dashes is a positional argument.
struct OptionSpec {
    std::string name;  ///< "--target", or "FILE"
    OptionKind kind = OptionKind::text;
    std::string help;
    std::string default_value;     ///< what applies when nothing is given, printed as "(default: …)"
    bool from_environment = true;  ///< read from env_name(name) when not given on the command line
    bool secret = false;           ///< its value may hold a password: never echoed
    std::vector<std::string> choices;
    std::string excludes;  ///< an option that cannot be given together with this one
    std::vector<OptionUse> uses;
};

/// A command of `understudy`, in the order `understudy --help` lists them.
struct CommandSpec {
    std::string name;
    std::string description;
};

/// One line about the program, the first line of `understudy --help`.
extern const char* const k_program_description;

/// The variable a target falls back to when neither --target nor the config names one (Heroku sets it).
extern const char* const k_target_fallback_variable;

/// Every command, in help order.
const std::vector<CommandSpec>& command_table();

/// Every option; a command's help lists its options in this order.
const std::vector<OptionSpec>& option_table();

/// "--full-table" -> "UNDERSTUDY_FULL_TABLE": the one place that names an option's variable.
std::string env_name(const std::string& option_name);

/// The row of `option_name` as `command` takes it, or nullptr when that command does not take it.
const OptionSpec* find_option(const std::string& command, const std::string& option_name);

/// The use of `option` by `command`, or nullptr.
const OptionUse* find_use(const OptionSpec& option, const std::string& command);

/// An option's help line for one command: its help, its default and, for a list, its variable.
std::string help_text(const OptionSpec& option, const OptionUse& use);

/// The text of `option`'s default for the code that applies it (a number is converted by the caller).
const std::string& default_value(const std::string& option_name);

}  // namespace understudy::orchestrator

// From the option table to CLI11: the commands and options of the parser, the values they fill in,
// lists read from their variables, and the masking of secret values in anything echoed.
#pragma once

#include <CLI/CLI.hpp>

#include <map>
#include <string>
#include <vector>

namespace understudy::orchestrator {

/// The raw values of the options, by name as the table spells it; CLI11 writes into them. Numbers
/// stay text here: cli.cpp converts them with its own one-line errors.
struct OptionValues {
    std::map<std::string, std::string> texts;
    std::map<std::string, std::vector<std::string>> lists;
    std::map<std::string, bool> flags;

    /// The value given, or "" when none was.
    std::string text(const std::string& name) const;
    /// The values given (command line, else the variable's words), or none.
    std::vector<std::string> list(const std::string& name) const;
    /// True when the flag was given.
    bool flag(const std::string& name) const;
};

/// Adds every command of command_table() to `app`, each with the options option_table() gives it.
void add_commands(CLI::App& app, OptionValues& values);

/// True when `command` has the option and it was given (command line or variable).
bool given(const CLI::App& command, const std::string& name);

/// Fills the list options of `command` that were not given from their variables' words.
void fill_lists_from_environment(const std::string& command, OptionValues& values);

/// `text` with every password removed: those in URLs or keyword strings, and the password of every
/// value given to a secret option (command line, variable, DATABASE_URL) wherever it shows.
std::string mask_secrets(const std::string& text, int argc, char** argv);

}  // namespace understudy::orchestrator

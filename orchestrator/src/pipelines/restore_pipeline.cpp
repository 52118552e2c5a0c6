// Restoring a dump file: target checks, then the file streamed through psql's stdin in one transaction.
#include "understudy/orchestrator/pipelines/restore_pipeline.hpp"

#include <chrono>
#include <map>

#include "transfer/dump_file.hpp"

#include "understudy/error.hpp"
#include "understudy/orchestrator/schema/subprocess.hpp"
#include "understudy/orchestrator/guards/sync_guards.hpp"
#include "understudy/orchestrator/guards/target_guard.hpp"
#include "understudy/pg/session.hpp"
#include "understudy/pg/session_settings.hpp"

namespace understudy::orchestrator {
namespace {

/// psql's first ERROR line, cut before a quoted value (`invalid input syntax for type integer:
/// "..."`), because it may quote a row of the dump; psql's DETAIL and CONTEXT lines are left out
/// for the same reason.
std::string psql_failure(const ProcessResult& result) {
    std::size_t start = 0;
    std::string fallback;
    const std::string& text = result.stderr_text;
    while (start < text.size()) {
        std::size_t end = text.find('\n', start);
        if (end == std::string::npos) end = text.size();
        std::string line = text.substr(start, end - start);
        start = end + 1;
        if (line.find("ERROR:") != std::string::npos || line.find("FATAL:") != std::string::npos) {
            if (auto quoted_value = line.find(": \""); quoted_value != std::string::npos) line.resize(quoted_value);
            return line;
        }
        if (fallback.empty() && !line.empty() && line.find("DETAIL:") == std::string::npos &&
            line.find("CONTEXT:") == std::string::npos)
            fallback = line;
    }
    if (!fallback.empty()) return fallback;
    return "psql exited with status " + std::to_string(result.exit_code);
}

}  // namespace

nlohmann::json run_restore(const RestoreRequest& request, Progress& progress) {
    const auto start = std::chrono::steady_clock::now();
    // The file is opened first: a wrong path must not cost the target its contents under --replace.
    DumpFileReader reader(request.file_path);

    auto target_connection = pg::connect(request.target, pg::Side::target);
    auto target_identity = pg::read_identity(*target_connection, pg::Side::target);
    check_not_protected(request.target, target_identity, request.protect);
    check_target_writable(target_identity);
    if (request.replace) {
        clear_target(*target_connection);
    } else if (auto partial_copy = check_target_empty(*target_connection)) {
        // A subset killed part way left its mark: that target is ours to clear, mark included.
        progress.warn("target database \"" + target_identity.database + "\" holds an unfinished copy left by an " +
                      "interrupted run (\"" + *partial_copy + "\"): clearing it");
        clear_target(*target_connection);
        clear_partial_copy_mark(*target_connection, std::nullopt);
    }
    target_connection.reset();

    // The password travels in the environment, never in argv (where `ps` shows it to every user).
    const auto env = pg_program_environment(request.target);
    // --single-transaction applies to -f scripts only, so stdin is named as the file `-`.
    const std::vector<std::string> argv = {find_pg_program("psql"), "-X", "-q", "-v", "ON_ERROR_STOP=1",
                                           "--single-transaction", "-d",
                                           pg::with_default_connect_timeout(request.target).keyword_string_without_password(),
                                           "-f", "-"};
    progress.phase("restoring " + request.file_path);
    const std::string total = format_bytes(static_cast<double>(reader.file_size()));
    auto result = run_process_with_input(argv, env, [&] {
        auto chunk = reader.next();
        const double position = static_cast<double>(reader.file_position());
        const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
        progress.note(format_bytes(position) + " of " + total +
                      (seconds > 0.5 ? ", " + format_bytes(position / seconds) + "/s" : std::string()));
        return chunk;
    });
    progress.finish();
    if (result.exit_code != 0) {
        throw Error(ExitCode::target, "could not restore \"" + request.file_path + "\": " + psql_failure(result),
                    "nothing was kept: the restore runs in one transaction");
    }

    nlohmann::json report;
    report["command"] = "restore";
    report["file"] = request.file_path;
    report["target"] = request.target.redacted();
    report["file_bytes"] = reader.file_size();
    report["seconds"] = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    return report;
}

}  // namespace understudy::orchestrator

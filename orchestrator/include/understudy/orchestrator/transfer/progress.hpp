// Progress on stderr while a run works: a live status line on a terminal, a line per finished table and phase elsewhere.
#pragma once

#include <chrono>
#include <cstdint>
#include <map>
#include <mutex>
#include <string>

namespace understudy::orchestrator {

/// Thread-safe progress display. On a terminal it redraws one status line at most a few times a
/// second. Elsewhere (Heroku logs, CI, cron) it writes one line per finished table
/// (`copied public.users: 1,167 rows, 2.1 MB in 0.4 s`) and per finished phase
/// (`phase copying rows done in 3.2 s`): logs are read later, line by line. Never row values.
class Progress {
public:
    /// `terminal`: redraw a status line (normally `isatty(stderr)`); else write finished steps as lines.
    explicit Progress(bool terminal);
    /// Clears the status line; a phase still running is not said to be done (the run failed in it).
    ~Progress();

    /// True when stderr is a terminal (what `terminal` should usually be).
    static bool stderr_is_terminal();

    /// Starts a phase ("selecting rows", "copying", "building indexes"); the one before is done.
    void phase(const std::string& name);
    /// A free-form status line within the phase.
    void note(const std::string& message);
    /// Something an operator should find in the logs later (a retried table): one line
    /// `warning: <message>` on stderr, terminal or not. Never row values.
    void warn(const std::string& message);
    /// The running state of one table's copy (rows and bytes so far).
    void table_running(const std::string& table, std::uint64_t rows, std::uint64_t bytes);
    /// One table (or one part of it) finished, in `seconds` (negative: not measured).
    void table_done(const std::string& table, std::uint64_t rows, std::uint64_t bytes, double seconds = -1);
    /// The last phase is done: clears the status line so that normal output starts on a clean
    /// line (on a terminal), or says that phase is done (elsewhere).
    void finish();

private:
    void draw_locked(bool force);
    void log_phase_done_locked();

    bool m_terminal;
    std::mutex m_mutex;
    std::string m_phase;
    std::string m_note;
    std::map<std::string, std::pair<std::uint64_t, std::uint64_t>> m_running;
    std::uint64_t m_done_rows = 0;
    std::uint64_t m_done_bytes = 0;
    int m_done_tables = 0;
    std::chrono::steady_clock::time_point m_phase_start;
    std::chrono::steady_clock::time_point m_last_draw;
    bool m_line_dirty = false;
};

/// `12.3 MB`, `512 B`: bytes for people.
std::string format_bytes(double bytes);

/// `1,167`: a count of rows for people.
std::string format_count(std::int64_t count);

/// `1.5`: seconds as a short decimal for messages (the caller writes the unit).
std::string seconds_text(double seconds);

}  // namespace understudy::orchestrator

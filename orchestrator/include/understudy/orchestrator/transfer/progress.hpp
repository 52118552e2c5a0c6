// Progress on stderr while a run works: phase, table, rows, bytes and rate, only on a terminal.
#pragma once

#include <chrono>
#include <cstdint>
#include <map>
#include <mutex>
#include <string>

namespace understudy::orchestrator {

/// Thread-safe progress display. On a terminal it redraws one status line at most a few times a
/// second; elsewhere (CI, pipes, cron) it stays silent, because the JSON report says it all.
class Progress {
public:
    /// `enabled`: draw at all (normally `isatty(stderr)`).
    explicit Progress(bool enabled);
    ~Progress();

    /// True when stderr is a terminal (what `enabled` should usually be).
    static bool stderr_is_terminal();

    /// Starts a phase ("selecting rows", "copying", "building indexes").
    void phase(const std::string& name);
    /// A free-form status line within the phase.
    void note(const std::string& message);
    /// Something an operator should find in the logs later (a retried table): one line
    /// `warning: <message>` on stderr, terminal or not. Never row values.
    void warn(const std::string& message);
    /// The running state of one table's copy (rows and bytes so far).
    void table_running(const std::string& table, std::uint64_t rows, std::uint64_t bytes);
    /// One table finished.
    void table_done(const std::string& table, std::uint64_t rows, std::uint64_t bytes);
    /// Clears the status line so that normal output starts on a clean line.
    void finish();

private:
    void draw_locked(bool force);

    bool m_enabled;
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

/// `1.5`: seconds as a short decimal for messages (the caller writes the unit).
std::string seconds_text(double seconds);

}  // namespace understudy::orchestrator

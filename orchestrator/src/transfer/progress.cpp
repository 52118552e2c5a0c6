// Progress on stderr: a redrawn status line on a terminal, finished tables and phases as lines elsewhere; warnings always.
#include "understudy/orchestrator/transfer/progress.hpp"

#include <unistd.h>

#include <cstdio>

namespace understudy::orchestrator {

std::string format_bytes(double bytes) {
    const char* units[] = {"B", "kB", "MB", "GB", "TB"};
    int unit = 0;
    while (bytes >= 1024.0 && unit < 4) {
        bytes /= 1024.0;
        ++unit;
    }
    char text[32];
    std::snprintf(text, sizeof text, unit == 0 ? "%.0f %s" : "%.1f %s", bytes, units[unit]);
    return text;
}

std::string format_count(std::int64_t count) {
    std::string digits = std::to_string(count < 0 ? -count : count);
    for (auto at = digits.size(); at > 3; at -= 3) digits.insert(at - 3, ",");
    return count < 0 ? "-" + digits : digits;
}

std::string seconds_text(double seconds) {
    char text[32];
    std::snprintf(text, sizeof text, "%.1f", seconds);
    return text;
}

Progress::Progress(bool terminal) : m_terminal(terminal) {}

Progress::~Progress() {
    std::lock_guard lock(m_mutex);
    if (m_terminal && m_line_dirty) {
        std::fputs("\r\033[K", stderr);
        std::fflush(stderr);
        m_line_dirty = false;
    }
}

bool Progress::stderr_is_terminal() { return isatty(STDERR_FILENO) == 1; }

void Progress::phase(const std::string& name) {
    std::lock_guard lock(m_mutex);
    log_phase_done_locked();
    m_phase = name;
    m_note.clear();
    m_running.clear();
    m_done_rows = m_done_bytes = 0;
    m_done_tables = 0;
    m_phase_start = std::chrono::steady_clock::now();
    draw_locked(true);
}

// Without a terminal a phase shows when it ends, with its time: a log line per step a run took.
void Progress::log_phase_done_locked() {
    if (m_terminal || m_phase.empty()) return;
    const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - m_phase_start).count();
    std::fprintf(stderr, "phase %s done in %s s\n", m_phase.c_str(), seconds_text(seconds).c_str());
    std::fflush(stderr);
    m_phase.clear();
}

void Progress::note(const std::string& message) {
    std::lock_guard lock(m_mutex);
    m_note = message;
    draw_locked(false);
}

void Progress::warn(const std::string& message) {
    std::lock_guard lock(m_mutex);
    if (m_terminal && m_line_dirty) {
        std::fputs("\r\033[K", stderr);  // the status line is redrawn below the warning
        m_line_dirty = false;
    }
    std::fprintf(stderr, "warning: %s\n", message.c_str());
    std::fflush(stderr);
    draw_locked(true);
}

void Progress::table_running(const std::string& table, std::uint64_t rows, std::uint64_t bytes) {
    std::lock_guard lock(m_mutex);
    m_running[table] = {rows, bytes};
    draw_locked(false);
}

void Progress::table_done(const std::string& table, std::uint64_t rows, std::uint64_t bytes, double seconds) {
    std::lock_guard lock(m_mutex);
    m_running.erase(table);
    m_done_rows += rows;
    m_done_bytes += bytes;
    ++m_done_tables;
    if (!m_terminal) {
        // Counts and sizes only: a log line never holds a row value.
        std::string line = "copied " + table + ": " + format_count(static_cast<std::int64_t>(rows)) +
                           (rows == 1 ? " row, " : " rows, ") + format_bytes(static_cast<double>(bytes));
        if (seconds >= 0) line += " in " + seconds_text(seconds) + " s";
        std::fprintf(stderr, "%s\n", line.c_str());
        std::fflush(stderr);
        return;
    }
    draw_locked(false);
}

void Progress::finish() {
    std::lock_guard lock(m_mutex);
    log_phase_done_locked();
    if (m_terminal && m_line_dirty) {
        std::fputs("\r\033[K", stderr);
        std::fflush(stderr);
        m_line_dirty = false;
    }
}

void Progress::draw_locked(bool force) {
    if (!m_terminal) return;
    auto now = std::chrono::steady_clock::now();
    if (!force && now - m_last_draw < std::chrono::milliseconds(200)) return;
    m_last_draw = now;

    std::uint64_t rows = m_done_rows;
    std::uint64_t bytes = m_done_bytes;
    std::string tables;
    for (const auto& [table, counts] : m_running) {
        rows += counts.first;
        bytes += counts.second;
        if (tables.size() < 60) tables += (tables.empty() ? "" : ", ") + table;
    }
    double seconds = std::chrono::duration<double>(now - m_phase_start).count();
    std::string line = m_phase;
    if (!m_note.empty()) line += ": " + m_note;
    if (rows > 0 || !m_running.empty()) {
        line += ": " + std::to_string(m_done_tables) + " tables done, " + std::to_string(rows) + " rows, " +
                format_bytes(static_cast<double>(bytes));
        if (seconds > 0.5) line += ", " + format_bytes(static_cast<double>(bytes) / seconds) + "/s";
        if (!tables.empty()) line += " [" + tables + "]";
    }
    if (line.size() > 150) line.resize(150);
    std::fprintf(stderr, "\r\033[K%s", line.c_str());
    std::fflush(stderr);
    m_line_dirty = true;
}

}  // namespace understudy::orchestrator

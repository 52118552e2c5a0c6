// The dump file on disk: written atomically, read back, gzip when its name ends in `.gz`.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

namespace understudy::orchestrator {

/// True when `path` names a gzip file (ends in `.gz`).
bool is_gzip_path(const std::string& path);

/// Writes a file under a temporary name beside it, renamed into place by commit(): a reader never
/// sees half a dump, and a failed run leaves no file behind.
class DumpFileWriter {
public:
    /// Creates the temporary file; throws Error(io).
    explicit DumpFileWriter(std::string path);
    /// Removes the temporary file unless commit() succeeded.
    ~DumpFileWriter();
    DumpFileWriter(const DumpFileWriter&) = delete;
    DumpFileWriter& operator=(const DumpFileWriter&) = delete;

    /// Appends bytes (compressed on the way for `.gz`); throws Error(io).
    void write(std::string_view data);
    /// Finishes the stream, flushes it to disk and renames the file into place; throws Error(io).
    void commit();
    /// Uncompressed bytes written so far.
    std::uint64_t bytes_written() const { return m_bytes; }

private:
    struct State;
    std::string m_path;
    std::string m_temp_path;
    std::unique_ptr<State> m_state;
    std::uint64_t m_bytes = 0;
    bool m_committed = false;
};

/// Reads a file in chunks, decompressing `.gz` on the way.
class DumpFileReader {
public:
    /// Opens the file; throws Error(io).
    explicit DumpFileReader(std::string path);
    ~DumpFileReader();
    DumpFileReader(const DumpFileReader&) = delete;
    DumpFileReader& operator=(const DumpFileReader&) = delete;

    /// The next chunk of (uncompressed) text, valid until the next call; empty at the end.
    /// Throws Error(io) on a read error or a truncated gzip stream.
    std::string_view next();
    /// The file's size on disk.
    std::uint64_t file_size() const { return m_file_size; }
    /// How far into the file on disk reading has come (compressed bytes for `.gz`).
    std::uint64_t file_position() const;

private:
    struct State;
    std::string m_path;
    std::unique_ptr<State> m_state;
    std::uint64_t m_file_size = 0;
};

}  // namespace understudy::orchestrator

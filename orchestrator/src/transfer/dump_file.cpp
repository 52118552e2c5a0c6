// Dump files: a temp file renamed into place after fsync, and gzip through zlib for `.gz` names.
#include "transfer/dump_file.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zlib.h>

#include <array>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <vector>

#include "understudy/error.hpp"

namespace understudy::orchestrator {
namespace {

constexpr std::size_t k_read_chunk = 1 << 16;

[[noreturn]] void fail(const std::string& action, const std::string& path, const std::string& reason) {
    throw Error(ExitCode::io, "could not " + action + " \"" + path + "\": " + reason);
}

std::string gzip_error(gzFile file) {
    int code = Z_OK;
    const char* message = gzerror(file, &code);
    if (code == Z_ERRNO) return std::strerror(errno);
    return message && *message ? message : "gzip error";
}

}  // namespace

bool is_gzip_path(const std::string& path) {
    return path.size() >= 3 && path.compare(path.size() - 3, 3, ".gz") == 0;
}

struct DumpFileWriter::State {
    int fd = -1;
    gzFile gzip = nullptr;
};

DumpFileWriter::DumpFileWriter(std::string path) : m_path(std::move(path)), m_state(std::make_unique<State>()) {
    // Beside the final name, so that rename() stays within one file system and is atomic.
    std::vector<char> name(m_path.begin(), m_path.end());
    const std::string suffix = ".tmp-XXXXXX";
    name.insert(name.end(), suffix.begin(), suffix.end());
    name.push_back('\0');
    m_state->fd = ::mkstemp(name.data());
    if (m_state->fd < 0) fail("create", m_path, std::strerror(errno));
    m_temp_path = name.data();
    // mkstemp makes the file 0600; a dump holds the same rows as the database it seeds, so it stays private.
    if (is_gzip_path(m_path)) {
        int gzip_fd = ::dup(m_state->fd);
        if (gzip_fd < 0) fail("create", m_path, std::strerror(errno));
        m_state->gzip = gzdopen(gzip_fd, "wb6");
        if (!m_state->gzip) {
            ::close(gzip_fd);
            fail("create", m_path, "could not start gzip");
        }
        gzbuffer(m_state->gzip, 1 << 17);
    }
}

DumpFileWriter::~DumpFileWriter() {
    if (m_state->gzip) gzclose(m_state->gzip);
    if (m_state->fd >= 0) ::close(m_state->fd);
    if (!m_committed && !m_temp_path.empty()) std::remove(m_temp_path.c_str());
}

void DumpFileWriter::write(std::string_view data) {
    m_bytes += data.size();
    if (m_state->gzip) {
        while (!data.empty()) {
            auto chunk = static_cast<unsigned>(std::min<std::size_t>(data.size(), 1u << 30));
            int written = gzwrite(m_state->gzip, data.data(), chunk);
            if (written <= 0) fail("write", m_path, gzip_error(m_state->gzip));
            data.remove_prefix(static_cast<std::size_t>(written));
        }
        return;
    }
    while (!data.empty()) {
        ssize_t written = ::write(m_state->fd, data.data(), data.size());
        if (written < 0) {
            if (errno == EINTR) continue;
            fail("write", m_path, std::strerror(errno));
        }
        data.remove_prefix(static_cast<std::size_t>(written));
    }
}

void DumpFileWriter::commit() {
    if (m_state->gzip) {
        int status = gzclose(m_state->gzip);
        m_state->gzip = nullptr;
        if (status != Z_OK) fail("write", m_path, "gzip could not finish the stream");
    }
    // fsync before rename: after a crash the name points either at the old file or at a complete new one.
    if (::fsync(m_state->fd) != 0) fail("write", m_path, std::strerror(errno));
    if (::close(m_state->fd) != 0) {
        m_state->fd = -1;
        fail("write", m_path, std::strerror(errno));
    }
    m_state->fd = -1;
    if (std::rename(m_temp_path.c_str(), m_path.c_str()) != 0) fail("rename into", m_path, std::strerror(errno));
    m_committed = true;
}

struct DumpFileReader::State {
    int fd = -1;
    gzFile gzip = nullptr;
    std::array<char, k_read_chunk> buffer{};
    std::uint64_t position = 0;
};

DumpFileReader::DumpFileReader(std::string path) : m_path(std::move(path)), m_state(std::make_unique<State>()) {
    m_state->fd = ::open(m_path.c_str(), O_RDONLY | O_CLOEXEC);
    if (m_state->fd < 0) fail("open", m_path, std::strerror(errno));
    struct stat info {};
    if (::fstat(m_state->fd, &info) == 0) m_file_size = static_cast<std::uint64_t>(info.st_size);
    if (is_gzip_path(m_path)) {
        m_state->gzip = gzdopen(m_state->fd, "rb");
        if (!m_state->gzip) fail("open", m_path, "could not start gunzip");
        m_state->fd = -1;  // gzclose closes it
        gzbuffer(m_state->gzip, 1 << 17);
    }
}

DumpFileReader::~DumpFileReader() {
    if (m_state->gzip) gzclose(m_state->gzip);
    if (m_state->fd >= 0) ::close(m_state->fd);
}

std::string_view DumpFileReader::next() {
    auto& buffer = m_state->buffer;
    if (m_state->gzip) {
        int count = gzread(m_state->gzip, buffer.data(), static_cast<unsigned>(buffer.size()));
        if (count < 0) fail("read", m_path, gzip_error(m_state->gzip));
        // zlib reports a stream cut short only through gzerror, after a short read.
        if (count == 0) {
            int code = Z_OK;
            gzerror(m_state->gzip, &code);
            if (code != Z_OK && code != Z_STREAM_END) fail("read", m_path, gzip_error(m_state->gzip));
        }
        return {buffer.data(), static_cast<std::size_t>(count)};
    }
    for (;;) {
        ssize_t count = ::read(m_state->fd, buffer.data(), buffer.size());
        if (count < 0) {
            if (errno == EINTR) continue;
            fail("read", m_path, std::strerror(errno));
        }
        m_state->position += static_cast<std::uint64_t>(count);
        return {buffer.data(), static_cast<std::size_t>(count)};
    }
}

std::uint64_t DumpFileReader::file_position() const {
    if (m_state->gzip) {
        auto offset = gzoffset(m_state->gzip);
        return offset > 0 ? static_cast<std::uint64_t>(offset) : 0;
    }
    return m_state->position;
}

}  // namespace understudy::orchestrator

// Unnamed temporary files (O_TMPFILE) handed to children as /dev/fd/N, with a named fallback.
#include "understudy/orchestrator/schema/private_temp_file.hpp"

#include <fcntl.h>
#include <stdlib.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>

#include "understudy/error.hpp"

namespace understudy::orchestrator {
namespace {

std::filesystem::path temp_folder() {
    if (const char* tmpdir = std::getenv("TMPDIR"); tmpdir && *tmpdir) return tmpdir;
    return "/tmp";
}

[[noreturn]] void fail_to_create(const std::filesystem::path& folder, int error) {
    throw Error(ExitCode::io,
                "could not create a temporary file in \"" + folder.string() + "\": " + std::strerror(error));
}

/// Descriptors 0-2 are the child's stdin, stdout and stderr: an inherited descriptor must not be
/// one of them (possible only when this process was started with one of them closed).
int above_standard_streams(int fd) {
    if (fd > STDERR_FILENO) return fd;
    int moved = ::fcntl(fd, F_DUPFD_CLOEXEC, STDERR_FILENO + 1);
    int error = errno;
    ::close(fd);
    errno = error;
    return moved;
}

/// An unnamed 0600 file in `folder`, or -1 when the kernel or the filesystem cannot make one
/// (no O_TMPFILE: EISDIR from kernels before 3.11, EOPNOTSUPP from filesystems without it) or
/// /dev/fd cannot reopen it (no /proc). Other failures throw.
int open_unnamed(const std::filesystem::path& folder) {
#ifdef O_TMPFILE
    int fd = ::open(folder.c_str(), O_TMPFILE | O_RDWR | O_CLOEXEC, 0600);
    if (fd < 0) {
        if (errno == EISDIR || errno == EOPNOTSUPP || errno == EINVAL) return -1;
        fail_to_create(folder, errno);
    }
    fd = above_standard_streams(fd);
    if (fd < 0) fail_to_create(folder, errno);
    // Children open the file by this path; where /dev/fd is missing they could not.
    int probe = ::open(("/dev/fd/" + std::to_string(fd)).c_str(), O_RDONLY | O_CLOEXEC);
    if (probe < 0) {
        ::close(fd);
        return -1;
    }
    ::close(probe);
    return fd;
#else
    (void)folder;
    return -1;
#endif
}

}  // namespace

PrivateTempFile::PrivateTempFile(const std::string& stem, TempFileNaming naming) {
    const std::filesystem::path folder = temp_folder();
    if (naming == TempFileNaming::unnamed_when_supported) m_fd = open_unnamed(folder);
    if (m_fd >= 0) {
        m_path = "/dev/fd/" + std::to_string(m_fd);
        return;
    }
    std::string pattern = (folder / (stem + "-XXXXXX")).string();
    m_fd = ::mkostemp(pattern.data(), O_CLOEXEC);  // 0600
    if (m_fd < 0) fail_to_create(folder, errno);
    m_named = true;
    m_path = pattern;
}

PrivateTempFile::~PrivateTempFile() { release(); }

PrivateTempFile::PrivateTempFile(PrivateTempFile&& other) noexcept
    : m_fd(other.m_fd), m_named(other.m_named), m_path(std::move(other.m_path)) {
    other.m_fd = -1;
    other.m_path.clear();
}

PrivateTempFile& PrivateTempFile::operator=(PrivateTempFile&& other) noexcept {
    if (this != &other) {
        release();
        m_fd = other.m_fd;
        m_named = other.m_named;
        m_path = std::move(other.m_path);
        other.m_fd = -1;
        other.m_path.clear();
    }
    return *this;
}

std::vector<int> PrivateTempFile::inherited_fds() const {
    if (m_named || m_fd < 0) return {};
    return {m_fd};
}

void PrivateTempFile::write(const std::string& text) const {
    if (::ftruncate(m_fd, 0) != 0)
        throw Error(ExitCode::io, "could not write the temporary file \"" + m_path + "\": " + std::strerror(errno));
    std::size_t written = 0;
    while (written < text.size()) {
        ssize_t count = ::pwrite(m_fd, text.data() + written, text.size() - written, static_cast<off_t>(written));
        if (count < 0 && errno == EINTR) continue;
        if (count <= 0)
            throw Error(ExitCode::io,
                        "could not write the temporary file \"" + m_path + "\": " + std::strerror(errno));
        written += static_cast<std::size_t>(count);
    }
}

void PrivateTempFile::release() noexcept {
    if (m_named && !m_path.empty()) std::remove(m_path.c_str());
    if (m_fd >= 0) ::close(m_fd);
    m_fd = -1;
    m_path.clear();
}

}  // namespace understudy::orchestrator

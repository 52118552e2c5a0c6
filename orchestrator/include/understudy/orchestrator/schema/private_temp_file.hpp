// A temporary file that a killed run cannot leave behind: an unnamed inode children reach as /dev/fd/N.
#pragma once

#include <string>
#include <vector>

namespace understudy::orchestrator {

/// How a PrivateTempFile is made.
enum class TempFileNaming {
    /// O_TMPFILE: no name at all, so nothing is left behind even after SIGKILL; a named file where
    /// the filesystem or kernel has no O_TMPFILE (or /dev/fd cannot reopen it).
    unnamed_when_supported,
    /// Always the named fallback (mkstemp, removed on destruction); lets tests cover that path.
    named,
};

/// A private (0600) temporary file in $TMPDIR, else /tmp.
///
/// Unnamed, it is an inode the kernel frees when its last descriptor closes: on destruction, and
/// also when the process is killed with SIGKILL, which runs no destructor. A child still using it
/// (pg_restore keeps running after we die) keeps it alive only until it exits. A child opens it
/// as path() == "/dev/fd/N", which on Linux opens the inode afresh (own offset, seekable), when it
/// inherits descriptor N: pass inherited_fds() to run_process. Children that fork workers
/// (pg_restore --jobs) hand the descriptor on to them.
class PrivateTempFile {
public:
    /// Creates the file; `stem` names the fallback file (`<stem>-XXXXXX`). Throws Error(io).
    explicit PrivateTempFile(const std::string& stem,
                             TempFileNaming naming = TempFileNaming::unnamed_when_supported);
    ~PrivateTempFile();
    PrivateTempFile(PrivateTempFile&& other) noexcept;
    PrivateTempFile& operator=(PrivateTempFile&& other) noexcept;
    PrivateTempFile(const PrivateTempFile&) = delete;
    PrivateTempFile& operator=(const PrivateTempFile&) = delete;

    /// What a child opens: "/dev/fd/N" when unnamed, the file's name otherwise.
    const std::string& path() const { return m_path; }
    /// True when the file has a name in the folder (the fallback).
    bool named() const { return m_named; }
    /// The descriptors a child must inherit for path() to open: {N} when unnamed, none when named.
    std::vector<int> inherited_fds() const;
    /// Replaces the content with `text`; throws Error(io).
    void write(const std::string& text) const;

private:
    void release() noexcept;

    int m_fd = -1;
    bool m_named = false;
    std::string m_path;  // empty once moved from
};

}  // namespace understudy::orchestrator

// A file with given text in /tmp for the length of a test (config files, rules), removed afterwards.
#pragma once

#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <string>

namespace understudy::testing {

/// Writes `text` to a fresh /tmp file; the file is removed when this goes out of scope.
class TempFile {
public:
    explicit TempFile(const std::string& text) {
        char name[] = "/tmp/understudy-test-file-XXXXXX";
        int fd = mkstemp(name);
        if (fd >= 0) close(fd);
        m_path = name;
        std::ofstream(m_path) << text;
    }
    ~TempFile() { std::remove(m_path.c_str()); }
    TempFile(const TempFile&) = delete;
    TempFile& operator=(const TempFile&) = delete;

    const std::string& path() const { return m_path; }

private:
    std::string m_path;
};

}  // namespace understudy::testing

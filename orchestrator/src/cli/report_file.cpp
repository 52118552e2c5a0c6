// Atomic write of the JSON report (temp file, fsync, rename), as pgBackRest does for state files.
#include "understudy/orchestrator/cli/report_file.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>

#include "understudy/error.hpp"

namespace understudy::orchestrator {

void write_report_file(const std::string& path, const nlohmann::json& report) {
    write_text_file(path, report.dump(2) + "\n");
}

void check_report_path(const std::string& path) {
    const std::string hint = "give --report a file in a writable directory (the report is written at the end of "
                             "the run, failed or not)";
    struct stat status {};
    if (::stat(path.c_str(), &status) == 0 && S_ISDIR(status.st_mode))
        throw Error(ExitCode::io, "cannot write the report file \"" + path + "\": it is a directory", hint);
    // The same temp file write_text_file() creates, so that what passes here works at the end.
    const std::string temp_path = path + ".tmp";
    const int fd = ::open(temp_path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
    if (fd < 0 && errno != EEXIST)
        throw Error(ExitCode::io, "cannot write the report file \"" + path + "\": " + std::strerror(errno), hint);
    if (fd >= 0) {
        ::close(fd);
        ::unlink(temp_path.c_str());
    }
}

void write_text_file(const std::string& path, const std::string& text) {
    const std::string temp_path = path + ".tmp";
    auto fail = [&](const char* what) {
        throw Error(ExitCode::io, "could not " + std::string(what) + " file \"" + path + "\": " + std::strerror(errno));
    };
    int fd = ::open(temp_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    if (fd < 0) fail("create");
    std::size_t written = 0;
    while (written < text.size()) {
        ssize_t count = ::write(fd, text.data() + written, text.size() - written);
        if (count < 0) {
            if (errno == EINTR) continue;
            ::close(fd);
            fail("write");
        }
        written += static_cast<std::size_t>(count);
    }
    if (::fsync(fd) != 0 || ::close(fd) != 0) fail("write");
    if (std::rename(temp_path.c_str(), path.c_str()) != 0) fail("rename");
}

}  // namespace understudy::orchestrator

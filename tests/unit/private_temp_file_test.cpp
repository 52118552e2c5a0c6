// Unit tests for PrivateTempFile and run_process's inherited descriptors: the unnamed file leaves
// nothing in $TMPDIR (even when its process is SIGKILLed), children reach it as /dev/fd/N only when
// they inherit N, it is seekable through that path, and the named fallback behaves like a plain file.
#include <gtest/gtest.h>

#include <signal.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "understudy/error.hpp"
#include "understudy/orchestrator/schema/private_temp_file.hpp"
#include "understudy/orchestrator/schema/subprocess.hpp"

namespace understudy::orchestrator {
namespace {

/// Points TMPDIR at a fresh folder for one test, and puts the old value back.
class TempFolderAsTmpdir : public ::testing::Test {
protected:
    void SetUp() override {
        std::string pattern = (std::filesystem::path(::testing::TempDir()) / "understudy-tmpdir-XXXXXX").string();
        ASSERT_NE(::mkdtemp(pattern.data()), nullptr);
        m_folder = pattern;
        if (const char* old = std::getenv("TMPDIR")) m_old_tmpdir = old;
        ::setenv("TMPDIR", m_folder.c_str(), 1);
    }
    void TearDown() override {
        m_old_tmpdir.empty() ? ::unsetenv("TMPDIR") : ::setenv("TMPDIR", m_old_tmpdir.c_str(), 1);
        std::filesystem::remove_all(m_folder);
    }

    std::vector<std::string> entries() const {
        std::vector<std::string> names;
        for (const auto& entry : std::filesystem::directory_iterator(m_folder)) names.push_back(entry.path().filename());
        return names;
    }

    std::filesystem::path m_folder;
    std::string m_old_tmpdir;
};

std::string read_text(const std::string& path) {
    std::ifstream file(path);
    std::stringstream content;
    content << file.rdbuf();
    return content.str();
}

TEST_F(TempFolderAsTmpdir, UnnamedFileHasNoNameAndChildrenThatInheritItShareIt) {
    PrivateTempFile file("understudy-test");
    ASSERT_FALSE(file.named()) << "this filesystem has O_TMPFILE";
    EXPECT_EQ(file.path(), "/dev/fd/" + std::to_string(file.inherited_fds().at(0)));
    EXPECT_EQ(entries(), std::vector<std::string>{});
    struct stat status {};
    ASSERT_EQ(::stat(file.path().c_str(), &status), 0);
    EXPECT_EQ(status.st_mode & 0777, 0600u);

    // A child writes through the path (opening it afresh, truncating) and a second one reads it back.
    auto written = run_process({"/bin/sh", "-c", "printf 'from the child' > \"$0\"", file.path()}, {}, {},
                               file.inherited_fds());
    ASSERT_EQ(written.exit_code, 0) << written.stderr_text;
    auto read = run_process({"cat", file.path()}, {}, {}, file.inherited_fds());
    EXPECT_EQ(read.stdout_text, "from the child");
    EXPECT_EQ(entries(), std::vector<std::string>{});
}

TEST_F(TempFolderAsTmpdir, ChildrenThatDoNotInheritItCannotOpenIt) {
    PrivateTempFile file("understudy-test");
    ASSERT_FALSE(file.named());
    file.write("secret schema");
    auto read = run_process({"cat", file.path()});
    EXPECT_NE(read.exit_code, 0);
    EXPECT_EQ(read.stdout_text, "");
}

TEST_F(TempFolderAsTmpdir, PathIsSeekableLikeAFile) {
    // pg_dump -Fc writes the table of contents, then seeks back to rewrite it with offsets.
    PrivateTempFile file("understudy-test");
    file.write("0123456789");
    auto seek = run_process({"/bin/sh", "-c", "printf XY | dd of=\"$0\" bs=1 seek=4 conv=notrunc status=none",
                             file.path()},
                            {}, {}, file.inherited_fds());
    ASSERT_EQ(seek.exit_code, 0) << seek.stderr_text;
    EXPECT_EQ(read_text(file.path()), "0123XY6789");
}

TEST_F(TempFolderAsTmpdir, WriteReplacesTheContent) {
    PrivateTempFile file("understudy-test");
    file.write("a longer first text");
    file.write("short");
    EXPECT_EQ(read_text(file.path()), "short");
}

TEST_F(TempFolderAsTmpdir, KilledProcessLeavesNothingBehind) {
    pid_t child = ::fork();
    ASSERT_GE(child, 0);
    if (child == 0) {
        // Only what the test needs between fork and the kill: no destructor runs after SIGKILL.
        PrivateTempFile file("understudy-test");
        file.write("an archive");
        ::raise(SIGKILL);
        ::_exit(0);
    }
    int status = 0;
    ASSERT_EQ(::waitpid(child, &status, 0), child);
    ASSERT_TRUE(WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL);
    EXPECT_EQ(entries(), std::vector<std::string>{});
}

TEST_F(TempFolderAsTmpdir, NamedFallbackIsAPrivateFileRemovedOnDestruction) {
    std::string path;
    {
        PrivateTempFile file("understudy-test", TempFileNaming::named);
        ASSERT_TRUE(file.named());
        path = file.path();
        EXPECT_EQ(std::filesystem::path(path).parent_path(), m_folder);
        EXPECT_EQ(std::filesystem::path(path).filename().string().rfind("understudy-test-", 0), 0u) << path;
        EXPECT_TRUE(file.inherited_fds().empty());
        struct stat status {};
        ASSERT_EQ(::stat(path.c_str(), &status), 0);
        EXPECT_EQ(status.st_mode & 0777, 0600u);
        file.write("by name");
        EXPECT_EQ(run_process({"cat", path}).stdout_text, "by name");
        // Moving hands the file on; the moved-from object removes nothing.
        PrivateTempFile moved = std::move(file);
        EXPECT_EQ(::access(path.c_str(), F_OK), 0);
    }
    EXPECT_NE(::access(path.c_str(), F_OK), 0);
    EXPECT_EQ(entries(), std::vector<std::string>{});
}

TEST_F(TempFolderAsTmpdir, UnwritableFolderIsAnIoError) {
    ::setenv("TMPDIR", (m_folder / "missing").c_str(), 1);
    try {
        PrivateTempFile file("understudy-test");
        FAIL() << "expected an error";
    } catch (const Error& error) {
        EXPECT_EQ(error.code(), ExitCode::io);
        EXPECT_NE(std::string(error.what()).find("missing"), std::string::npos) << error.what();
    }
}

TEST(RunProcessInheritedFds, StandardStreamsCannotBeInherited) {
    EXPECT_THROW(run_process({"true"}, {}, {}, {1}), Error);
}

}  // namespace
}  // namespace understudy::orchestrator

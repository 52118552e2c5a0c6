// Named points where a test can freeze a run to kill it there: crash safety is tested at exact
// steps (mid-copy, before the rename, ...) instead of at guessed times.
#pragma once

#include <signal.h>

#include <atomic>
#include <cstdio>
#include <cstdlib>
#include <cstring>

namespace understudy {

/// When UNDERSTUDY_TEST_PAUSE_AT names `point`, the first time the run reaches it the process
/// prints "understudy: test pause at <point>" to stderr and stops itself with SIGSTOP. The test
/// then sees the child stopped (waitpid with WUNTRACED) and sends SIGKILL, or SIGCONT to go on.
/// Unset (always, outside tests) this is one getenv per call, at a handful of call sites per run.
inline void test_pause_point(const char* point) {
    const char* wanted = std::getenv("UNDERSTUDY_TEST_PAUSE_AT");
    if (wanted == nullptr || std::strcmp(wanted, point) != 0) return;
    static std::atomic<bool> paused{false};
    if (paused.exchange(true)) return;
    std::fprintf(stderr, "understudy: test pause at %s\n", point);
    std::fflush(stderr);
    ::raise(SIGSTOP);
}

}  // namespace understudy

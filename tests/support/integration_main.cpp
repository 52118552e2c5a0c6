// main() of the integration test binaries: GoogleTest with the fixture servers stopped at the end.
#include <gtest/gtest.h>

// The fixture servers register their own tear-down (see test_cluster.cpp); a failure to start
// them fails the tests that need them, so nothing here can skip a test.
int main(int argc, char** argv) {
    ::testing::InitGoogleTest(&argc, argv);
    return RUN_ALL_TESTS();
}

// Tests include the public headers of a part (include/understudy/<part>/), not the files under its
// src/: a private header reached from a test is listed here with the reason it deserves a direct
// test, so that a new one is a decision rather than an accident, and a listed one that is gone is
// taken off the list.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <map>
#include <regex>
#include <set>
#include <string>

namespace understudy {
namespace {

const std::filesystem::path k_tests_dir = UNDERSTUDY_TEST_DATA_DIR;

/// Private header (as included, from the tests' folder) -> why a test reaches it directly.
const std::map<std::string, std::string> k_allowed_private_headers = {
    {"subsetter/src/inflection.hpp",
     "ActiveSupport's pluralization quirks are pinned word by word; the public API sees them only "
     "through a catalog inferred from a live source"},
    {"subsetter/src/key_probes.hpp",
     "probe arithmetic (uniform, deterministic, continuing a sequence) is pure; publicly it shows only "
     "as which rows a live source returns"},
    {"subsetter/src/selection_sql.hpp",
     "quoting of identifiers and array literals is checked as SQL text; the public selection needs a "
     "live snapshot to run it"},
    {"subsetter/src/plan_builder.hpp",
     "build_plan is make_plan without the database: plans from hand-made catalogs, no server"},
    {"subsetter/src/rails_inference.hpp",
     "the pure halves of the naming-convention inference, given type values instead of reading them"},
    {"subsetter/src/rails_models.hpp",
     "model declarations resolved from sources in memory, without an app directory or a catalog read"},
    {"anonymizer/src/pii_dictionary.hpp",
     "each language's words and qualifiers are pinned one by one; the public detection returns only "
     "the winning guess per column"},
    {"orchestrator/src/guards/verification_originals_finder.hpp",
     "token boundaries and case folding of the leak scan's search are pinned text by text; through "
     "verification they show only as a count per column of a built database"},
    {"anonymizer/src/value_sniffers.hpp",
     "each value detector's edge cases (Luhn, IBAN, national ids) are pinned one by one"},
    {"anonymizer/src/transformers/keyed_permutation.hpp",
     "the bijection property is checked over whole small domains, which the rules cannot enumerate"},
    {"anonymizer/src/transformers/temporal.hpp", "duration parsing and shape-keeping date shifts, case by case"},
};

/// Every `#include "…/<part>/src/…"` of the test sources, as "<part>/src/…".
std::set<std::string> private_includes_of_tests() {
    static const std::regex include(R"re(#include\s+"(?:\.\./)+([a-z_]+/src/[^"]+)")re");
    std::set<std::string> found;
    for (const auto& entry : std::filesystem::recursive_directory_iterator(k_tests_dir)) {
        const std::string extension = entry.path().extension().string();
        if (!entry.is_regular_file() || (extension != ".cpp" && extension != ".hpp")) continue;
        std::ifstream file(entry.path());
        for (std::string line; std::getline(file, line);) {
            std::smatch match;
            if (std::regex_search(line, match, include)) found.insert(match[1]);
        }
    }
    return found;
}

TEST(TestIncludes, PrivateHeadersReachedByTestsAreTheListedOnes) {
    const std::set<std::string> found = private_includes_of_tests();
    for (const std::string& header : found) {
        EXPECT_EQ(k_allowed_private_headers.count(header), 1u)
            << header << " is private: test it through its part's public header, or list it here with why";
    }
    for (const auto& [header, reason] : k_allowed_private_headers) {
        EXPECT_EQ(found.count(header), 1u) << header << " is no longer included by a test: take it off the list";
    }
}

}  // namespace
}  // namespace understudy

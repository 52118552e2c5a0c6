// Benchmark: the anonymizer's in-process throughput on COPY text rows, per core, against pass-through.
//
// usage: anonymizer_bench [ROWS]   (default 1000000)
//
// Builds ROWS synthetic COPY rows of a users-like table (id, email, full_name, phone, created_at,
// status, score, org_id: 3 PII columns and 5 others) and times TableRewriter::rewrite over them on one
// thread, three ways: no rules (the pass-through baseline), `fixed` on the 3 PII columns (the codec's
// own cost: split, decode, encode) and the real rules (fake email, fake full_name, fake phone).
// Throughput counts input bytes per CPU-second of the rewriting thread. The goal is >= 500 MB/s per core with the real rules.
#include <yaml-cpp/yaml.h>

#include <time.h>

#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <random>
#include <string>
#include <vector>

#include "understudy/anonymizer/rules.hpp"
#include "understudy/anonymizer/secret.hpp"
#include "understudy/anonymizer/table_rewriter.hpp"

namespace {

namespace an = understudy::anonymizer;

const std::vector<std::string> k_columns = {"id", "email", "full_name", "phone", "created_at", "status", "score", "org_id"};

const char* const k_first_names[] = {"Ada", "Grace", "Zoë", "Emmy", "Alan", "Katherine", "Linus", "Margaret", "Jürgen", "Noor"};
const char* const k_last_names[] = {"Lovelace", "Hopper", "Ørsted", "Noether", "Turing", "Johnson", "Torvalds", "Hamilton", "Müller", "Haddad"};
const char* const k_statuses[] = {"active", "invited", "suspended", "deleted"};

/// The rows, one COPY text line each (newline included), and their total size.
struct Rows {
    std::string text;
    std::vector<std::size_t> offsets;  ///< start of each row, plus the end
};

Rows make_rows(std::size_t count) {
    std::mt19937_64 random(42);
    Rows rows;
    rows.text.reserve(count * 120);
    char line[512];
    for (std::size_t row_idx = 0; row_idx < count; ++row_idx) {
        rows.offsets.push_back(rows.text.size());
        const auto first = k_first_names[random() % 10];
        const auto last = k_last_names[random() % 10];
        const int length = std::snprintf(
            line, sizeof line,
            "%zu\t%s.%s%llu@example.com\t%s %s\t+1 555 %07llu\t2024-%02llu-%02llu %02llu:%02llu:%02llu.%06llu+00\t%s\t%llu.%02llu\t%llu\n",
            row_idx + 1, first, last, static_cast<unsigned long long>(random() % 100000), first, last,
            static_cast<unsigned long long>(random() % 10000000), static_cast<unsigned long long>(random() % 12 + 1),
            static_cast<unsigned long long>(random() % 28 + 1), static_cast<unsigned long long>(random() % 24),
            static_cast<unsigned long long>(random() % 60), static_cast<unsigned long long>(random() % 60),
            static_cast<unsigned long long>(random() % 1000000), k_statuses[random() % 4],
            static_cast<unsigned long long>(random() % 1000), static_cast<unsigned long long>(random() % 100),
            static_cast<unsigned long long>(random() % 5000 + 1));
        rows.text.append(line, static_cast<std::size_t>(length));
    }
    rows.offsets.push_back(rows.text.size());
    return rows;
}

// CPU time of this thread: the machine may be shared, and "per core" means per CPU-second.
double thread_cpu_seconds() {
    timespec now{};
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &now);
    return static_cast<double>(now.tv_sec) + static_cast<double>(now.tv_nsec) / 1e9;
}

struct Result {
    double seconds = 0;      ///< CPU seconds
    double wall_seconds = 0;
    std::uint64_t bytes_out = 0;
};

Result time_rewrite(const Rows& rows, const an::RuleSet& rules, const an::Secret& secret) {
    an::TableRewriter rewriter(rules, secret, "public.users", k_columns);
    std::string out;
    out.reserve(1 << 22);
    Result result;
    const auto start = std::chrono::steady_clock::now();
    const double cpu_start = thread_cpu_seconds();
    const std::size_t count = rows.offsets.size() - 1;
    for (std::size_t row_idx = 0; row_idx < count; ++row_idx) {
        const std::size_t begin = rows.offsets[row_idx];
        rewriter.rewrite(std::string_view(rows.text).substr(begin, rows.offsets[row_idx + 1] - begin), out);
        // A COPY stream forwards its buffer every few MB; do the same so the output stays in cache.
        if (out.size() >= (1 << 21)) {
            result.bytes_out += out.size();
            out.clear();
        }
    }
    result.bytes_out += out.size();
    result.seconds = thread_cpu_seconds() - cpu_start;
    result.wall_seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    return result;
}

void report(const char* name, const Rows& rows, const Result& result) {
    const double megabytes = static_cast<double>(rows.text.size()) / 1e6;
    const double count = static_cast<double>(rows.offsets.size() - 1);
    std::printf("%-34s %7.3f s cpu (%7.3f s wall) %9.1f MB/s per core %11.0f rows/s per core\n", name,
                result.seconds, result.wall_seconds, megabytes / result.seconds, count / result.seconds);
}

an::RuleSet rules_from(const char* yaml) { return an::RuleSet::from_yaml(YAML::Load(yaml), "bench rules"); }

}  // namespace

int main(int argc, char** argv) {
    const std::size_t count = argc > 1 ? std::strtoull(argv[1], nullptr, 10) : 1000000;
    const an::Secret secret = an::Secret::from_text("benchmark-secret-not-for-real-use", "bench");
    const Rows rows = make_rows(count);
    std::printf("%zu rows, %.1f MB of COPY text, 8 columns (3 PII), one thread\n", count,
                static_cast<double>(rows.text.size()) / 1e6);

    const an::RuleSet no_rules = rules_from("anonymize:\n  default: keep\n");
    const an::RuleSet fixed_rules = rules_from(R"(
anonymize:
  default: keep
  tables:
    public.users:
      email: {fixed: "user@example.com"}
      full_name: {fixed: "Jane Doe"}
      phone: {fixed: "+1 555 0000000"}
)");
    const an::RuleSet pii_rules = rules_from(R"(
anonymize:
  default: keep
  tables:
    public.users:
      email: {fake: email}
      full_name: {fake: full_name}
      phone: {fake: phone}
)");
    // Warm the caches and the allocator once, then measure.
    time_rewrite(rows, pii_rules, secret);
    report("baseline: no rules (pass-through)", rows, time_rewrite(rows, no_rules, secret));
    report("codec: fixed on 3 columns", rows, time_rewrite(rows, fixed_rules, secret));
    const Result pii = time_rewrite(rows, pii_rules, secret);
    report("anonymizer: fake email/name/phone", rows, pii);
    const double throughput = static_cast<double>(rows.text.size()) / 1e6 / pii.seconds;
    std::printf("goal >= 500 MB/s per core: %s (%.0f MB/s)\n", throughput >= 500 ? "met" : "NOT met", throughput);
    return 0;
}

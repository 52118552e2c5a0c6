// `understudy anonymize`: rewrites the COPY blocks of a plain pg_dump stream, passes the rest through.
#pragma once

#include <cstdint>
#include <istream>
#include <ostream>
#include <string>
#include <vector>

#include "understudy/anonymizer/dump_fail_closed.hpp"
#include "understudy/anonymizer/rules.hpp"
#include "understudy/anonymizer/secret.hpp"

namespace understudy::anonymizer {

/// What the filter did.
struct DumpFilterStats {
    std::uint64_t tables = 0;
    std::uint64_t rows = 0;
    std::uint64_t bytes_in = 0;
    /// Tables that have rules but no COPY block in the dump, sorted: under `default: keep` a
    /// misspelt table name would otherwise go unnoticed, so the caller should warn about them.
    std::vector<std::string> unmatched_tables;
};

/// Copies `in` to `out`; inside each `COPY schema.table (cols) FROM stdin;` … `\.` block, rows are
/// rewritten with the table's rules. Fail-closed like a run: a block with a column that has no rule
/// and is not kept (under `default: fail`) stops the filter before that block's first row is written,
/// naming the table, the column and the input line. Needs no database.
/// A COPY block of a leaf partition that has no rules of its own gets its nearest ancestor's, the
/// partition tree being read from the dump's `ATTACH PARTITION` / `PARTITION OF` statements.
/// Input that is not a plain SQL dump (refuse_input) is refused before anything is written. On any
/// failure the output ends with failure_trailer(), so that `psql -1 -v ON_ERROR_STOP=1` stops and
/// rolls back, and the error is rethrown.
DumpFilterStats filter_dump(std::istream& in, std::ostream& out, const RuleSet& rules, const Secret& secret);

}  // namespace understudy::anonymizer

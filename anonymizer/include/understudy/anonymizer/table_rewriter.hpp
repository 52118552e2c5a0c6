// Rewrites the COPY text rows of one table in flight, decoding only the columns that have rules.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "understudy/anonymizer/rules.hpp"
#include "understudy/anonymizer/secret.hpp"

namespace understudy::anonymizer {

/// One table's row rewriter. Built once per table copy; rewrite() is the hot path.
class TableRewriter {
public:
    /// `columns`: the COPY column list in order. Columns without a rule pass through untouched.
    TableRewriter(const RuleSet& rules, const Secret& secret, const std::string& table,
                  const std::vector<std::string>& columns);
    ~TableRewriter();
    TableRewriter(TableRewriter&&) noexcept;

    /// True when no rule touches this table: rows can be forwarded as they are.
    bool passthrough() const;
    /// Appends the rewritten `row` (one COPY text row, newline included) to `out`. Errors name the
    /// table, column, rule and row number — never a value.
    void rewrite(std::string_view row, std::string& out);

private:
    struct Impl;
    std::unique_ptr<Impl> m_impl;
};

}  // namespace understudy::anonymizer

// The one place that spells COPY statements, both directions.
#pragma once

#include <string>

#include "understudy/subsetter/catalog.hpp"

namespace understudy::orchestrator {

/// `COPY (<select>) TO STDOUT`, or the faster `COPY table (cols) TO STDOUT` when `select` is empty
/// (the whole of a plain table).
std::string copy_out_statement(const subsetter::Table& table, const std::string& select);

/// `COPY table (cols) FROM STDIN`, with FREEZE when `freeze` (the caller truncated the table in the
/// same transaction, so the rows can be written frozen and later vacuums skip them).
std::string copy_in_statement(const subsetter::Table& table, bool freeze);

}  // namespace understudy::orchestrator

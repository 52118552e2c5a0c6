// The one place that spells COPY statements, both directions.
#pragma once

#include <string>

#include "understudy/subsetter/catalog.hpp"

namespace understudy::orchestrator {

/// `COPY (<select>) TO STDOUT`, or the faster `COPY table (cols) TO STDOUT` when `select` is empty
/// (the whole of a plain table).
/// `relation`, when given, is read instead of the table: one of its leaf partitions (same columns).
/// With `binary`, rows travel in COPY's binary format (see TransferSource::binary).
std::string copy_out_statement(const subsetter::Table& table, const std::string& select,
                               const subsetter::QualifiedName* relation = nullptr, bool binary = false);

/// `COPY table (cols) FROM STDIN`, with FREEZE when `freeze` (the caller truncated the table in the
/// same transaction, so the rows can be written frozen and later vacuums skip them).
/// `relation`, when given, is loaded instead of the table: one of its leaf partitions.
std::string copy_in_statement(const subsetter::Table& table, bool freeze,
                              const subsetter::QualifiedName* relation = nullptr, bool binary = false);

}  // namespace understudy::orchestrator

// Builds every COPY statement of a run (pgcopydb's rule: one builder, so options never drift).
#include "understudy/orchestrator/transfer/copy_statement.hpp"

#include "understudy/pg/sql_text.hpp"

namespace understudy::orchestrator {

std::string copy_out_statement(const subsetter::Table& table, const std::string& select,
                               const subsetter::QualifiedName* relation, bool binary) {
    const std::string options = binary ? " WITH (FORMAT binary)" : "";
    if (select.empty()) {
        // COPY of a table reads only that table, never its inheritance children.
        return "COPY " + (relation ? *relation : table.name).quoted() + " (" +
               pg::quote_ident_list(table.copy_columns()) + ") TO STDOUT" + options;
    }
    return "COPY (" + select + ") TO STDOUT" + options;
}

std::string copy_in_statement(const subsetter::Table& table, bool freeze, const subsetter::QualifiedName* relation,
                              bool binary) {
    std::string options;
    if (binary) options += "FORMAT binary";
    if (freeze) options += std::string(options.empty() ? "" : ", ") + "FREEZE";
    return "COPY " + (relation ? *relation : table.name).quoted() + " (" +
           pg::quote_ident_list(table.copy_columns()) + ") FROM STDIN" +
           (options.empty() ? std::string() : " WITH (" + options + ")");
}

}  // namespace understudy::orchestrator

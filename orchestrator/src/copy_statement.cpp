// Builds every COPY statement of a run (pgcopydb's rule: one builder, so options never drift).
#include "understudy/orchestrator/copy_statement.hpp"

#include "understudy/pg/sql_text.hpp"

namespace understudy::orchestrator {

std::string copy_out_statement(const subsetter::Table& table, const std::string& select,
                               const subsetter::QualifiedName* relation) {
    if (select.empty()) {
        // COPY of a table reads only that table, never its inheritance children.
        return "COPY " + (relation ? *relation : table.name).quoted() + " (" + pg::quote_ident_list(table.copy_columns()) + ") TO STDOUT";
    }
    return "COPY (" + select + ") TO STDOUT";
}

std::string copy_in_statement(const subsetter::Table& table, bool freeze, const subsetter::QualifiedName* relation) {
    return "COPY " + (relation ? *relation : table.name).quoted() + " (" + pg::quote_ident_list(table.copy_columns()) + ") FROM STDIN" +
           (freeze ? " WITH (FREEZE)" : "");
}

}  // namespace understudy::orchestrator

// Aligned text tables: widths from the widest cell of each column.
#include "understudy/subsetter/text_table.hpp"

#include <algorithm>

namespace understudy::subsetter {

std::string format_text_table(const std::vector<std::string>& headers, const std::vector<bool>& right_aligned,
                              const std::vector<std::vector<std::string>>& rows, const std::string& indent) {
    std::vector<std::size_t> widths(headers.size());
    for (std::size_t column_idx = 0; column_idx < headers.size(); ++column_idx) {
        widths[column_idx] = headers[column_idx].size();
        for (const auto& row : rows) widths[column_idx] = std::max(widths[column_idx], row[column_idx].size());
    }
    auto format_row = [&](const std::vector<std::string>& cells) {
        std::string line = indent;
        for (std::size_t column_idx = 0; column_idx < cells.size(); ++column_idx) {
            const std::string& cell = cells[column_idx];
            const std::string padding(widths[column_idx] - cell.size(), ' ');
            if (column_idx > 0) line += "  ";
            line += right_aligned[column_idx] ? padding + cell : cell + padding;
        }
        while (!line.empty() && line.back() == ' ') line.pop_back();
        return line + "\n";
    };
    std::string out = format_row(headers);
    for (const auto& row : rows) out += format_row(row);
    return out;
}

}  // namespace understudy::subsetter

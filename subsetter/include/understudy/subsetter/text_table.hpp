// Aligned text tables, as `understudy plan`, `subset` and `sync` print them.
#pragma once

#include <string>
#include <vector>

namespace understudy::subsetter {

/// The header row and the rows, each line starting with `indent`, columns two spaces apart,
/// padded to the widest cell (right-aligned where `right_aligned` says so), trailing spaces cut.
std::string format_text_table(const std::vector<std::string>& headers, const std::vector<bool>& right_aligned,
                              const std::vector<std::vector<std::string>>& rows, const std::string& indent = "");

}  // namespace understudy::subsetter

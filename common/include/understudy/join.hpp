// Joining strings with a separator: the one helper every part needs for messages and SQL lists.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace understudy {

/// `parts` joined by `separator`: join({"a", "b"}, ", ") == "a, b".
inline std::string join(const std::vector<std::string>& parts, std::string_view separator) {
    std::string out;
    for (const auto& part : parts) {
        if (!out.empty()) out += separator;
        out += part;
    }
    return out;
}

}  // namespace understudy

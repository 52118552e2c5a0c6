// An embedded .sql file made runnable: its @name@ tokens replaced by the text the caller computed.
#pragma once

#include <initializer_list>
#include <string>
#include <string_view>
#include <utility>

#include "understudy/pg/user_schemas.hpp"

namespace understudy::orchestrator {

/// `sql` with `@user_schemas@` replaced by the user-schema filter and each `@name@` of `tokens` by
/// its text, for what a bind parameter cannot be (identifiers, a subquery); the caller quotes what
/// it passes. One pass: replaced text is never searched again, so a name holding `@` stays as it is;
/// an `@` that starts no known token (the `@>` operator) is left alone.
inline std::string sql_with(std::string_view sql,
                            std::initializer_list<std::pair<std::string_view, std::string_view>> tokens = {}) {
    std::string out;
    out.reserve(sql.size());
    std::size_t at = 0;
    for (auto open = sql.find('@'); open != std::string_view::npos; open = sql.find('@', at)) {
        out.append(sql, at, open - at);
        at = open + 1;
        const auto close = sql.find('@', open + 1);
        if (close == std::string_view::npos) {
            out += '@';
            continue;
        }
        const auto name = sql.substr(open + 1, close - open - 1);
        std::string_view text;
        bool known = false;
        if ("@" + std::string(name) + "@" == pg::k_user_schema_token) {
            text = pg::k_user_schema_filter;
            known = true;
        }
        for (const auto& token : tokens) {
            if (token.first == name) {
                text = token.second;
                known = true;
            }
        }
        if (!known) {
            out += '@';
            continue;
        }
        out += text;
        at = close + 1;
    }
    out.append(sql, at, std::string_view::npos);
    return out;
}

}  // namespace understudy::orchestrator

// Statements on a QuerySession: one transaction (or none), with results read through pg::Result.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <type_traits>
#include <vector>

#include "understudy/pg/result.hpp"

namespace understudy::pg {

class QuerySession;

namespace detail {
struct TransactionState;  // the libpqxx transaction (pg/src)

/// A bind parameter as the text libpqxx would send, or nullopt for NULL.
using Param = std::optional<std::string>;
inline Param to_param(const std::string& value) { return value; }
inline Param to_param(std::string_view value) { return std::string(value); }
inline Param to_param(const char* value) { return value ? Param(value) : std::nullopt; }
inline Param to_param(bool value) { return std::string(value ? "true" : "false"); }
template <typename T, typename = std::enable_if_t<std::is_integral_v<T> && !std::is_same_v<T, bool>>>
Param to_param(T value) {
    return std::to_string(value);
}
template <typename T> Param to_param(const std::optional<T>& value) {
    return value ? to_param(*value) : std::nullopt;
}
}  // namespace detail

/// A transaction on a QuerySession (or, for `QuerySession::autocommit()`, statements that each
/// commit on their own). Leaving it without commit() rolls it back. A failing statement throws
/// libpqxx's error: wrap calls in pg::with_context to get a DatabaseError naming side and action.
class Transaction {
public:
    explicit Transaction(std::unique_ptr<detail::TransactionState> state);
    Transaction(Transaction&&) noexcept;
    Transaction& operator=(Transaction&&) noexcept;
    ~Transaction();

    /// Runs `sql` (one or more statements, simple protocol) and returns the last one's rows.
    Result exec(const std::string& sql);
    /// Runs `sql`, which must return no rows.
    Result exec0(const std::string& sql);
    /// Runs `sql`, which must return exactly one row.
    Row exec1(const std::string& sql);
    /// Runs one statement with bind parameters $1, $2, ... (extended protocol: a failure leaves
    /// a savepoint usable, and no second statement can hide in `sql`).
    template <typename... Args> Result exec_params(const std::string& sql, const Args&... args) {
        return exec_params_list(sql, {detail::to_param(args)...});
    }
    /// exec_params for a statement that must return exactly one row.
    template <typename... Args> Row exec_params1(const std::string& sql, const Args&... args) {
        return exec_params1_list(sql, {detail::to_param(args)...});
    }
    Result exec_params_list(const std::string& sql, const std::vector<detail::Param>& params);
    Row exec_params1_list(const std::string& sql, const std::vector<detail::Param>& params);

    /// `text` as an SQL string literal, escaped by libpq for this connection.
    std::string quote(std::string_view text) const;
    /// `name` as a quoted SQL identifier, escaped by libpq.
    std::string quote_name(std::string_view name) const;
    /// `text` escaped for use inside single quotes.
    std::string esc(std::string_view text) const;

    /// Commits (for autocommit statements: nothing to do).
    void commit();

private:
    std::unique_ptr<detail::TransactionState> m_state;
};

}  // namespace understudy::pg

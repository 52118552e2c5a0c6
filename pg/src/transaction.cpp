// pg::Transaction: statements through a libpqxx transaction, results handed out as pg::Result.
#include "understudy/pg/transaction.hpp"

#include <pqxx/transaction_base>

#include "pqxx_state.hpp"

namespace understudy::pg {

Transaction::Transaction(std::unique_ptr<detail::TransactionState> state) : m_state(std::move(state)) {}
Transaction::Transaction(Transaction&&) noexcept = default;
Transaction& Transaction::operator=(Transaction&&) noexcept = default;
Transaction::~Transaction() = default;

Result Transaction::exec(const std::string& sql) { return detail::make_result(m_state->transaction->exec(sql)); }

Result Transaction::exec0(const std::string& sql) { return detail::make_result(m_state->transaction->exec0(sql)); }

Row Transaction::exec1(const std::string& sql) {
    // exec1's own check (and message) for "not exactly one row", then the row of our result.
    auto result = m_state->transaction->exec_n(1, sql);
    return detail::make_result(std::move(result))[0];
}

namespace {

/// The parameters as libpqxx takes a list of them: text, or a null pointer for NULL.
std::vector<const char*> param_values(const std::vector<detail::Param>& params) {
    std::vector<const char*> values;
    values.reserve(params.size());
    for (const auto& param : params) values.push_back(param ? param->c_str() : nullptr);
    return values;
}

}  // namespace

Result Transaction::exec_params_list(const std::string& sql, const std::vector<detail::Param>& params) {
    const auto values = param_values(params);
    return detail::make_result(m_state->transaction->exec_params(sql, pqxx::prepare::make_dynamic_params(values)));
}

Row Transaction::exec_params1_list(const std::string& sql, const std::vector<detail::Param>& params) {
    const auto values = param_values(params);
    auto result = m_state->transaction->exec_params_n(1, sql, pqxx::prepare::make_dynamic_params(values));
    return detail::make_result(std::move(result))[0];
}

std::string Transaction::quote(std::string_view text) const { return m_state->transaction->quote(std::string(text)); }

std::string Transaction::quote_name(std::string_view name) const {
    return m_state->transaction->quote_name(std::string(name));
}

std::string Transaction::esc(std::string_view text) const { return m_state->transaction->esc(std::string(text)); }

void Transaction::commit() { m_state->transaction->commit(); }


}  // namespace understudy::pg

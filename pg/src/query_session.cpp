// pg::QuerySession: a libpqxx connection with the run's session settings, and its transactions.
#include "understudy/pg/query_session.hpp"

#include <pqxx/nontransaction>
#include <pqxx/transaction>

#include "pqxx_state.hpp"
#include "understudy/pg/session_settings.hpp"

namespace understudy::pg {
namespace {

template <typename PqxxTransaction> Transaction open(pqxx::connection& connection) {
    auto state = std::make_unique<detail::TransactionState>();
    state->transaction = std::make_unique<PqxxTransaction>(connection);
    return Transaction(std::move(state));
}

}  // namespace

QuerySession::QuerySession(const ConnInfo& info, Side side) : m_state(std::make_unique<detail::SessionState>()) {
    m_state->side = side;
    const ConnInfo effective = with_default_connect_timeout(info.with("application_name", "understudy"));
    m_state->connection = with_context(side, "could not connect to " + info.redacted(), [&] {
        return std::make_unique<pqxx::connection>(effective.keyword_string());
    });
    // Before anything else is read or written, so that no value passes under the database's own settings.
    with_context(side, "could not configure the session", [&] {
        pqxx::nontransaction tx(*m_state->connection);
        tx.exec(session_settings_sql(side));
    });
}

QuerySession::QuerySession(QuerySession&&) noexcept = default;
QuerySession& QuerySession::operator=(QuerySession&&) noexcept = default;
QuerySession::~QuerySession() = default;

Side QuerySession::side() const { return m_state->side; }

Transaction QuerySession::autocommit() { return open<pqxx::nontransaction>(*m_state->connection); }

Transaction QuerySession::begin() { return open<pqxx::work>(*m_state->connection); }

Transaction QuerySession::begin_repeatable_read_only() {
    return open<pqxx::transaction<pqxx::repeatable_read, pqxx::read_only>>(*m_state->connection);
}

std::string QuerySession::host() const {
    const char* host = m_state->connection->hostname();
    return host ? host : "";
}

std::string QuerySession::port() const {
    const char* port = m_state->connection->port();
    return port ? port : "";
}


std::unique_ptr<QuerySession> connect(const ConnInfo& info, Side side) {
    return std::make_unique<QuerySession>(info, side);
}

}  // namespace understudy::pg

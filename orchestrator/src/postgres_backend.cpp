// The postgres and none promotion backends.
#include "understudy/orchestrator/postgres_backend.hpp"

#include <algorithm>

#include <pqxx/nontransaction>
#include <pqxx/result>

#include "understudy/error.hpp"
#include "understudy/pg/session.hpp"
#include "understudy/pg/sql_text.hpp"

namespace understudy::orchestrator {
namespace {

class PostgresBackend : public PromotionBackend {
public:
    explicit PostgresBackend(const pg::ConnInfo& live) : m_live(live) {
        auto name = live.get("dbname");
        if (!name || name->empty())
            throw Error(ExitCode::config, "the sync target names no database", "give the live database in the target URL");
        m_name = *name;
        // Database names are cut at 63 bytes; ours must stay distinct from the live one.
        if (m_name.size() > 40) throw Error(ExitCode::config, "the live database name \"" + m_name + "\" is too long for the sync's companion names (max 40 bytes)");
    }

    std::string name() const override { return "postgres"; }

    pg::ConnInfo live_database() override { return m_live; }

    pg::ConnInfo prepare_new_database() override {
        auto connection = maintenance();
        pqxx::nontransaction tx(*connection);
        with_target("could not prepare the new database", [&] {
            // A crash between blocking connections and the rename may have left live closed.
            reopen(tx, m_name);
            // A leftover new database is from an earlier, failed run: never promoted, always rebuilt.
            tx.exec0("DROP DATABASE IF EXISTS " + pg::quote_ident(new_name()) + " WITH (FORCE)");
            auto live = tx.exec_params("SELECT pg_encoding_to_char(encoding), datcollate, datctype FROM pg_database "
                                       "WHERE datname = $1", m_name);
            std::string create = "CREATE DATABASE " + pg::quote_ident(new_name()) + " TEMPLATE template0";
            if (!live.empty()) {
                create += " ENCODING " + pg::quote_literal(live[0][0].c_str()) + " LC_COLLATE " +
                          pg::quote_literal(live[0][1].c_str()) + " LC_CTYPE " + pg::quote_literal(live[0][2].c_str());
            }
            tx.exec0(create);
        });
        return m_live.with("dbname", new_name());
    }

    std::string promote() override {
        auto connection = maintenance();
        pqxx::nontransaction tx(*connection);
        std::string previous;
        with_target("could not promote \"" + new_name() + "\"", [&] {
          try {
            bool live_exists = exists(tx, m_name);
            previous = previous_name(next_previous_number(tx));
            if (live_exists) {
                // New sessions are refused while the old ones are terminated, so that the rename,
                // which needs the database to itself, does not wait on a session that just came in.
                tx.exec0("ALTER DATABASE " + pg::quote_ident(m_name) + " ALLOW_CONNECTIONS false");
                tx.exec_params("SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                               "WHERE datname = $1 AND pid <> pg_backend_pid()", m_name);
            }
            // One transaction: clients find either the old database or the new one under the name.
            tx.exec0("BEGIN");
            if (live_exists) tx.exec0("ALTER DATABASE " + pg::quote_ident(m_name) + " RENAME TO " + pg::quote_ident(previous));
            tx.exec0("ALTER DATABASE " + pg::quote_ident(new_name()) + " RENAME TO " + pg::quote_ident(m_name));
            tx.exec0("COMMIT");
            if (live_exists) reopen(tx, previous);
          } catch (...) {
            // Never leave the live database closed: whatever failed, it takes connections again.
            try {
                tx.exec0("ROLLBACK");
            } catch (...) {
            }
            try {
                reopen(tx, m_name);
            } catch (...) {
            }
            throw;
          }
        });
        return "renamed \"" + new_name() + "\" to \"" + m_name + "\"" +
               (previous.empty() ? std::string() : "; the old one is kept as \"" + previous + "\"");
    }

    std::vector<std::string> drop_old(int keep) override {
        auto connection = maintenance();
        pqxx::nontransaction tx(*connection);
        std::vector<std::string> dropped;
        with_target("could not drop old copies", [&] {
            auto previous = previous_databases(tx);
            for (std::size_t index = static_cast<std::size_t>(std::max(keep, 0)); index < previous.size(); ++index) {
                tx.exec0("DROP DATABASE IF EXISTS " + pg::quote_ident(previous[index].second) + " WITH (FORCE)");
                dropped.push_back(previous[index].second);
            }
        });
        return dropped;
    }

    std::string rollback() override {
        auto connection = maintenance();
        pqxx::nontransaction tx(*connection);
        std::string restored;
        std::string demoted;
        with_target("could not roll back", [&] {
            auto previous = previous_databases(tx);
            if (previous.empty())
                throw Error(ExitCode::target, "no previous copy of \"" + m_name + "\" to roll back to");
            restored = previous.front().second;
            demoted = previous_name(previous.front().first + 1);
            tx.exec0("ALTER DATABASE " + pg::quote_ident(m_name) + " ALLOW_CONNECTIONS false");
            tx.exec_params("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = $1 AND pid <> pg_backend_pid()",
                           m_name);
            tx.exec0("BEGIN");
            tx.exec0("ALTER DATABASE " + pg::quote_ident(m_name) + " RENAME TO " + pg::quote_ident(demoted));
            tx.exec0("ALTER DATABASE " + pg::quote_ident(restored) + " RENAME TO " + pg::quote_ident(m_name));
            tx.exec0("COMMIT");
            reopen(tx, m_name);
            reopen(tx, demoted);
        });
        return "renamed \"" + restored + "\" back to \"" + m_name + "\"; the rolled-back copy is kept as \"" + demoted + "\"";
    }

private:
    template <typename Body>
    void with_target(const std::string& action, Body&& body) {
        pg::with_context(pg::Side::target, action, [&] { body(); });
    }

    std::unique_ptr<pqxx::connection> maintenance() {
        // Renames and drops run from another database of the same server: never from the ones renamed.
        return pg::connect(m_live.with("dbname", m_name == "postgres" ? "template1" : "postgres"), pg::Side::target);
    }

    std::string new_name() const { return m_name + "_understudy_new"; }
    std::string previous_name(int number) const { return m_name + "_understudy_prev_" + std::to_string(number); }

    static bool exists(pqxx::transaction_base& tx, const std::string& database) {
        return !tx.exec_params("SELECT 1 FROM pg_database WHERE datname = $1", database).empty();
    }

    static void reopen(pqxx::transaction_base& tx, const std::string& database) {
        if (exists(tx, database)) tx.exec0("ALTER DATABASE " + pg::quote_ident(database) + " ALLOW_CONNECTIONS true");
    }

    /// (number, name) of every previous copy, newest first.
    std::vector<std::pair<int, std::string>> previous_databases(pqxx::transaction_base& tx) const {
        std::vector<std::pair<int, std::string>> found;
        const std::string prefix = m_name + "_understudy_prev_";
        for (const auto& row : tx.exec_params("SELECT datname FROM pg_database WHERE starts_with(datname, $1)", prefix)) {
            std::string name = row[0].c_str();
            std::string number = name.substr(prefix.size());
            if (number.empty() || number.find_first_not_of("0123456789") != std::string::npos) continue;
            found.emplace_back(std::stoi(number), name);
        }
        std::sort(found.begin(), found.end(), [](const auto& left, const auto& right) { return left.first > right.first; });
        return found;
    }

    int next_previous_number(pqxx::transaction_base& tx) const {
        auto previous = previous_databases(tx);
        return previous.empty() ? 1 : previous.front().first + 1;
    }

    pg::ConnInfo m_live;
    std::string m_name;
};

class NoneBackend : public PromotionBackend {
public:
    explicit NoneBackend(const pg::ConnInfo& target) : m_target(target) {}
    std::string name() const override { return "none"; }
    pg::ConnInfo live_database() override { return m_target; }
    pg::ConnInfo prepare_new_database() override { return m_target; }
    std::string promote() override { return "nothing to promote (backend none): the target was built in place"; }
    std::vector<std::string> drop_old(int) override { return {}; }
    std::string rollback() override {
        throw Error(ExitCode::usage, "backend none keeps no previous copy to roll back to");
    }

private:
    pg::ConnInfo m_target;
};

}  // namespace

std::unique_ptr<PromotionBackend> make_postgres_backend(const pg::ConnInfo& live) {
    return std::make_unique<PostgresBackend>(live);
}

std::unique_ptr<PromotionBackend> make_none_backend(const pg::ConnInfo& target) {
    return std::make_unique<NoneBackend>(target);
}

}  // namespace understudy::orchestrator

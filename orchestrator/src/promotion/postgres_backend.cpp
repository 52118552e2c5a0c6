// The postgres and none promotion backends.
#include "understudy/orchestrator/promotion/postgres_backend.hpp"

#include <algorithm>
#include <atomic>
#include <chrono>
#include <exception>
#include <optional>
#include <thread>

#include "understudy/pg/query_session.hpp"
#include "understudy/pg/result.hpp"

#include "understudy/error.hpp"
#include "understudy/orchestrator/schema/database_properties.hpp"
#include "understudy/pg/session.hpp"
#include "understudy/pg/sql_text.hpp"
#include "understudy/test_pause.hpp"

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
        pg::Transaction tx = connection->autocommit();
        with_target("could not prepare the new database", [&] {
            // A leftover new database is from an earlier, failed run: never promoted, always rebuilt.
            tx.exec0("DROP DATABASE IF EXISTS " + pg::quote_ident(new_name()) + " WITH (FORCE)");
        });
        // Live's owner, privileges and settings are read now, before anything is built, and given
        // to the copy once it is loaded (give_live_properties): a failure then leaves live untouched.
        m_live_properties.reset();
        if (with_target("could not read the live database", [&] { return exists(tx, m_name); })) {
            auto reader = maintenance();
            auto live_connection = pg::connect(m_live, pg::Side::target);
            m_live_properties = read_database_properties(*reader, *live_connection, m_name);
        }
        with_target("could not prepare the new database", [&] {
            // template0 takes any encoding and locale: the copy gets live's, so that text sorts
            // and converts the same. It is built in live's tablespace (moving it later copies it).
            const int version = tx.exec1("SELECT current_setting('server_version_num')::int")[0].as<int>();
            // Inline, not in orchestrator/sql: the columns it reads depend on the server's version.
            const std::string locale_column = version >= 170000 ? "datlocale" : version >= 150000 ? "daticulocale" : "NULL";
            const std::string provider_column = version >= 150000 ? "datlocprovider::text" : "'c'";
            auto live = tx.exec_params("SELECT pg_encoding_to_char(encoding), datcollate, datctype, " + provider_column +
                                           ", " + locale_column + " FROM pg_database WHERE datname = $1",
                                       m_name);
            std::string create = "CREATE DATABASE " + pg::quote_ident(new_name()) + " TEMPLATE template0";
            if (!live.empty()) {
                create += " ENCODING " + pg::quote_literal(live[0][0].c_str()) + " LC_COLLATE " +
                          pg::quote_literal(live[0][1].c_str()) + " LC_CTYPE " + pg::quote_literal(live[0][2].c_str());
                const std::string provider = live[0][3].c_str();
                if (provider == "i") {
                    create += " LOCALE_PROVIDER icu ICU_LOCALE " + pg::quote_literal(live[0][4].c_str());
                } else if (provider == "b") {
                    create += " LOCALE_PROVIDER builtin BUILTIN_LOCALE " + pg::quote_literal(live[0][4].c_str());
                }
            }
            if (m_live_properties && m_live_properties->tablespace)
                create += " TABLESPACE " + *m_live_properties->tablespace;
            tx.exec0(create);
        });
        return m_live.with("dbname", new_name());
    }

    void give_live_properties() override {
        if (!m_live_properties) return;  // the first sync: there is no live database to take after
        auto connection = maintenance();
        auto built = pg::connect(m_live.with("dbname", new_name()), pg::Side::target);
        apply_database_properties(*m_live_properties, *connection, *built, new_name());
    }

    std::string promote() override {
        std::string previous;
        with_target("could not promote \"" + new_name() + "\"", [&] {
            auto connection = maintenance();
            pg::Transaction tx = connection->autocommit();
            bool live_exists = exists(tx, m_name);
            previous = live_exists ? previous_name(next_previous_number(tx)) : std::string();
            swap_names(live_exists ? m_name : std::string(), previous, new_name());
        });
        test_pause_point("postgres:after_rename");
        return "renamed \"" + new_name() + "\" to \"" + m_name + "\"" +
               (previous.empty() ? std::string() : "; the old one is kept as \"" + previous + "\"");
    }

    std::vector<std::string> drop_old(int keep) override {
        auto connection = maintenance();
        pg::Transaction tx = connection->autocommit();
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
        std::string restored;
        std::string demoted;
        with_target("could not roll back", [&] {
            auto connection = maintenance();
            pg::Transaction tx = connection->autocommit();
            auto previous = previous_databases(tx);
            if (previous.empty())
                throw Error(ExitCode::target, "no previous copy of \"" + m_name + "\" to roll back to");
            restored = previous.front().second;
            demoted = previous_name(previous.front().first + 1);
            swap_names(m_name, demoted, restored);
        });
        return "renamed \"" + restored + "\" back to \"" + m_name + "\"; the rolled-back copy is kept as \"" + demoted + "\"";
    }

private:
    template <typename Body>
    auto with_target(const std::string& action, Body&& body) -> decltype(body()) {
        return pg::with_context(pg::Side::target, action, [&] { return body(); });
    }

    std::unique_ptr<pg::QuerySession> maintenance() {
        // Renames and drops run from another database of the same server: never from the ones renamed.
        return pg::connect(m_live.with("dbname", m_name == "postgres" ? "template1" : "postgres"), pg::Side::target);
    }

    /// Renames `live` (if not empty) to `demoted` and `incoming` to `live` in one transaction.
    ///
    /// The first RENAME takes an exclusive lock on the live database and then waits (up to 5 s, in
    /// the server) for its other sessions to go; meanwhile a second connection terminates them.
    /// A client connecting now waits on that lock instead of being counted, so the rename cannot be
    /// starved by reconnecting clients. Nothing is ever closed with ALLOW_CONNECTIONS: if we are
    /// killed at any point the transaction and its lock die with our session, and the live
    /// database is exactly as it was, accepting connections.
    void swap_names(const std::string& live, const std::string& demoted, const std::string& incoming) {
        auto renamer = maintenance();
        auto terminator = maintenance();
        std::atomic<bool> done{false};
        std::exception_ptr failure;
        std::thread rename([&] {
            try {
                pg::Transaction tx = renamer->autocommit();
                tx.exec0("BEGIN");
                if (!live.empty())
                    tx.exec0("ALTER DATABASE " + pg::quote_ident(live) + " RENAME TO " + pg::quote_ident(demoted));
                test_pause_point("postgres:before_rename");
                tx.exec0("ALTER DATABASE " + pg::quote_ident(incoming) + " RENAME TO " + pg::quote_ident(m_name));
                tx.exec0("COMMIT");
            } catch (...) {
                failure = std::current_exception();
            }
            done = true;
        });
        try {
            pg::Transaction tx = terminator->autocommit();
            while (!done) {
                tx.exec_params("SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                               "WHERE datname IN ($1, $2) AND pid <> pg_backend_pid()",
                               live.empty() ? incoming : live, incoming);
                std::this_thread::sleep_for(std::chrono::milliseconds(20));
            }
        } catch (...) {
            rename.join();
            throw;
        }
        rename.join();
        if (failure) std::rethrow_exception(failure);
    }

    std::string new_name() const { return m_name + "_understudy_new"; }
    std::string previous_name(int number) const { return m_name + "_understudy_prev_" + std::to_string(number); }

    static bool exists(pg::Transaction& tx, const std::string& database) {
        return !tx.exec_params("SELECT 1 FROM pg_database WHERE datname = $1", database).empty();
    }

    /// (number, name) of every previous copy, newest first.
    std::vector<std::pair<int, std::string>> previous_databases(pg::Transaction& tx) const {
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

    int next_previous_number(pg::Transaction& tx) const {
        auto previous = previous_databases(tx);
        return previous.empty() ? 1 : previous.front().first + 1;
    }

    pg::ConnInfo m_live;
    std::string m_name;
    std::optional<DatabaseProperties> m_live_properties;
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

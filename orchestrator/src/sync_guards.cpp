// The sync's refusals before the first write: each one names what matched and has its own exit code.
#include "understudy/orchestrator/sync_guards.hpp"

#include <algorithm>
#include <cctype>
#include <cstdio>
#include <set>

#include <pqxx/nontransaction>
#include <pqxx/result>

#include "understudy/error.hpp"
#include "understudy/pg/database_error.hpp"

namespace understudy::orchestrator {
namespace {

constexpr const char* k_default_port = "5432";

std::string lowercase(std::string text) {
    std::transform(text.begin(), text.end(), text.begin(),
                   [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    return text;
}

std::string trimmed(const std::string& text) {
    auto first = text.find_first_not_of(" \t\r\n");
    if (first == std::string::npos) return {};
    return text.substr(first, text.find_last_not_of(" \t\r\n") - first + 1);
}

/// Seconds as a short decimal for messages ("1.5").
std::string seconds_text(double seconds) {
    char buffer[32];
    std::snprintf(buffer, sizeof buffer, "%.1f", seconds);
    return buffer;
}

/// The first host of a libpq host list ("a,b" tries a then b); the one a protect: entry names.
std::string first_of_list(const std::string& list) {
    return list.substr(0, list.find(','));
}

/// Every spelling of the target a protect: entry may use, lowercased: host, host:port, host:port/dbname.
std::set<std::string> target_names(const pg::ConnInfo& target, const pg::ServerIdentity& identity) {
    std::set<std::string> hosts;
    if (auto host = target.get("host"); host && !host->empty()) hosts.insert(lowercase(first_of_list(*host)));
    if (auto address = target.get("hostaddr"); address && !address->empty())
        hosts.insert(lowercase(first_of_list(*address)));
    if (!identity.host.empty()) hosts.insert(lowercase(identity.host));

    std::set<std::string> ports{k_default_port};
    if (auto port = target.get("port"); port && !port->empty()) ports = {first_of_list(*port)};
    if (!identity.port.empty()) ports.insert(identity.port);

    std::set<std::string> databases;
    if (!identity.database.empty()) databases.insert(identity.database);
    if (auto dbname = target.get("dbname"); dbname && !dbname->empty()) databases.insert(*dbname);

    std::set<std::string> names;
    for (const auto& host : hosts) {
        names.insert(host);
        for (const auto& port : ports) {
            names.insert(host + ":" + port);
            // Database names are case-sensitive; lowercasing them too errs on the side of refusing.
            for (const auto& database : databases) names.insert(host + ":" + port + "/" + lowercase(database));
        }
    }
    return names;
}

/// The spelling of a protect: entry compared with target_names(): a URL or key=value string becomes
/// host[:port[/dbname]], anything else is taken as written. Lowercased like target_names().
std::string entry_name(const std::string& entry) {
    const bool url = entry.rfind("postgres://", 0) == 0 || entry.rfind("postgresql://", 0) == 0;
    if (!url && entry.find('=') == std::string::npos) return lowercase(entry);
    pg::ConnInfo info = pg::ConnInfo::parse(entry, "protect");
    std::string name = lowercase(first_of_list(info.get("host").value_or(info.get("hostaddr").value_or(""))));
    if (auto port = info.get("port")) {
        name += ":" + first_of_list(*port);
        if (auto dbname = info.get("dbname")) name += "/" + lowercase(*dbname);
    } else if (auto dbname = info.get("dbname")) {
        name += std::string(":") + k_default_port + "/" + lowercase(*dbname);
    }
    return name;
}

}  // namespace

void check_source_read_only(const pg::ServerIdentity& source, bool allow_primary_source) {
    if (source.in_recovery || allow_primary_source) return;
    throw Error(ExitCode::source_not_read_only,
                "source database \"" + source.database + "\" is on a primary server, not on a read-only follower",
                "read from a hot-standby follower of it, or give --allow-primary-source to read the primary anyway");
}

void check_follower_lag_value(const std::string& database, bool in_recovery, double lag_seconds,
                              double max_lag_seconds) {
    if (!in_recovery) return;  // a primary is its own latest state
    if (lag_seconds < 0) {
        throw Error(ExitCode::follower_lag,
                    "the lag of follower database \"" + database +
                        "\" is unknown: it has not replayed any transaction since it started",
                    "wait until the primary has committed a transaction and the follower has replayed it, "
                    "then run again");
    }
    if (lag_seconds > max_lag_seconds) {
        throw Error(ExitCode::follower_lag,
                    "follower database \"" + database + "\" lags " + seconds_text(lag_seconds) +
                        " s behind its primary, more than max_lag " + seconds_text(max_lag_seconds) + " s",
                    "wait for the follower to catch up; the lag counts from its last replayed commit, so on a "
                    "primary without writes it grows too: raise max_lag for such databases");
    }
}

void check_follower_lag(pqxx::connection& source, double max_lag_seconds) {
    auto [database, in_recovery, lag] = pg::with_context(pg::Side::source, "could not read the follower lag", [&] {
        pqxx::nontransaction tx(source);
        // pg_last_xact_replay_timestamp() is the commit time of the last transaction replayed:
        // NULL on a primary, and on a standby that has replayed none since it started.
        auto row = tx.exec1(
            "SELECT current_database(), pg_is_in_recovery(), "
            "extract(epoch FROM clock_timestamp() - pg_last_xact_replay_timestamp())::float8");
        return std::make_tuple(std::string(row[0].c_str()), row[1].as<bool>(),
                               row[2].is_null() ? -1.0 : std::max(0.0, row[2].as<double>()));
    });
    check_follower_lag_value(database, in_recovery, lag, max_lag_seconds);
}

void check_not_protected(const pg::ConnInfo& target, const pg::ServerIdentity& identity,
                         const std::vector<std::string>& protect) {
    const std::set<std::string> names = target_names(target, identity);
    for (const auto& raw_entry : protect) {
        const std::string entry = trimmed(raw_entry);
        if (entry.empty()) continue;
        std::string matched;
        if (!identity.system_identifier.empty() && entry == identity.system_identifier) {
            matched = "its system identifier";
        } else if (!identity.addon.empty() && lowercase(entry) == lowercase(identity.addon)) {
            matched = "its Heroku add-on name";
        } else if (!identity.addon_id.empty() && lowercase(entry) == lowercase(identity.addon_id)) {
            matched = "its Heroku add-on id";
        } else if (names.count(entry_name(entry))) {
            matched = "its address";
        } else {
            continue;
        }
        const std::string shown = entry.find("://") != std::string::npos || entry.find('=') != std::string::npos
                                      ? pg::ConnInfo::parse(entry, "protect").redacted()
                                      : entry;
        throw Error(ExitCode::protected_target,
                    "target database \"" + identity.database + "\" at " + target.redacted() +
                        " is protected: " + matched + " matches the protect: entry \"" + shown + "\"",
                    "protect: lists production servers, which understudy never writes, --replace included; "
                    "give another target");
    }
}

void check_not_replica_of_source(const pg::ServerIdentity& source, const pg::ServerIdentity& target) {
    if (source.system_identifier.empty() || source.system_identifier != target.system_identifier ||
        source.database != target.database) {
        return;
    }
    // A primary, its followers and their forks all share the system identifier. The same timeline
    // means the same history: the source itself or a replica of it. A fork (a new timeline) is a
    // copy that has diverged, fine as a target, unless it is reached at the source's own address,
    // which is what a forked app's DATABASE_URL still pointing at production looks like.
    const bool same_timeline = source.timeline == target.timeline;
    const bool same_address = !source.host.empty() && source.host == target.host && source.port == target.port;
    if (!same_timeline && !same_address) return;
    throw Error(ExitCode::target_is_source,
                "target database \"" + target.database +
                    "\" is the source database or a replica of it (system "
                    "identifier " +
                    target.system_identifier + ", timeline " + std::to_string(target.timeline) +
                    "): the forked-app trap, a DATABASE_URL still pointing at production",
                "give --target the staging database; check the app's DATABASE_URL config var");
}

}  // namespace understudy::orchestrator

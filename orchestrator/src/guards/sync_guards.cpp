// The sync's refusals before the first write: each one names what matched and has its own exit code.
#include "understudy/orchestrator/guards/sync_guards.hpp"

#include <netdb.h>
#include <sys/socket.h>

#include <algorithm>
#include <cctype>
#include <filesystem>
#include <optional>
#include <set>

#include "understudy/pg/query_session.hpp"
#include "understudy/pg/result.hpp"

#include "understudy/error.hpp"
#include "understudy/orchestrator/transfer/progress.hpp"
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

/// The first host of a libpq host list ("a,b" tries a then b); the one a protect: entry names.
std::string first_of_list(const std::string& list) {
    return list.substr(0, list.find(','));
}

/// Where a protect: entry or a target points: a host (name, address or unix socket directory),
/// and, when known, a port and a database name.
struct Address {
    std::string host;
    std::optional<std::string> port;
    std::optional<std::string> database;
};

/// A protect: entry as an address: a URL or key=value string, or host[:port[/dbname]] (an IPv6
/// address in brackets, or bare without port). A URL naming a database but no port means 5432.
Address entry_address(const std::string& entry) {
    Address address;
    const bool url = entry.rfind("postgres://", 0) == 0 || entry.rfind("postgresql://", 0) == 0;
    if (url || entry.find('=') != std::string::npos) {
        pg::ConnInfo info = pg::ConnInfo::parse(entry, "protect");
        address.host = first_of_list(info.get("host").value_or(info.get("hostaddr").value_or("")));
        if (auto port = info.get("port")) address.port = first_of_list(*port);
        address.database = info.get("dbname");
        if (address.database && !address.port) address.port = k_default_port;
        return address;
    }
    std::string rest;
    if (!entry.empty() && entry[0] == '[') {
        auto close = entry.find(']');
        address.host = entry.substr(1, close == std::string::npos ? std::string::npos : close - 1);
        if (close != std::string::npos && close + 1 < entry.size() && entry[close + 1] == ':') rest = entry.substr(close + 2);
    } else if (std::count(entry.begin(), entry.end(), ':') >= 2 && entry.find('/') == std::string::npos) {
        address.host = entry;  // a bare IPv6 address
    } else if (auto colon = entry.find(':'); colon != std::string::npos) {
        address.host = entry.substr(0, colon);
        rest = entry.substr(colon + 1);
    } else {
        address.host = entry;  // a host name, an address, or a socket directory
    }
    if (!rest.empty()) {
        auto slash = rest.find('/');
        address.port = rest.substr(0, slash);
        if (slash != std::string::npos) address.database = rest.substr(slash + 1);
    }
    return address;
}

/// The numeric addresses `host` resolves to (empty when it does not resolve).
std::set<std::string> resolved_addresses(const std::string& host) {
    std::set<std::string> addresses;
    addrinfo hints{};
    hints.ai_family = AF_UNSPEC;
    hints.ai_socktype = SOCK_STREAM;
    addrinfo* found = nullptr;
    if (getaddrinfo(host.c_str(), nullptr, &hints, &found) != 0) return addresses;
    for (addrinfo* entry = found; entry; entry = entry->ai_next) {
        char text[NI_MAXHOST];
        if (getnameinfo(entry->ai_addr, entry->ai_addrlen, text, sizeof text, nullptr, 0, NI_NUMERICHOST) == 0)
            addresses.insert(text);
    }
    freeaddrinfo(found);
    return addresses;
}

/// The same host, however spelt: equal names (case-insensitively), unix socket directories with
/// the same canonical path, or host names and addresses that resolve to a common address
/// (`localhost` and `127.0.0.1`). A name that does not resolve matches only its own spelling.
bool same_host(const std::string& left, const std::string& right) {
    if (left.empty() || right.empty()) return false;
    if (lowercase(left) == lowercase(right)) return true;
    const bool left_socket = left[0] == '/';
    const bool right_socket = right[0] == '/';
    if (left_socket || right_socket) {
        if (!(left_socket && right_socket)) return false;
        std::error_code ignored;
        auto left_path = std::filesystem::weakly_canonical(left, ignored);
        auto right_path = std::filesystem::weakly_canonical(right, ignored);
        return !left_path.empty() && left_path == right_path;
    }
    const auto left_addresses = resolved_addresses(left);
    for (const auto& address : resolved_addresses(right)) {
        if (left_addresses.count(address)) return true;
    }
    return false;
}

/// Whether `entry` points at `target`: a host in common, and the entry's port and database (when
/// it gives them) among the target's. Database names compare case-insensitively: erring on the
/// side of refusing.
bool address_matches(const Address& entry, const pg::ConnInfo& target, const pg::ServerIdentity& identity) {
    std::set<std::string> hosts;
    if (auto host = target.get("host"); host && !host->empty()) hosts.insert(first_of_list(*host));
    if (auto address = target.get("hostaddr"); address && !address->empty()) hosts.insert(first_of_list(*address));
    if (!identity.host.empty()) hosts.insert(identity.host);
    if (!std::any_of(hosts.begin(), hosts.end(), [&](const std::string& host) { return same_host(entry.host, host); }))
        return false;
    if (entry.port) {
        std::set<std::string> ports{k_default_port};
        if (auto port = target.get("port"); port && !port->empty()) ports = {first_of_list(*port)};
        if (!identity.port.empty()) ports.insert(identity.port);
        if (!ports.count(trimmed(*entry.port))) return false;
    }
    if (entry.database) {
        std::set<std::string> databases;
        if (!identity.database.empty()) databases.insert(lowercase(identity.database));
        if (auto dbname = target.get("dbname"); dbname && !dbname->empty()) databases.insert(lowercase(*dbname));
        if (!databases.count(lowercase(*entry.database))) return false;
    }
    return true;
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

void check_follower_lag(pg::QuerySession& source, double max_lag_seconds) {
    auto [database, in_recovery, lag] = pg::with_context(pg::Side::source, "could not read the follower lag", [&] {
        pg::Transaction tx = source.autocommit();
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
        } else if (address_matches(entry_address(entry), target, identity)) {
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

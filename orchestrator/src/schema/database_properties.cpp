// Live's owner, grants, settings and limits read from its catalog and given to the copy that replaces it.
#include "understudy/orchestrator/schema/database_properties.hpp"

#include <algorithm>
#include <cctype>
#include <map>
#include <set>

#include "understudy/pg/query_session.hpp"
#include "understudy/pg/result.hpp"

#include "understudy/error.hpp"
#include "understudy/pg/database_error.hpp"
#include "understudy/pg/sql_text.hpp"
#include "understudy/pg/user_schemas.hpp"
#include "understudy/sql/orchestrator_sql.hpp"
#include "understudy/orchestrator/schema/sql_template.hpp"

namespace understudy::orchestrator {
namespace {

// Every object whose privileges a GRANT names (privileged_objects.sql), as a subquery. The names
// are computed by the server in sessions with the same settings (search_path included), so live's
// and the copy's texts of the same object are equal. Types: standalone ones only (a table's row
// type and array types follow their owner object).
std::string privileged_objects() { return sql_with(sql::k_privileged_objects); }

/// An ACL query of orchestrator/sql that reads the privileged objects as `objects`.
std::string over_privileged_objects(std::string_view sql) {
    const std::string objects = privileged_objects();
    return sql_with(sql, {{"privileged_objects", objects}});
}

/// Object ACL rows (kind, name, column, privilege, grantable, grantee) grouped by object.
std::vector<ObjectAcl> object_acls_of(const pg::Result& rows) {
    std::vector<ObjectAcl> acls;
    for (const auto& row : rows) {
        const std::string kind = row[0].c_str();
        const std::string name = row[1].c_str();
        const std::string column = row[2].c_str();
        if (acls.empty() || acls.back().kind != kind || acls.back().name != name || acls.back().column != column)
            acls.push_back({kind, name, column, {}});
        if (!row[3].is_null()) acls.back().grants.push_back({row[5].c_str(), row[3].c_str(), row[4].as<bool>()});
    }
    return acls;
}

const std::map<std::string, std::string> k_default_acl_objects = {
    {"r", "TABLES"}, {"S", "SEQUENCES"}, {"f", "FUNCTIONS"}, {"T", "TYPES"}, {"n", "SCHEMAS"}};

// GUCs whose list elements pg_dump quotes one by one (its variable_is_guc_list_quote()).
const std::set<std::string> k_list_quote_settings = {"local_preload_libraries", "search_path",
                                                     "session_preload_libraries", "shared_preload_libraries",
                                                     "temp_tablespaces", "unix_socket_directories"};

std::string lowercase(std::string text) {
    std::transform(text.begin(), text.end(), text.begin(),
                   [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    return text;
}

/// The elements of a flattened GUC list (`"$user", public`): comma-separated, each either
/// double-quoted (with "" for a quote) or bare and trimmed, as the server's SplitGUCList reads it.
std::vector<std::string> split_setting_list(const std::string& value) {
    std::vector<std::string> elements;
    std::size_t position = 0;
    auto skip_spaces = [&] {
        while (position < value.size() && std::isspace(static_cast<unsigned char>(value[position]))) ++position;
    };
    skip_spaces();
    if (position == value.size()) return elements;
    for (;;) {
        std::string element;
        skip_spaces();
        if (position < value.size() && value[position] == '"') {
            ++position;
            while (position < value.size()) {
                if (value[position] == '"') {
                    if (position + 1 < value.size() && value[position + 1] == '"') {
                        element += '"';
                        position += 2;
                        continue;
                    }
                    ++position;
                    break;
                }
                element += value[position++];
            }
        } else {
            while (position < value.size() && value[position] != ',') element += value[position++];
            element.erase(element.find_last_not_of(" \t\r\n") + 1);
        }
        elements.push_back(element);
        skip_spaces();
        if (position >= value.size() || value[position] != ',') break;
        ++position;
    }
    return elements;
}

/// GRANT statements for `grants` on "<on>" (e.g. "TABLE public.users" or "DATABASE x"), one per
/// grantee and grant option; `owner` replaces the empty grantee. `columns` goes after each
/// privilege for column privileges.
std::vector<std::string> grant_statements(const std::vector<AclGrant>& grants, const std::string& on,
                                          const std::string& owner, const std::string& column = {},
                                          const std::string& head = "GRANT ") {
    std::map<std::pair<std::string, bool>, std::string> privileges;
    for (const auto& grant : grants) {
        auto& list = privileges[{grant.grantee.empty() ? owner : grant.grantee, grant.grantable}];
        if (!list.empty()) list += ", ";
        list += grant.privilege + (column.empty() ? "" : " (" + column + ")");
    }
    std::vector<std::string> statements;
    for (const auto& [key, list] : privileges) {
        statements.push_back(head + list + " ON " + on + " TO " + key.first + (key.second ? " WITH GRANT OPTION" : ""));
    }
    return statements;
}

/// The statements that make `on`'s ACL exactly `grants`: everything revoked from PUBLIC and from
/// `owner` first (what live revoked stays revoked), then the grants. `head` goes before each
/// (`ALTER DEFAULT PRIVILEGES FOR ROLE r `, or nothing).
std::vector<std::string> whole_acl_statements(const std::vector<AclGrant>& grants, const std::string& on,
                                              const std::string& owner, const std::string& head = {}) {
    std::vector<std::string> statements{head + "REVOKE ALL ON " + on + " FROM PUBLIC",
                                        head + "REVOKE ALL ON " + on + " FROM " + owner};
    for (auto& statement : grant_statements(grants, on, owner, {}, head + "GRANT "))
        statements.push_back(std::move(statement));
    return statements;
}

AclGrant grant_of(const pg::Row& row, int first) {
    return {row[first + 2].c_str(), row[first].c_str(), row[first + 1].as<bool>()};
}

}  // namespace

std::string setting_statement(const std::string& prefix, const std::string& setting) {
    const auto equals = setting.find('=');
    const std::string name = setting.substr(0, equals);
    const std::string value = equals == std::string::npos ? std::string() : setting.substr(equals + 1);
    // A placeholder name (`app.tenant`) is quoted part by part: ALTER … SET takes a dotted name.
    std::string quoted_name;
    for (std::size_t start = 0;;) {
        auto dot = name.find('.', start);
        if (!quoted_name.empty()) quoted_name += '.';
        quoted_name += pg::quote_ident(lowercase(name.substr(start, dot == std::string::npos ? dot : dot - start)));
        if (dot == std::string::npos) break;
        start = dot + 1;
    }
    std::string values;
    if (k_list_quote_settings.count(lowercase(name))) {
        for (const auto& element : split_setting_list(value)) {
            if (!values.empty()) values += ", ";
            values += pg::quote_literal(element);
        }
        if (values.empty()) values = "''";
    } else {
        values = pg::quote_literal(value);
    }
    return prefix + " SET " + quoted_name + " TO " + values;
}

DatabaseProperties read_database_properties(pg::QuerySession& maintenance, pg::QuerySession& live,
                                            const std::string& database) {
    DatabaseProperties properties;
    pg::with_context(pg::Side::target, "could not read the properties of database \"" + database + "\"", [&] {
        pg::Transaction tx = maintenance.autocommit();
        auto row = tx.exec_params1(std::string(sql::k_database_properties), database);
        properties.owner = row[0].c_str();
        if (!row[1].is_null()) properties.tablespace = row[1].c_str();
        properties.connection_limit = row[2].as<int>();
        const std::string oid = row[4].c_str();
        if (!row[3].as<bool>()) {
            properties.acl.emplace();
            for (const auto& entry : tx.exec_params(std::string(sql::k_database_acl), oid)) {
                properties.acl->push_back(grant_of(entry, 0));
            }
        }
        for (const auto& setting : tx.exec_params(std::string(sql::k_database_settings), oid)) {
            if (setting[0].size() == 0) {
                properties.settings.push_back(setting[1].c_str());
            } else {
                properties.role_settings.emplace_back(setting[0].c_str(), setting[1].c_str());
            }
        }
    });
    pg::with_context(pg::Side::target, "could not read the privileges in database \"" + database + "\"", [&] {
        pg::Transaction tx = live.autocommit();
        properties.object_acls = object_acls_of(tx.exec(over_privileged_objects(sql::k_object_acls)));
        for (const auto& row : tx.exec("SELECT kind, name FROM (" + privileged_objects() + ") o"))
            properties.objects.emplace(row[0].c_str(), row[1].c_str());
        for (const auto& row : tx.exec(std::string(sql::k_default_acls))) {
            auto objects = k_default_acl_objects.find(row[2].c_str());
            if (objects == k_default_acl_objects.end()) continue;  // a kind this server version added
            auto& entries = properties.default_acls;
            if (entries.empty() || entries.back().role != row[0].c_str() || entries.back().schema != row[1].c_str() ||
                entries.back().objects != objects->second) {
                entries.push_back({row[0].c_str(), row[1].c_str(), objects->second, {}});
            }
            if (!row[3].is_null()) entries.back().grants.push_back(grant_of(row, 3));
        }
    });
    return properties;
}

void apply_database_properties(const DatabaseProperties& properties, pg::QuerySession& maintenance,
                               pg::QuerySession& built, const std::string& built_name) {
    const std::string& owner = properties.owner;
    pg::with_context(pg::Side::target, "could not give \"" + built_name + "\" the live database's owner and privileges", [&] {
        pg::Transaction tx = built.begin();
        // The copy was restored with --no-owner: its objects belong to the role that ran the sync.
        // They are handed over one by one: REASSIGN OWNED cannot move what the bootstrap superuser owns.
        for (const auto& row : tx.exec_params(sql_with(sql::k_owned_objects), owner)) tx.exec0(std::string(row[0].c_str()) + " OWNER TO " + owner);

        // Live's default privileges first: they also decide what the objects live did not have get.
        std::set<std::string> schemas;
        for (const auto& row : tx.exec(std::string("SELECT quote_ident(n.nspname) FROM pg_namespace n WHERE ") + pg::k_user_schema_filter))
            schemas.insert(row[0].c_str());
        for (const auto& entry : properties.default_acls) {
            if (!entry.schema.empty() && !schemas.count(entry.schema)) continue;
            const std::string head = "ALTER DEFAULT PRIVILEGES FOR ROLE " + entry.role +
                                     (entry.schema.empty() ? std::string() : " IN SCHEMA " + entry.schema) + " ";
            // A database-wide entry is the whole default ACL of that kind, revocations included; a
            // schema's entry only adds to it.
            const auto statements = entry.schema.empty()
                                        ? whole_acl_statements(entry.grants, entry.objects, entry.role, head)
                                        : grant_statements(entry.grants, entry.objects, entry.role, {}, head + "GRANT ");
            for (const auto& statement : statements) tx.exec0(statement);
        }
        // Objects live did not have (a table production added since) get what live's owner would
        // have given them by creating them: the default privileges.
        std::vector<ObjectAcl> acls;
        for (auto& acl : object_acls_of(tx.exec(over_privileged_objects(sql::k_objects_under_default_acls)))) {
            if (!properties.objects.count({acl.kind, acl.name})) acls.push_back(std::move(acl));
        }
        // Live's privileges go to the copy's objects of the same name; the grantee that was the
        // live object's owner becomes the copy object's owner.
        acls.insert(acls.end(), properties.object_acls.begin(), properties.object_acls.end());
        std::map<std::pair<std::string, std::string>, std::string> owners;
        for (const auto& row : tx.exec("SELECT kind, name, quote_ident(pg_get_userbyid(owner)) FROM (" + privileged_objects() + ") o"))
            owners[{row[0].c_str(), row[1].c_str()}] = row[2].c_str();
        std::set<std::pair<std::string, std::string>> columns;
        const bool any_column = std::any_of(properties.object_acls.begin(), properties.object_acls.end(),
                                            [](const ObjectAcl& acl) { return !acl.column.empty(); });
        if (any_column) {
            for (const auto& row : tx.exec(sql_with(sql::k_user_columns)))
                columns.insert({row[0].c_str(), row[1].c_str()});
        }
        for (const auto& acl : acls) {
            auto found = owners.find({acl.kind, acl.name});
            if (found == owners.end()) continue;  // not in the copy (another schema, a subset)
            const std::string on = acl.kind + " " + acl.name;
            if (!acl.column.empty()) {
                if (!columns.count({acl.name, acl.column})) continue;
                for (const auto& statement : grant_statements(acl.grants, on, found->second, acl.column)) tx.exec0(statement);
                continue;
            }
            // The ACL as a whole: what live revoked (EXECUTE from PUBLIC, say) is revoked here too.
            for (const auto& statement : whole_acl_statements(acl.grants, on, found->second)) tx.exec0(statement);
        }
        tx.commit();
    });
    pg::with_context(pg::Side::target, "could not give \"" + built_name + "\" the live database's settings", [&] {
        pg::Transaction tx = maintenance.autocommit();
        const std::string database = "DATABASE " + pg::quote_ident(built_name);
        tx.exec0("ALTER " + database + " OWNER TO " + owner);
        if (properties.acl) {
            for (const auto& statement : whole_acl_statements(*properties.acl, database, owner)) tx.exec0(statement);
        }
        tx.exec0("ALTER " + database + " CONNECTION LIMIT " + std::to_string(properties.connection_limit));
        for (const auto& setting : properties.settings) tx.exec0(setting_statement("ALTER " + database, setting));
        for (const auto& [role, setting] : properties.role_settings)
            tx.exec0(setting_statement("ALTER ROLE " + role + " IN " + database, setting));
    });
}

}  // namespace understudy::orchestrator

// What a live database is besides its contents (owner, grants, settings, limits, tablespace), carried to a new copy.
#pragma once

#include <optional>
#include <set>
#include <string>
#include <vector>

#include "understudy/pg/query_session.hpp"

namespace understudy::orchestrator {

/// One privilege of one grantee, as aclexplode() gives it. `grantee` is SQL (a quoted role name or
/// PUBLIC); empty means "the object's owner", which on the copy is the copy's owner.
struct AclGrant {
    std::string grantee;
    std::string privilege;  ///< SELECT, USAGE, CONNECT, ... (a GRANT keyword)
    bool grantable = false;
};

/// The privileges of one object of live: the whole ACL (all that was revoked is absent).
struct ObjectAcl {
    std::string kind;    ///< the GRANT object keyword: SCHEMA, TABLE, SEQUENCE, ROUTINE, TYPE, FOREIGN SERVER
    std::string name;    ///< its SQL name, the same text on live and on the copy (quoted, with argument types)
    std::string column;  ///< a column of a TABLE (quoted), for column privileges; empty otherwise
    std::vector<AclGrant> grants;
};

/// An ALTER DEFAULT PRIVILEGES entry of live.
struct DefaultAcl {
    std::string role;              ///< FOR ROLE (quoted)
    std::string schema;            ///< IN SCHEMA (quoted), empty for the database-wide entry
    std::string objects;           ///< TABLES, SEQUENCES, FUNCTIONS, TYPES, SCHEMAS
    std::vector<AclGrant> grants;  ///< grantee empty means `role` itself
};

/// Live's database-level properties and the privileges on its objects, read before promotion.
struct DatabaseProperties {
    std::string owner;                      ///< quoted role name
    std::optional<std::string> tablespace;  ///< quoted; unset for pg_default
    int connection_limit = -1;
    std::optional<std::vector<AclGrant>> acl;                        ///< unset: the default ACL (datacl NULL)
    std::vector<std::string> settings;                               ///< ALTER DATABASE … SET, as "name=value"
    std::vector<std::pair<std::string, std::string>> role_settings;  ///< (quoted role, "name=value")
    std::vector<ObjectAcl> object_acls;                     ///< objects whose ACL is not the default, and column ACLs
    std::set<std::pair<std::string, std::string>> objects;  ///< (kind, name) of every object live has
    std::vector<DefaultAcl> default_acls;
};

/// Reads `database`'s properties: the database row through `maintenance` (any database of the
/// server), object privileges and default privileges through `live` (a session in `database`).
/// Settings under the `understudy.` prefix (our own marks) are left out.
DatabaseProperties read_database_properties(pg::QuerySession& maintenance, pg::QuerySession& live,
                                            const std::string& database);

/// Gives `built` (a session in the new copy) live's properties, before promotion: every object
/// understudy created is handed to live's owner (extension members and objects owned by
/// pg_database_owner stay as they are), live's privileges go to the same-named objects of the
/// copy, and live's default privileges are recreated; objects live did not have get the
/// privileges those default privileges give their owner's new objects. Then, through `maintenance`, the database
/// itself gets live's owner, ACL, connection limit and settings. The tablespace is given at
/// CREATE DATABASE (moving a built database would copy it).
void apply_database_properties(const DatabaseProperties& properties, pg::QuerySession& maintenance,
                               pg::QuerySession& built, const std::string& built_name);

/// `<prefix> SET name TO value` for one "name=value" entry of pg_db_role_setting, quoted the way
/// pg_dump does it: list settings whose elements are quoted (search_path, temp_tablespaces,
/// *_preload_libraries) become a list of literals, everything else one literal.
std::string setting_statement(const std::string& prefix, const std::string& setting);

}  // namespace understudy::orchestrator

// Whole-database checks for integration tests, built from the catalog so they cover every table.
#include "db_checks.hpp"

#include <algorithm>
#include <fstream>
#include <sstream>
#include <stdexcept>

#include <pqxx/pqxx>

#include "postgres_binaries.hpp"
#include "test_cluster.hpp"
#include "understudy/pg/sql_text.hpp"

namespace understudy::testing {
namespace {

// Schemas that belong to PostgreSQL itself, never to the application.
constexpr const char* k_user_schemas =
    "n.nspname NOT IN ('pg_catalog', 'information_schema') AND n.nspname NOT LIKE 'pg\\_toast%' "
    "AND n.nspname NOT LIKE 'pg\\_temp\\_%'";

template <typename Body>
auto with_database(const pg::ConnInfo& db, const std::string& what, Body&& body) {
    try {
        pqxx::connection connection(db.keyword_string());
        pqxx::nontransaction tx(connection);
        return body(tx);
    } catch (const std::exception& error) {
        throw std::runtime_error(what + " failed on " + db.redacted() + ": " + error.what());
    }
}

std::vector<std::string> split_array(const std::string& text) {
    // A text[] of names as libpq prints it: {a,"B c"}; names here come from quote_ident-free
    // catalog columns, so only simple double-quote unescaping is needed.
    std::vector<std::string> out;
    std::string current;
    bool quoted = false;
    for (std::size_t position = 1; position + 1 < text.size(); ++position) {
        char c = text[position];
        if (quoted && c == '\\' && position + 2 < text.size()) {
            current += text[++position];
        } else if (c == '"') {
            quoted = !quoted;
        } else if (c == ',' && !quoted) {
            out.push_back(current);
            current.clear();
        } else {
            current += c;
        }
    }
    if (text.size() > 2) out.push_back(current);
    return out;
}

bool starts_with(const std::string& text, const char* prefix) { return text.rfind(prefix, 0) == 0; }

}  // namespace

std::vector<std::string> fk_violations(const pg::ConnInfo& db, bool include_not_valid) {
    return with_database(db, "fk_violations", [&](pqxx::nontransaction& tx) {
        // conparentid = 0: a constraint cloned onto partitions is checked once, through its parent.
        auto constraints = tx.exec(std::string(R"(
            SELECT n.nspname, c.relname, con.conname, rn.nspname, r.relname,
                   ARRAY(SELECT a.attname FROM unnest(con.conkey) WITH ORDINALITY k(attnum, ord)
                         JOIN pg_attribute a ON a.attrelid = con.conrelid AND a.attnum = k.attnum ORDER BY k.ord)::text[],
                   ARRAY(SELECT a.attname FROM unnest(con.confkey) WITH ORDINALITY k(attnum, ord)
                         JOIN pg_attribute a ON a.attrelid = con.confrelid AND a.attnum = k.attnum ORDER BY k.ord)::text[]
            FROM pg_constraint con
            JOIN pg_class c ON c.oid = con.conrelid JOIN pg_namespace n ON n.oid = c.relnamespace
            JOIN pg_class r ON r.oid = con.confrelid JOIN pg_namespace rn ON rn.oid = r.relnamespace
            WHERE con.contype = 'f' AND con.conparentid = 0 AND )") +
                                   (include_not_valid ? "" : "con.convalidated AND ") + k_user_schemas + R"(
            ORDER BY n.nspname, c.relname, con.conname)");
        std::vector<std::string> violations;
        for (const auto& row : constraints) {
            const std::string schema = row[0].c_str();
            const std::string table = row[1].c_str();
            const std::string name = row[2].c_str();
            auto columns = split_array(row[5].c_str());
            auto referenced = split_array(row[6].c_str());
            std::string not_null, matches;
            for (std::size_t column_idx = 0; column_idx < columns.size(); ++column_idx) {
                if (column_idx > 0) {
                    not_null += " AND ";
                    matches += " AND ";
                }
                not_null += "c." + pg::quote_ident(columns[column_idx]) + " IS NOT NULL";
                matches += "p." + pg::quote_ident(referenced[column_idx]) + " = c." + pg::quote_ident(columns[column_idx]);
            }
            std::string sql = "SELECT count(*) FROM " + pg::quote_ident(schema) + "." + pg::quote_ident(table) +
                              " c WHERE " + not_null + " AND NOT EXISTS (SELECT 1 FROM " +
                              pg::quote_ident(row[3].c_str()) + "." + pg::quote_ident(row[4].c_str()) + " p WHERE " +
                              matches + ")";
            auto orphans = tx.exec1(sql)[0].as<long long>();
            if (orphans > 0) {
                violations.push_back(schema + "." + table + "." + name + ": " + std::to_string(orphans) + " orphans");
            }
        }
        return violations;
    });
}

std::string normalized_schema_dump(const pg::ConnInfo& db) {
    ProcessOptions options;
    if (auto password = db.password()) options.env["PGPASSWORD"] = *password;
    auto result = run_process({postgres_bin_dir() + "/pg_dump", "--schema-only", "--no-owner", "--no-privileges",
                               "-d", db.keyword_string_without_password()},
                              options);
    if (result.exit_code != 0) {
        throw std::runtime_error("pg_dump failed on " + db.redacted() + ": " + result.err);
    }
    const std::string database = db.get("dbname").value_or("");
    std::istringstream in(result.out);
    std::string line, out;
    while (std::getline(in, line)) {
        if (line.empty() || starts_with(line, "--") || starts_with(line, "\\restrict") ||
            starts_with(line, "\\unrestrict"))
            continue;
        // The database's own name only shows in database-level statements; blank it there.
        if (!database.empty() && line.find("DATABASE") != std::string::npos) {
            for (const std::string& form : {pg::quote_ident(database), database}) {
                for (auto position = line.find(form); position != std::string::npos; position = line.find(form)) {
                    line.replace(position, form.size(), "<database>");
                }
            }
        }
        out += line;
        out += '\n';
    }
    return out;
}

std::map<std::string, std::int64_t> table_counts(const pg::ConnInfo& db) {
    return with_database(db, "table_counts", [&](pqxx::nontransaction& tx) {
        auto tables = tx.exec(std::string(
            "SELECT n.nspname, c.relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace "
            "WHERE c.relkind IN ('r', 'p') AND NOT c.relispartition AND ") + k_user_schemas +
            " ORDER BY 1, 2");
        std::map<std::string, std::int64_t> counts;
        for (const auto& row : tables) {
            const std::string schema = row[0].c_str();
            const std::string table = row[1].c_str();
            counts[schema + "." + table] =
                tx.exec1("SELECT count(*) FROM " + pg::quote_ident(schema) + "." + pg::quote_ident(table))[0]
                    .as<std::int64_t>();
        }
        return counts;
    });
}

std::vector<std::string> row_keys(const pg::ConnInfo& db, const std::string& table, const std::string& key_columns_sql) {
    std::string relation = table;
    if (table.find('"') == std::string::npos) {
        auto dot = table.find('.');
        relation = dot == std::string::npos
                       ? pg::quote_ident(table)
                       : pg::quote_ident(table.substr(0, dot)) + "." + pg::quote_ident(table.substr(dot + 1));
    }
    return with_database(db, "row_keys", [&](pqxx::nontransaction& tx) {
        std::vector<std::string> keys;
        for (const auto& row : tx.exec("SELECT " + key_columns_sql + " FROM " + relation)) {
            std::string key;
            bool first = true;
            for (const auto& field : row) {
                if (!first) key += ',';
                first = false;
                key += field.is_null() ? "\\N" : field.c_str();
            }
            keys.push_back(std::move(key));
        }
        std::sort(keys.begin(), keys.end());
        return keys;
    });
}

std::vector<std::string> sequences_behind(const pg::ConnInfo& db) {
    return with_database(db, "sequences_behind", [&](pqxx::nontransaction& tx) {
        // Sequences owned by a column: serial ('a' dependency) and identity ('i') columns.
        auto owned = tx.exec(std::string(R"(
            SELECT sn.nspname, s.relname, n.nspname, t.relname, a.attname
            FROM pg_class s JOIN pg_namespace sn ON sn.oid = s.relnamespace
            JOIN pg_depend d ON d.classid = 'pg_class'::regclass AND d.objid = s.oid
                            AND d.refclassid = 'pg_class'::regclass AND d.deptype IN ('a', 'i')
            JOIN pg_class t ON t.oid = d.refobjid JOIN pg_namespace n ON n.oid = t.relnamespace
            JOIN pg_attribute a ON a.attrelid = t.oid AND a.attnum = d.refobjsubid
            WHERE s.relkind = 'S' AND )") + k_user_schemas + " ORDER BY 1, 2");
        std::vector<std::string> behind;
        for (const auto& row : owned) {
            const std::string sequence = pg::quote_ident(row[0].c_str()) + "." + pg::quote_ident(row[1].c_str());
            const std::string column = pg::quote_ident(row[4].c_str());
            // The next nextval() returns last_value + increment once called, start_value before.
            auto check = tx.exec1(
                "SELECT s.last_value, s.is_called, (SELECT max(" + column + ")::numeric FROM " +
                pg::quote_ident(row[2].c_str()) + "." + pg::quote_ident(row[3].c_str()) + "), q.seqincrement " +
                "FROM " + sequence + " s, pg_sequence q WHERE q.seqrelid = " + pg::quote_literal(sequence) +
                "::regclass");
            if (check[2].is_null()) continue;
            const auto last_value = check[0].as<long long>();
            const bool is_called = check[1].as<bool>();
            const auto increment = check[3].as<long long>();
            const std::string max_text = check[2].c_str();
            const long double max_value = std::stold(max_text);
            const long double next_value = is_called ? static_cast<long double>(last_value) + increment
                                                     : static_cast<long double>(last_value);
            if (increment > 0 && next_value <= max_value) {
                behind.push_back(std::string(row[0].c_str()) + "." + row[1].c_str() + ": last_value " +
                                 std::to_string(last_value) + (is_called ? "" : " (not called)") + " < max(" +
                                 row[4].c_str() + ") " + max_text);
            }
        }
        return behind;
    });
}

void load_accounts_and_events(const TestCluster& cluster, const std::string& database, int event_rows) {
    cluster.execute(database,
                    "CREATE TABLE accounts (id bigint PRIMARY KEY, name text NOT NULL);"
                    "INSERT INTO accounts SELECT g, 'account ' || g FROM generate_series(1, 500) g;"
                    "CREATE TABLE events (id bigint PRIMARY KEY, account_id bigint NOT NULL REFERENCES accounts,"
                    "                     payload text NOT NULL);"
                    "INSERT INTO events SELECT g, 1 + g % 500, repeat(md5(g::text), 2) "
                    "FROM generate_series(1, " + std::to_string(event_rows) + ") g");
}

CommandResult run_understudy(const std::vector<std::string>& args, const std::map<std::string, std::string>& env) {
    std::vector<std::string> argv{UNDERSTUDY_BINARY};
    argv.insert(argv.end(), args.begin(), args.end());
    ProcessOptions options;
    options.env = env;
    return run_process(argv, options);
}

nlohmann::json read_json(const std::string& path) {
    std::ifstream stream(path);
    if (!stream) throw std::runtime_error("cannot read " + path);
    return nlohmann::json::parse(stream);
}

}  // namespace understudy::testing

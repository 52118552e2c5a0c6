// Parsing `anonymize:` and `keep:` of understudy.yml into rules; every error names file:line:column.
#include "understudy/yaml_location.hpp"
#include "understudy/anonymizer/rules.hpp"

#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <fstream>
#include <map>
#include <optional>
#include <set>
#include <stdexcept>
#include <tuple>

#include "rules_spec.hpp"
#include "transformers/temporal.hpp"
#include "understudy/error.hpp"

namespace understudy::anonymizer {
namespace {

const std::set<std::string> k_kinds = {"keep", "null", "fixed", "hash", "fake", "mask", "noise", "date_shift",
                                       "template", "json", "array", "scrub"};

std::string quoted_table(const std::string& table) {
    auto dot = table.find('.');
    if (dot == std::string::npos) return "\"" + table + "\"";
    return "\"" + table.substr(0, dot) + "\".\"" + table.substr(dot + 1) + "\"";
}

std::string quoted_column(const std::string& table, const std::string& column) {
    return quoted_table(table) + ".\"" + column + "\"";
}

/// The parts of a name written with SQL's double quotes (`public."odd.name"."quo""te"`), or
/// nullopt when the quoting is malformed. Bare parts are taken as written (no case folding).
std::optional<std::vector<std::string>> split_quoted_name(const std::string& text) {
    std::vector<std::string> parts(1);
    std::size_t pos = 0;
    bool part_quoted = false;
    while (pos < text.size()) {
        const char c = text[pos];
        if (c == '"') {
            if (!parts.back().empty() || part_quoted) return std::nullopt;  // a quote inside a bare part
            part_quoted = true;
            for (++pos;; ++pos) {
                if (pos >= text.size()) return std::nullopt;
                if (text[pos] != '"') {
                    parts.back() += text[pos];
                } else if (pos + 1 < text.size() && text[pos + 1] == '"') {
                    parts.back() += '"';
                    ++pos;
                } else {
                    ++pos;
                    break;
                }
            }
            if (pos < text.size() && text[pos] != '.') return std::nullopt;
        } else if (c == '.') {
            if (parts.back().empty() && !part_quoted) return std::nullopt;
            parts.emplace_back();
            part_quoted = false;
            ++pos;
        } else {
            if (part_quoted) return std::nullopt;
            parts.back() += c;
            ++pos;
        }
    }
    if (parts.back().empty() && !part_quoted) return std::nullopt;
    return parts;
}

// Unqualified names are in public, as PostgreSQL's default search_path would resolve them. A name
// with double quotes is SQL-quoted (`public."odd.name"`); any other is `schema.table` as written.
std::string qualify(const std::string& table) {
    if (table.find('"') != std::string::npos) {
        auto parts = split_quoted_name(table);
        if (parts && parts->size() == 1) return "public." + parts->front();
        if (parts && parts->size() == 2) return (*parts)[0] + "." + (*parts)[1];
        return table;  // malformed: matches no table, which the guard reports as unknown
    }
    return table.find('.') == std::string::npos ? "public." + table : table;
}

class Parser : public YamlLocation {
public:
    using YamlLocation::YamlLocation;

    std::string text(const YAML::Node& node, const std::string& what) const {
        if (!node.IsScalar()) fail(node, what + " must be a single value");
        return node.Scalar();
    }

    std::size_t count(const YAML::Node& node, const std::string& what) const {
        auto value = text(node, what);
        if (value.empty() || value.size() > 9 || !std::all_of(value.begin(), value.end(), [](char c) { return c >= '0' && c <= '9'; }))
            fail(node, what + " must be a whole number >= 0");
        return static_cast<std::size_t>(std::stoul(value));
    }

    void only_keys(const YAML::Node& map, const std::set<std::string>& allowed, const std::string& context) const {
        if (!map.IsMap()) fail(map, context + " must be a mapping");
        for (const auto& entry : map) {
            auto key = entry.first.Scalar();
            if (!allowed.count(key)) {
                std::string list;
                for (const auto& name : allowed) list += (list.empty() ? "" : ", ") + name;
                fail(entry.first, "unknown key \"" + key + "\" in " + context + " (expected " + list + ")");
            }
        }
    }

    NoiseRange range(const YAML::Node& node, const std::string& context, bool allow_number) const {
        NoiseRange range;
        range.text = text(node, context);
        if (allow_number) {
            try {
                std::size_t used = 0;
                double amount = std::stod(range.text, &used);
                if (used == range.text.size()) {
                    if (!(amount > 0)) fail(node, context + " must be greater than 0");
                    range.amount = amount;
                    return range;
                }
            } catch (const std::logic_error&) {
                // not a number: a duration, checked below
            }
        }
        auto seconds = parse_duration_seconds(range.text);
        if (!seconds || *seconds <= 0)
            fail(node, context + " must be " + (allow_number ? "a number or " : "") +
                           "a duration such as \"30 days\", \"12 hours\" or \"1 year\"");
        range.temporal = true;
        range.seconds = *seconds;
        return range;
    }

    // `{scrub: [email, phone]}`, `{scrub: email}`; `{scrub: all}` and `{scrub: }` are every kind.
    ScrubKinds scrub_kinds(const YAML::Node& options, const std::string& context) const {
        if (!options || options.IsNull()) return ScrubKinds::all();
        const std::string expected = " (expected all or a list of " + scrub_kind_names() + ")";
        if (options.IsMap()) fail(options, context + " must be all or a list of kinds" + expected);
        if (options.IsSequence() && options.size() == 0) fail(options, context + " needs at least one kind" + expected);
        ScrubKinds kinds;
        const auto add = [&](const YAML::Node& entry) {
            const std::string name = text(entry, context + " kind");
            if (name == "all") {
                kinds = ScrubKinds::all();
                return;
            }
            const auto kind = parse_scrub_kind(name);
            if (!kind) fail(entry, "unknown scrub kind \"" + name + "\"" + expected);
            kinds = kinds.with(*kind);
        };
        if (options.IsSequence()) {
            for (const auto& entry : options) add(entry);
        } else {
            add(options);
        }
        return kinds;
    }

    // `inside_json`: rules at a json path see no other column, so templates and entities are refused.
    RuleSpec rule(const YAML::Node& node, const std::string& context, bool inside_json) const {
        RuleSpec spec;
        spec.origin = where(node);
        if (!node || node.IsNull()) {
            spec.kind = "null";
            return spec;
        }
        if (node.IsScalar()) {
            const auto& word = node.Scalar();
            if (word == "keep" || word == "null") {
                spec.kind = word;
            } else if (word == "hash") {
                spec.kind = "hash";
                spec.pseudonym_class = "hash";
            } else if (word == "scrub") {
                spec.kind = "scrub";  // every kind, as {scrub: all}
            } else {
                fail(node, context + ": unknown rule \"" + word + "\" (expected keep, null, hash, scrub or a mapping such as {fake: email})");
            }
            return spec;
        }
        if (!node.IsMap()) fail(node, context + ": a rule must be keep, null or a mapping such as {fake: email}");
        std::set<std::string> allowed = k_kinds;
        allowed.insert({"unique", "class", "nulls"});
        only_keys(node, allowed, context);
        for (const auto& entry : node) {
            auto key = entry.first.Scalar();
            if (!k_kinds.count(key)) continue;
            if (!spec.kind.empty()) fail(entry.first, context + ": give one rule kind, not both \"" + spec.kind + "\" and \"" + key + "\"");
            spec.kind = key;
        }
        if (spec.kind.empty()) fail(node, context + ": the rule names no kind (keep, null, fixed, hash, fake, mask, noise, date_shift, template, json, array, scrub)");
        const YAML::Node options = node[spec.kind];
        const std::string rule_context = context + " " + spec.kind;

        if (spec.kind == "keep" || spec.kind == "null") {
            if (!options.IsNull() && !(options.IsScalar() && options.Scalar() == "true"))
                fail(options, rule_context + " takes no options");
        } else if (spec.kind == "fixed") {
            if (options.IsNull()) spec.fixed_value = std::nullopt;
            else spec.fixed_value = text(options, rule_context);
        } else if (spec.kind == "hash") {
            spec.pseudonym_class = "hash";
            YAML::Node form = options;
            if (options.IsMap()) {
                only_keys(options, {"form", "length"}, rule_context);
                // operator= would overwrite the options node itself; a missing key is a zombie node
                // that throws when read, so `{hash: {length: 8}}` gets an explicit null form.
                if (options["form"]) form.reset(options["form"]);
                else form.reset(YAML::Node());
                if (options["length"]) {
                    spec.hash_length = count(options["length"], rule_context + " length");
                    if (spec.hash_length < 8) fail(options["length"], rule_context + " length must be at least 8");
                }
            }
            if (form && !form.IsNull()) {
                auto name = text(form, rule_context + " form");
                if (name == "hex") spec.hash_form = HashForm::hex;
                else if (name == "uuid") spec.hash_form = HashForm::uuid;
                else fail(form, rule_context + ": unknown form \"" + name + "\" (expected hex or uuid)");
            }
            if (spec.hash_form == HashForm::uuid && spec.hash_length != 0)
                fail(options["length"], rule_context + ": length applies to the hex form only");
        } else if (spec.kind == "fake") {
            auto name = text(options, rule_context);
            auto kind = parse_fake_kind(name);
            if (!kind) fail(options, "unknown fake kind \"" + name + "\" (expected one of " + fake_kind_names() + ")");
            spec.fake_kind = *kind;
            spec.pseudonym_class = name;
        } else if (spec.kind == "mask") {
            if (!options.IsNull()) {
                only_keys(options, {"keep_first", "keep_last", "char"}, rule_context);
                if (options["keep_first"]) spec.keep_first = count(options["keep_first"], rule_context + " keep_first");
                if (options["keep_last"]) spec.keep_last = count(options["keep_last"], rule_context + " keep_last");
                if (options["char"]) {
                    spec.mask_char = text(options["char"], rule_context + " char");
                    std::size_t characters = 0;
                    for (char c : spec.mask_char) characters += (static_cast<unsigned char>(c) & 0xC0) != 0x80;
                    if (characters != 1) fail(options["char"], rule_context + " char must be one character");
                }
            }
        } else if (spec.kind == "noise") {
            spec.pseudonym_class = "noise";
            only_keys(options, {"range"}, rule_context);
            if (!options["range"]) fail(options, rule_context + " needs range (a number, or a duration such as \"30 days\")");
            spec.range = range(options["range"], rule_context + " range", true);
        } else if (spec.kind == "date_shift") {
            spec.pseudonym_class = "date_shift";
            only_keys(options, {"max", "entity"}, rule_context);
            if (!options["max"]) fail(options, rule_context + " needs max (a duration such as \"365 days\")");
            spec.range = range(options["max"], rule_context + " max", false);
            if (options["entity"]) {
                if (inside_json) fail(options["entity"], rule_context + ": a rule inside json cannot read another column");
                spec.entity = text(options["entity"], rule_context + " entity");
            }
        } else if (spec.kind == "template") {
            if (inside_json) fail(options, rule_context + ": a rule inside json cannot read other columns");
            spec.pattern = text(options, rule_context);
            try {
                make_template_transformer(spec.pattern);
            } catch (const std::invalid_argument& error) {
                fail(options, rule_context + ": " + error.what());
            }
        } else if (spec.kind == "json") {
            if (!options.IsMap() || options.size() == 0) fail(options, rule_context + " must map JSON paths to rules, e.g. {\"$.email\": {fake: email}}");
            for (const auto& entry : options) {
                auto path = entry.first.Scalar();
                try {
                    parse_json_path(path);
                } catch (const std::invalid_argument& error) {
                    fail(entry.first, rule_context + ": " + error.what());
                }
                spec.json_paths.emplace_back(path, rule(entry.second, rule_context + " \"" + path + "\"", true));
            }
        } else if (spec.kind == "scrub") {
            spec.scrub_kinds = scrub_kinds(options, rule_context);
        } else if (spec.kind == "array") {
            if (options.IsNull()) fail(options, rule_context + " needs the rule for each element, e.g. {array: {fake: email}}");
            spec.element.push_back(rule(options, rule_context, inside_json));
        }

        if (node["nulls"]) {
            if (spec.kind != "fixed") fail(node["nulls"], context + ": nulls applies to fixed only");
            auto mode = text(node["nulls"], context + " nulls");
            if (mode == "replace") spec.replace_nulls = true;
            else if (mode != "keep") fail(node["nulls"], context + ": nulls must be keep or replace");
        }
        if (node["class"]) {
            if (spec.pseudonym_class.empty())
                fail(node["class"], context + ": class applies to hash, fake, noise and date_shift only");
            spec.pseudonym_class = text(node["class"], context + " class");
            if (spec.pseudonym_class.empty()) fail(node["class"], context + ": class must not be empty");
        }
        if (node["unique"]) {
            auto flag = text(node["unique"], context + " unique");
            if (flag == "true") spec.unique = true;
            else if (flag != "false") fail(node["unique"], context + ": unique must be true or false");
        }
        if (spec.unique) {
            if (spec.kind == "fake" && !fake_kind_can_be_unique(spec.fake_kind))
                fail(node["unique"], context + ": fake " + fake_kind_name(spec.fake_kind) +
                                         " has no unique form (fake email, username and url have one; or use hash)");
            // The uuid form is injective on uuid columns; the coverage guard checks the type.
            bool hash_uuid = spec.kind == "hash" && spec.hash_form == HashForm::uuid;
            if (spec.kind != "fake" && spec.kind != "null" && !hash_uuid &&
                !build_transformer(spec, validation_secret())->injective())
                fail(node["unique"], context + ": " + spec.kind + " cannot be unique (distinct inputs may collide); use keep, hash, or fake email, username or url");
        }
        return spec;
    }

};

}  // namespace

std::unique_ptr<Transformer> build_transformer(const RuleSpec& spec, const Secret& secret) {
    if (spec.kind == "keep") return make_keep_transformer();
    if (spec.kind == "null") return make_null_transformer();
    if (spec.kind == "fixed") return make_fixed_transformer(spec.fixed_value, spec.replace_nulls);
    if (spec.kind == "hash") return make_hash_transformer(secret, spec.pseudonym_class, spec.hash_form, spec.hash_length);
    if (spec.kind == "fake") return make_fake_transformer(secret, spec.fake_kind, spec.unique, spec.pseudonym_class);
    if (spec.kind == "mask") return make_mask_transformer(spec.keep_first, spec.keep_last, spec.mask_char);
    if (spec.kind == "noise") return make_noise_transformer(secret, spec.range, spec.pseudonym_class);
    if (spec.kind == "date_shift") return make_date_shift_transformer(secret, spec.range, spec.entity, spec.pseudonym_class);
    if (spec.kind == "template") return make_template_transformer(spec.pattern);
    if (spec.kind == "json") {
        std::vector<std::pair<std::vector<JsonPathStep>, std::unique_ptr<Transformer>>> paths;
        std::string description = "json";
        for (const auto& [path, inner] : spec.json_paths) {
            auto transformer = build_transformer(inner, secret);
            description += (paths.empty() ? " " : ", ") + path + ": " + transformer->describe();
            paths.emplace_back(parse_json_path(path), std::move(transformer));
        }
        return make_json_transformer(std::move(paths), std::move(description));
    }
    if (spec.kind == "array") return make_array_transformer(build_transformer(spec.element.at(0), secret));
    if (spec.kind == "scrub") return make_scrub_transformer(secret, spec.scrub_kinds);
    throw ConfigError(spec.origin + ": unknown rule kind \"" + spec.kind + "\"");
}

const Secret& validation_secret() {
    static const Secret secret = Secret::from_text("understudy: rule validation only, never output", "internal");
    return secret;
}

struct RuleSet::Impl {
    bool configured = false;
    DefaultPolicy default_policy = DefaultPolicy::keep;
    KeptPiiPolicy kept_pii_policy = KeptPiiPolicy::off;
    std::vector<ColumnRule> rules;
    std::map<std::pair<std::string, std::string>, RuleSpec> specs;
    std::set<std::pair<std::string, std::string>> kept_columns;
    std::set<std::string> kept_tables;
};

RuleSet::RuleSet() : m_impl(std::make_unique<Impl>()) {}
RuleSet::~RuleSet() = default;
RuleSet::RuleSet(RuleSet&&) noexcept = default;
RuleSet& RuleSet::operator=(RuleSet&&) noexcept = default;

RuleSet RuleSet::load_file(const std::string& path) {
    std::ifstream stream(path);
    if (!stream) throw Error(ExitCode::config, path + ": cannot read the configuration file");
    YAML::Node root;
    try {
        root = YAML::Load(stream);
    } catch (const YAML::Exception& error) {
        throw ConfigError(path + ":" + std::to_string(error.mark.line + 1) + ":" + std::to_string(error.mark.column + 1) +
                          ": " + error.msg);
    }
    return from_yaml(root, path);
}

RuleSet RuleSet::from_yaml(const YAML::Node& root, const std::string& path) {
    RuleSet set;
    Parser parser(path);
    if (!root || root.IsNull()) return set;
    if (!root.IsMap()) parser.fail(root, "the configuration file must be a mapping");
    // A misspelt `anonymise:` must not read as "no anonymization configured": that would fail open.
    parser.only_keys(root, {"source", "target", "subset", "anonymize", "keep", "sync", "protect"}, "the configuration file");
    auto& impl = *set.m_impl;
    if (const YAML::Node anonymize = root["anonymize"]) {
        // An anonymize section, even an empty one, turns the fail-closed guard on.
        impl.configured = true;
        impl.default_policy = DefaultPolicy::fail;
        impl.kept_pii_policy = KeptPiiPolicy::fail;
        if (!anonymize.IsNull()) {
            parser.only_keys(anonymize, {"default", "kept_pii", "tables"}, "anonymize");
            if (anonymize["default"]) {
                auto policy = parser.text(anonymize["default"], "anonymize default");
                if (policy == "keep") impl.default_policy = DefaultPolicy::keep;
                else if (policy != "fail") parser.fail(anonymize["default"], "default must be fail or keep");
            }
            // Kept columns are sampled for personal data: as strict as the default for unclassified ones.
            impl.kept_pii_policy =
                impl.default_policy == DefaultPolicy::fail ? KeptPiiPolicy::fail : KeptPiiPolicy::warn;
            if (anonymize["kept_pii"]) {
                auto policy = parser.text(anonymize["kept_pii"], "anonymize kept_pii");
                if (policy == "fail") impl.kept_pii_policy = KeptPiiPolicy::fail;
                else if (policy == "warn") impl.kept_pii_policy = KeptPiiPolicy::warn;
                else if (policy == "off") impl.kept_pii_policy = KeptPiiPolicy::off;
                else parser.fail(anonymize["kept_pii"], "kept_pii must be fail, warn or off");
            }
            const YAML::Node tables = anonymize["tables"];
            if (tables && !tables.IsNull()) {
                if (!tables.IsMap()) parser.fail(tables, "anonymize tables must map table names to column rules");
                for (const auto& table_entry : tables) {
                    const auto table = qualify(table_entry.first.Scalar());
                    const YAML::Node columns = table_entry.second;
                    if (columns.IsNull()) continue;
                    if (!columns.IsMap()) parser.fail(columns, "table " + quoted_table(table) + " must map column names to rules");
                    for (const auto& column_entry : columns) {
                        const auto column = column_entry.first.Scalar();
                        if (impl.specs.count({table, column}))
                            parser.fail(column_entry.first, "column " + quoted_column(table, column) + " has two rules");
                        RuleSpec spec = parser.rule(column_entry.second, "column " + quoted_column(table, column), false);
                        // A null rule written as `column:` has no mark of its own: point at the key.
                        if (column_entry.second.Mark().is_null() || column_entry.second.IsNull())
                            spec.origin = parser.where(column_entry.first);
                        ColumnRule rule;
                        rule.table = table;
                        rule.column = column;
                        rule.kind = spec.kind;
                        rule.unique = spec.unique;
                        rule.origin = spec.origin;
                        rule.description = build_transformer(spec, validation_secret())->describe();
                        impl.rules.push_back(std::move(rule));
                        impl.specs.emplace(std::make_pair(table, column), std::move(spec));
                    }
                }
            }
        }
    }
    if (const YAML::Node keep = root["keep"]) {
        if (!keep.IsNull()) {
            if (!keep.IsSequence()) parser.fail(keep, "keep must be a list of schema.table.column or schema.table");
            for (const auto& entry : keep) {
                auto name = parser.text(entry, "keep entry");
                // SQL-quoted parts when the entry parses so (what init writes for names with dots or
                // quotes); otherwise the parts between the dots, as written.
                std::vector<std::string> parts;
                auto quoted_parts = name.find('"') != std::string::npos ? split_quoted_name(name) : std::nullopt;
                if (quoted_parts && quoted_parts->size() >= 2 && quoted_parts->size() <= 3) {
                    parts = std::move(*quoted_parts);
                } else {
                    for (std::size_t start = 0;;) {
                        const std::size_t dot = name.find('.', start);
                        parts.push_back(name.substr(start, dot == std::string::npos ? std::string::npos : dot - start));
                        if (dot == std::string::npos) break;
                        start = dot + 1;
                    }
                }
                const auto dots = parts.size() - 1;
                if (dots > 2)
                    parser.fail(entry, "keep entry \"" + name + "\" has more than schema.table.column (quote "
                                       "names that hold dots: public.\"odd.name\".\"column\")");
                if (dots == 2) {
                    std::pair<std::string, std::string> key{parts[0] + "." + parts[1], parts[2]};
                    if (impl.specs.count(key))
                        parser.fail(entry, "column " + quoted_column(key.first, key.second) + " is kept and also has a rule at " +
                                               impl.specs.at(key).origin);
                    impl.kept_columns.insert(std::move(key));
                } else if (dots == 1) {
                    impl.kept_tables.insert(parts[0] + "." + parts[1]);
                } else {
                    parser.fail(entry, "keep entry \"" + name + "\" must be schema.table.column or schema.table");
                }
            }
        }
    }
    std::sort(impl.rules.begin(), impl.rules.end(), [](const ColumnRule& left, const ColumnRule& right) {
        return std::tie(left.table, left.column) < std::tie(right.table, right.column);
    });
    return set;
}

std::string config_name(const std::string& table, const std::string& column) {
    const auto dot = table.find('.');
    const std::string schema = dot == std::string::npos ? "public" : table.substr(0, dot);
    const std::string name = dot == std::string::npos ? table : table.substr(dot + 1);
    const auto needs_quotes = [](const std::string& part) {
        return part.empty() || part.find_first_of(".\"") != std::string::npos;
    };
    if (!needs_quotes(schema) && !needs_quotes(name) && (column.empty() || !needs_quotes(column)))
        return schema + "." + name + (column.empty() ? "" : "." + column);
    const auto quote = [](const std::string& part) {
        std::string out = "\"";
        for (char c : part) out += c == '"' ? std::string("\"\"") : std::string(1, c);
        return out + "\"";
    };
    return quote(schema) + "." + quote(name) + (column.empty() ? "" : "." + quote(column));
}

bool RuleSet::configured() const { return m_impl->configured; }
DefaultPolicy RuleSet::default_policy() const { return m_impl->default_policy; }
KeptPiiPolicy RuleSet::kept_pii_policy() const { return m_impl->kept_pii_policy; }
const std::vector<ColumnRule>& RuleSet::rules() const { return m_impl->rules; }

const ColumnRule* RuleSet::find(const std::string& table, const std::string& column) const {
    auto found = std::lower_bound(m_impl->rules.begin(), m_impl->rules.end(), std::tie(table, column),
                                  [](const ColumnRule& rule, const std::tuple<const std::string&, const std::string&>& key) {
                                      return std::tie(rule.table, rule.column) < key;
                                  });
    if (found == m_impl->rules.end() || found->table != table || found->column != column) return nullptr;
    return &*found;
}

std::vector<std::string> RuleSet::json_rule_paths(const std::string& table, const std::string& column) const {
    std::vector<std::string> paths;
    auto found = m_impl->specs.find({table, column});
    if (found == m_impl->specs.end() || found->second.kind != "json") return paths;
    for (const auto& path : found->second.json_paths) paths.push_back(path.first);
    return paths;
}

bool RuleSet::kept(const std::string& table, const std::string& column) const {
    return m_impl->kept_tables.count(table) > 0 || m_impl->kept_columns.count({table, column}) > 0;
}

std::unique_ptr<Transformer> RuleSet::make_transformer(const ColumnRule& rule, const Secret& secret) const {
    auto found = m_impl->specs.find({rule.table, rule.column});
    if (found == m_impl->specs.end())
        throw ConfigError(rule.origin + ": no rule for column " + quoted_column(rule.table, rule.column));
    return build_transformer(found->second, secret);
}

}  // namespace understudy::anonymizer

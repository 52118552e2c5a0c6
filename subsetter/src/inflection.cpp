// ActiveSupport's English plural rules, irregular words and uncountables, as suffix rules.
//
// The rules are all anchored at the end of the word (a few also at its start), so they are
// written as suffix tests rather than std::regex: that keeps them readable next to Rails'
// list and avoids <regex>, which GCC 12 miscompiles warnings for under the sanitizers.
#include "inflection.hpp"

#include <cctype>
#include <cstring>
#include <vector>

namespace understudy::subsetter {
namespace {

/// What a rule needs beyond its ending.
enum class Condition {
    none,
    whole_word,       ///< `^...$` in Rails: the ending is the whole word
    not_f_before,     ///< `([^f])fe$`: one character before the ending, and it is not `f`
    consonant_before, ///< `([^aeiouy]|qu)y$`: one character before, not a vowel, or `qu` before
};

/// One Rails rule: when the (lowercased) word ends with `ending`, drop `drop` characters and
/// append `add`. The kept characters keep their case, as Ruby's `\1` does.
struct PluralRule {
    const char* ending;
    std::size_t drop;
    const char* add;
    Condition condition = Condition::none;
};

std::string lower(std::string text) {
    for (char& c : text) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    return text;
}

bool ends_with(const std::string& text, const std::string& suffix) {
    return text.size() >= suffix.size() && text.compare(text.size() - suffix.size(), suffix.size(), suffix) == 0;
}

/// The rules in the order ActiveSupport tries them: it prepends each new rule, so the irregular
/// words (defined last in inflections.rb) come first and `/$/ -> s` comes last.
std::vector<PluralRule> make_rules() {
    std::vector<PluralRule> rules;
    // irregular(singular, plural) adds `/(s0)srest$/i -> \1prest` and then `/(p0)prest$/i -> \1prest`;
    // the later one is tried first. Anchored only at the end: `woman` -> `women`.
    static const std::pair<const char*, const char*> irregulars[] = {
        {"zombie", "zombies"}, {"move", "moves"}, {"sex", "sexes"},
        {"child", "children"}, {"man", "men"},    {"person", "people"},
    };
    for (const auto& [singular, plural] : irregulars) {
        rules.push_back({plural, std::strlen(plural) - 1, plural + 1});
        rules.push_back({singular, std::strlen(singular) - 1, plural + 1});
    }
    const PluralRule regular[] = {
        {"quiz", 0, "zes"},                                  // /(quiz)$/i
        {"oxen", 0, "", Condition::whole_word},              // /^(oxen)$/i
        {"ox", 0, "en", Condition::whole_word},              // /^(ox)$/i
        {"mice", 0, "", Condition::whole_word},              // /^(m|l)ice$/i
        {"lice", 0, "", Condition::whole_word},
        {"mouse", 4, "ice", Condition::whole_word},          // /^(m|l)ouse$/i
        {"louse", 4, "ice", Condition::whole_word},
        {"matrix", 2, "ices"}, {"matrex", 2, "ices"},        // /(matr|vert|ind)(?:ix|ex)$/i
        {"vertix", 2, "ices"}, {"vertex", 2, "ices"},
        {"indix", 2, "ices"},  {"index", 2, "ices"},
        {"x", 0, "es"}, {"ch", 0, "es"}, {"ss", 0, "es"}, {"sh", 0, "es"},  // /(x|ch|ss|sh)$/i
        {"y", 1, "ies", Condition::consonant_before},        // /([^aeiouy]|qu)y$/i
        {"hive", 0, "s"},                                    // /(hive)$/i
        {"fe", 2, "ves", Condition::not_f_before},           // /(?:([^f])fe|([lr])f)$/i
        {"lf", 1, "ves"}, {"rf", 1, "ves"},
        {"sis", 3, "ses"},                                   // /sis$/i
        {"ta", 0, ""}, {"ia", 0, ""},                        // /([ti])a$/i
        {"tum", 2, "a"}, {"ium", 2, "a"},                    // /([ti])um$/i
        {"buffalo", 0, "es"}, {"tomato", 0, "es"},           // /(buffal|tomat)o$/i
        {"bus", 0, "es"},                                    // /(bu)s$/i
        {"alias", 0, "es"}, {"status", 0, "es"},             // /(alias|status)$/i
        {"octopi", 0, ""}, {"viri", 0, ""},                  // /(octop|vir)i$/i
        {"octopus", 2, "i"}, {"virus", 2, "i"},              // /(octop|vir)us$/i
        {"axis", 2, "es", Condition::whole_word},            // /^(ax|test)is$/i
        {"testis", 2, "es", Condition::whole_word},
        {"s", 0, ""},                                        // /s$/i
        {"", 0, "s"},                                        // /$/
    };
    rules.insert(rules.end(), std::begin(regular), std::end(regular));
    return rules;
}

bool applies(const PluralRule& rule, const std::string& lowered) {
    const std::string ending = rule.ending;
    if (!ends_with(lowered, ending)) return false;
    const std::size_t before = lowered.size() - ending.size();  // characters in front of the ending
    switch (rule.condition) {
    case Condition::none:
        return true;
    case Condition::whole_word:
        return before == 0;
    case Condition::not_f_before:
        return before > 0 && lowered[before - 1] != 'f';
    case Condition::consonant_before:
        if (before >= 2 && lowered.compare(before - 2, 2, "qu") == 0) return true;
        return before > 0 && std::strchr("aeiouy", lowered[before - 1]) == nullptr;
    }
    return false;
}

bool is_word_char(char c) { return std::isalnum(static_cast<unsigned char>(c)) || c == '_'; }

/// ActiveSupport matches uncountables as `/\b<word>\Z/i`: the word at the end, after a word
/// boundary. `_` is a word character, so `blue_jeans` is countable and `blue-jeans` is not.
bool is_uncountable(const std::string& lowered) {
    static const char* const uncountables[] = {"equipment", "information", "rice", "money", "species",
                                               "series",    "fish",        "sheep", "jeans", "police"};
    for (const char* uncountable : uncountables) {
        const std::string tail = uncountable;
        if (!ends_with(lowered, tail)) continue;
        const std::size_t start = lowered.size() - tail.size();
        if (start == 0 || !is_word_char(lowered[start - 1])) return true;
    }
    return false;
}

bool is_upper(char c) { return c >= 'A' && c <= 'Z'; }
bool is_lower(char c) { return c >= 'a' && c <= 'z'; }
bool is_digit(char c) { return c >= '0' && c <= '9'; }

}  // namespace

std::string pluralize(const std::string& word) {
    const std::string lowered = lower(word);
    if (word.empty() || is_uncountable(lowered)) return word;
    static const std::vector<PluralRule> rules = make_rules();
    for (const auto& rule : rules) {
        if (applies(rule, lowered)) return word.substr(0, word.size() - rule.drop) + rule.add;
    }
    return word;
}

std::string underscore(const std::string& camel_cased) {
    std::string word;
    for (std::size_t index = 0; index < camel_cased.size(); ++index) {
        if (camel_cased.compare(index, 2, "::") == 0) {
            word += '/';
            ++index;
        } else {
            word += camel_cased[index];
        }
    }
    // ActiveSupport's /([A-Z]+)(?=[A-Z][a-z])|([a-z\d])(?=[A-Z])/ -> '\1\2_': an underscore before
    // the last capital of a run that starts a word (`HTMLParser` -> `HTML_Parser`) and between a
    // lowercase letter or digit and a capital (`adminUser` -> `admin_User`).
    std::string out;
    for (std::size_t index = 0; index < word.size(); ++index) {
        if (index > 0) {
            const char previous = word[index - 1];
            const char current = word[index];
            const char next = index + 1 < word.size() ? word[index + 1] : '\0';
            const bool run_ends = is_upper(previous) && is_upper(current) && is_lower(next);
            const bool word_starts = (is_lower(previous) || is_digit(previous)) && is_upper(current);
            if (run_ends || word_starts) out += '_';
        }
        out += word[index];
    }
    for (char& c : out) {
        if (c == '-') c = '_';
    }
    return lower(out);
}

std::string tableize(const std::string& class_name) { return pluralize(underscore(class_name)); }

}  // namespace understudy::subsetter

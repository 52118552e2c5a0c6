// ActiveSupport's English plural rules, irregular words and uncountables, rewritten with std::regex.
#include "inflection.hpp"

#include <algorithm>
#include <cctype>
#include <regex>
#include <utility>
#include <vector>

namespace understudy::subsetter {
namespace {

struct PluralRule {
    std::regex pattern;
    std::string replacement;   // std::regex_replace syntax: $1 where Ruby writes \1
};

std::regex rule(const std::string& pattern) { return std::regex(pattern, std::regex::ECMAScript | std::regex::icase); }

/// The rules in the order ActiveSupport tries them: it prepends each new rule, so the last one
/// defined in inflections.rb (the irregular words) is tried first and `/$/ -> s` last.
const std::vector<PluralRule>& plural_rules() {
    static const std::vector<PluralRule> rules = [] {
        std::vector<PluralRule> defined;
        auto plural = [&defined](const std::string& pattern, const std::string& replacement) {
            defined.push_back({rule(pattern), replacement});
        };
        plural("$", "s");
        plural("s$", "s");
        plural("^(ax|test)is$", "$1es");
        plural("(octop|vir)us$", "$1i");
        plural("(octop|vir)i$", "$1i");
        plural("(alias|status)$", "$1es");
        plural("(bu)s$", "$1ses");
        plural("(buffal|tomat)o$", "$1oes");
        plural("([ti])um$", "$1a");
        plural("([ti])a$", "$1a");
        plural("sis$", "ses");
        plural("(?:([^f])fe|([lr])f)$", "$1$2ves");
        plural("(hive)$", "$1s");
        plural("([^aeiouy]|qu)y$", "$1ies");
        plural("(x|ch|ss|sh)$", "$1es");
        plural("(matr|vert|ind)(?:ix|ex)$", "$1ices");
        plural("^(m|l)ouse$", "$1ice");
        plural("^(m|l)ice$", "$1ice");
        plural("^(ox)$", "$1en");
        plural("^(oxen)$", "$1");
        plural("(quiz)$", "$1zes");
        // ActiveSupport's `irregular`: the first letter is kept as written, the rest replaced, and
        // the match is anchored only at the end (so `woman` -> `women`, `salesperson` -> `salespeople`).
        const std::pair<const char*, const char*> irregulars[] = {
            {"person", "people"}, {"man", "men"},     {"child", "children"},
            {"sex", "sexes"},     {"move", "moves"},  {"zombie", "zombies"},
        };
        for (const auto& [singular, plural_form] : irregulars) {
            const std::string singular_text = singular;
            const std::string plural_text = plural_form;
            plural("(" + singular_text.substr(0, 1) + ")" + singular_text.substr(1) + "$", "$1" + plural_text.substr(1));
            plural("(" + plural_text.substr(0, 1) + ")" + plural_text.substr(1) + "$", "$1" + plural_text.substr(1));
        }
        std::reverse(defined.begin(), defined.end());
        return defined;
    }();
    return rules;
}

bool is_word_char(char c) { return std::isalnum(static_cast<unsigned char>(c)) || c == '_'; }

std::string lower(std::string text) {
    for (char& c : text) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    return text;
}

/// ActiveSupport matches uncountables as `/\b<word>\Z/i`: the word at the end, after a word
/// boundary. `_` is a word character, so `blue_jeans` is countable and `blue-jeans` is not.
bool is_uncountable(const std::string& word) {
    static const char* const uncountables[] = {"equipment", "information", "rice", "money", "species",
                                               "series",    "fish",        "sheep", "jeans", "police"};
    const std::string lowered = lower(word);
    for (const char* uncountable : uncountables) {
        const std::string tail = uncountable;
        if (lowered.size() < tail.size() || lowered.compare(lowered.size() - tail.size(), tail.size(), tail) != 0)
            continue;
        const std::size_t start = lowered.size() - tail.size();
        if (start == 0 || !is_word_char(lowered[start - 1])) return true;
    }
    return false;
}

}  // namespace

std::string pluralize(const std::string& word) {
    if (word.empty() || is_uncountable(word)) return word;
    for (const auto& plural_rule : plural_rules()) {
        if (std::regex_search(word, plural_rule.pattern)) {
            // Ruby's `sub!` replaces the first match only.
            return std::regex_replace(word, plural_rule.pattern, plural_rule.replacement,
                                      std::regex_constants::format_first_only);
        }
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
    // `HTMLParser` -> `HTML_Parser`, `adminUser` -> `admin_User`, as ActiveSupport's two patterns do.
    static const std::regex boundary("([A-Z]+)(?=[A-Z][a-z])|([a-z0-9])(?=[A-Z])");
    word = std::regex_replace(word, boundary, "$1$2_");
    std::replace(word.begin(), word.end(), '-', '_');
    return lower(word);
}

std::string tableize(const std::string& class_name) { return pluralize(underscore(class_name)); }

}  // namespace understudy::subsetter

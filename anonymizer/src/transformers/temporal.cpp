// Date arithmetic on PostgreSQL's ISO output (DateStyle ISO, the default and what COPY uses).
#include "transformers/temporal.hpp"


namespace understudy::anonymizer {
namespace {

constexpr std::int64_t k_day = 86400;

// Howard Hinnant's days_from_civil / civil_from_days: exact proleptic Gregorian arithmetic.
std::int64_t days_from_civil(std::int64_t year, unsigned month, unsigned day) {
    year -= month <= 2;
    const std::int64_t era = (year >= 0 ? year : year - 399) / 400;
    const unsigned year_of_era = static_cast<unsigned>(year - era * 400);
    const unsigned day_of_year = (153 * (month + (month > 2 ? -3 : 9)) + 2) / 5 + day - 1;
    const unsigned day_of_era = year_of_era * 365 + year_of_era / 4 - year_of_era / 100 + day_of_year;
    return era * 146097 + static_cast<std::int64_t>(day_of_era) - 719468;
}

void civil_from_days(std::int64_t days, std::int64_t& year, unsigned& month, unsigned& day) {
    days += 719468;
    const std::int64_t era = (days >= 0 ? days : days - 146096) / 146097;
    const unsigned day_of_era = static_cast<unsigned>(days - era * 146097);
    const unsigned year_of_era = (day_of_era - day_of_era / 1460 + day_of_era / 36524 - day_of_era / 146096) / 365;
    const unsigned day_of_year = day_of_era - (365 * year_of_era + year_of_era / 4 - year_of_era / 100);
    const unsigned mp = (5 * day_of_year + 2) / 153;
    day = day_of_year - (153 * mp + 2) / 5 + 1;
    month = mp < 10 ? mp + 3 : mp - 9;
    year = static_cast<std::int64_t>(year_of_era) + era * 400 + (month <= 2);
}

bool is_digit(char c) { return c >= '0' && c <= '9'; }

// Reads exactly `count` digits at `pos`.
bool read_digits(std::string_view text, std::size_t& pos, std::size_t count, std::int64_t& value) {
    if (pos + count > text.size()) return false;
    value = 0;
    for (std::size_t digit_idx = 0; digit_idx < count; ++digit_idx) {
        if (!is_digit(text[pos + digit_idx])) return false;
        value = value * 10 + (text[pos + digit_idx] - '0');
    }
    pos += count;
    return true;
}

// HH:MM:SS at `pos`; the rest (fraction, zone) is returned as a suffix kept verbatim.
bool read_time(std::string_view text, std::size_t& pos, std::int64_t& seconds) {
    std::int64_t hour = 0, minute = 0, second = 0;
    if (!read_digits(text, pos, 2, hour) || pos >= text.size() || text[pos++] != ':') return false;
    if (!read_digits(text, pos, 2, minute) || pos >= text.size() || text[pos++] != ':') return false;
    if (!read_digits(text, pos, 2, second)) return false;
    if (hour > 24 || minute > 59 || second > 60) return false;
    seconds = hour * 3600 + minute * 60 + second;
    return true;
}

bool valid_suffix(std::string_view suffix) {
    // .ffffff then an optional zone: +HH, -HH:MM, +HH:MM:SS.
    for (char c : suffix) {
        if (!is_digit(c) && c != '.' && c != '+' && c != '-' && c != ':') return false;
    }
    return true;
}

void append_two(std::int64_t value, std::string& out) {
    out += static_cast<char>('0' + value / 10);
    out += static_cast<char>('0' + value % 10);
}

void append_time(std::int64_t seconds, std::string& out) {
    append_two(seconds / 3600, out);
    out += ':';
    append_two(seconds / 60 % 60, out);
    out += ':';
    append_two(seconds % 60, out);
}

}  // namespace

std::optional<std::int64_t> parse_duration_seconds(std::string_view text) {
    std::size_t pos = 0;
    while (pos < text.size() && text[pos] == ' ') ++pos;
    std::int64_t number = 0;
    std::size_t digits = 0;
    while (pos < text.size() && is_digit(text[pos])) {
        if (number > 1000000000) return std::nullopt;
        number = number * 10 + (text[pos++] - '0');
        ++digits;
    }
    if (digits == 0) return std::nullopt;
    while (pos < text.size() && text[pos] == ' ') ++pos;
    std::string_view unit = text.substr(pos);
    while (!unit.empty() && unit.back() == ' ') unit.remove_suffix(1);
    if (unit.empty()) return number * k_day;
    if (unit.size() > 1 && unit.back() == 's') unit.remove_suffix(1);
    if (unit == "second" || unit == "sec") return number;
    if (unit == "minute" || unit == "min") return number * 60;
    if (unit == "hour") return number * 3600;
    if (unit == "day") return number * k_day;
    if (unit == "week") return number * 7 * k_day;
    if (unit == "month") return number * 30 * k_day;
    if (unit == "year") return number * 365 * k_day;
    return std::nullopt;
}

bool shift_temporal(std::string_view value, std::int64_t seconds, std::string& out) {
    out.clear();
    if (value == "infinity" || value == "-infinity") {
        out.assign(value);
        return true;
    }
    std::size_t pos = 0;
    // A time of day alone: HH:MM:SS..., wrapping around midnight.
    if (value.size() >= 8 && value[2] == ':') {
        std::int64_t time = 0;
        if (!read_time(value, pos, time) || !valid_suffix(value.substr(pos))) return false;
        std::int64_t shifted = ((time + seconds) % k_day + k_day) % k_day;
        append_time(shifted, out);
        out.append(value.substr(pos));
        return true;
    }
    // Years have 4 or more digits in ISO output; BC dates are not shifted (they are not personal data).
    std::size_t year_digits = 0;
    while (year_digits < value.size() && is_digit(value[year_digits])) ++year_digits;
    if (year_digits < 4) return false;
    std::int64_t year = 0, month = 0, day = 0;
    if (!read_digits(value, pos, year_digits, year) || pos >= value.size() || value[pos++] != '-') return false;
    if (!read_digits(value, pos, 2, month) || pos >= value.size() || value[pos++] != '-') return false;
    if (!read_digits(value, pos, 2, day)) return false;
    if (month < 1 || month > 12 || day < 1 || day > 31) return false;
    std::int64_t days = days_from_civil(year, static_cast<unsigned>(month), static_cast<unsigned>(day));
    std::int64_t time = 0;
    bool has_time = false;
    if (pos < value.size()) {
        if (value[pos] != ' ' && value[pos] != 'T') return false;
        ++pos;
        if (!read_time(value, pos, time)) return false;
        has_time = true;
    }
    std::string_view suffix = value.substr(pos);
    if (!valid_suffix(suffix)) return false;
    std::int64_t total = days * k_day + time + (has_time ? seconds : seconds - seconds % k_day);
    std::int64_t new_days = total >= 0 ? total / k_day : -((-total + k_day - 1) / k_day);
    std::int64_t new_time = total - new_days * k_day;
    std::int64_t new_year = 0;
    unsigned new_month = 0, new_day = 0;
    civil_from_days(new_days, new_year, new_month, new_day);
    if (new_year < 1) return false;
    // %04d by hand: snprintf was a tenth of the cost of a shift.
    std::string year_text = std::to_string(new_year);
    if (year_text.size() < 4) out.append(4 - year_text.size(), '0');
    out += year_text;
    out += '-';
    append_two(new_month, out);
    out += '-';
    append_two(new_day, out);
    if (has_time) {
        out += value[year_digits + 6];  // the separator as it was
        append_time(new_time, out);
    }
    out.append(suffix);
    return true;
}

}  // namespace understudy::anonymizer

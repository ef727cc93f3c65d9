#include "view/dates.hpp"

#include <string>

namespace sabor::view {

namespace {

using util::civil_time;
using util::seconds_from_civil;
using util::to_local;
using util::two_digits;

constexpr const char* k_en_dash = " \u2013 ";

bool is_english(std::string_view lang) { return lang == "en"; }

constexpr const char* k_months_bg[12] = {"януари", "февруари", "март",     "април",
                                         "май",    "юни",      "юли",      "август",
                                         "септември", "октомври", "ноември", "декември"};
constexpr const char* k_months_en[12] = {"January", "February", "March",     "April",
                                         "May",     "June",     "July",      "August",
                                         "September", "October", "November", "December"};

std::string date_text(const civil_time& c, std::string_view lang) {
    const bool en = is_english(lang);
    std::string out = std::to_string(c.day) + " ";
    out += en ? k_months_en[c.month - 1] : k_months_bg[c.month - 1];
    out += " " + std::to_string(c.year);
    if (!en) out += " г.";
    return out;
}

std::string clock_text(const civil_time& c) { return two_digits(c.hour) + ":" + two_digits(c.minute); }

// Bulgarian writes "ч." after the time.
std::string hours_suffix(std::string_view lang) { return is_english(lang) ? "" : " ч."; }

std::string date_time_text(const civil_time& c, std::string_view lang) {
    return date_text(c, lang) + ", " + clock_text(c) + hours_suffix(lang);
}

}  // namespace








std::string format_date(std::int64_t t, std::string_view tz, std::string_view lang) {
    return date_text(to_local(t, tz).civil, lang);
}

std::string format_date_time(std::int64_t t, std::string_view tz, std::string_view lang) {
    return date_time_text(to_local(t, tz).civil, lang);
}

std::string format_time(std::int64_t t, std::string_view tz, std::string_view lang) {
    return clock_text(to_local(t, tz).civil) + hours_suffix(lang);
}

std::string format_time_range(std::int64_t start, std::int64_t end, std::string_view tz,
                              std::string_view lang) {
    return clock_text(to_local(start, tz).civil) + k_en_dash + clock_text(to_local(end, tz).civil) + hours_suffix(lang);
}

std::string relative_day(std::int64_t day, std::int64_t now, std::string_view tz, std::string_view lang) {
    const civil_time d = to_local(day, tz).civil;
    const civil_time n = to_local(now, tz).civil;
    auto midnight = [](civil_time c) {
        c.hour = c.minute = c.second = 0;
        return seconds_from_civil(c);
    };
    const std::int64_t days = (midnight(d) - midnight(n)) / 86400;
    const bool en = is_english(lang);
    if (days <= 0) return en ? "today" : "днес";
    if (days == 1) return en ? "tomorrow" : "утре";
    std::string out = en ? "on " : "на ";
    out += std::to_string(d.day) + " " + (en ? k_months_en[d.month - 1] : k_months_bg[d.month - 1]);
    if (d.year != n.year) out += " " + std::to_string(d.year) + (en ? "" : " г.");
    return out;
}

std::string format_range(std::int64_t start, std::int64_t end, std::string_view tz,
                         std::string_view lang) {
    const civil_time a = to_local(start, tz).civil;
    const civil_time b = to_local(end, tz).civil;
    const bool same_day = a.year == b.year && a.month == b.month && a.day == b.day;
    if (!same_day) return date_time_text(a, lang) + k_en_dash + date_time_text(b, lang);
    return date_text(a, lang) + ", " + clock_text(a) + k_en_dash + clock_text(b) + hours_suffix(lang);
}

}  // namespace sabor::view

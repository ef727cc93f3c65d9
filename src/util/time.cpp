#include "util/time.hpp"

#include <unicode/basictz.h>
#include <unicode/timezone.h>
#include <unicode/unistr.h>

#include <algorithm>
#include <cstdio>
#include <functional>
#include <map>
#include <memory>
#include <mutex>

namespace sabor::util {

namespace {

constexpr std::int64_t k_seconds_per_day = 86400;

// Formatting range: 0001-01-01 .. 9999-12-31T23:59:59Z. Clamping keeps the
// arithmetic below free of overflow for arbitrary stored values.
constexpr std::int64_t k_min_time = -62135596800;
constexpr std::int64_t k_max_time = 253402300799;


bool is_leap(std::int64_t y) { return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0; }

int days_in_month(std::int64_t y, int m) {
    static constexpr int k_days[12] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    return (m == 2 && is_leap(y)) ? 29 : k_days[m - 1];
}

// Howard Hinnant's days_from_civil / civil_from_days (proleptic Gregorian).
std::int64_t days_from_civil(std::int64_t y, int m, int d) {
    y -= m <= 2 ? 1 : 0;
    const std::int64_t era = (y >= 0 ? y : y - 399) / 400;
    const std::int64_t yoe = y - era * 400;
    const std::int64_t mp = (m + 9) % 12;
    const std::int64_t doy = (153 * mp + 2) / 5 + d - 1;
    const std::int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + doe - 719468;
}

civil_time civil_from_seconds(std::int64_t t) {
    std::int64_t days = t / k_seconds_per_day;
    std::int64_t rem = t % k_seconds_per_day;
    if (rem < 0) {
        rem += k_seconds_per_day;
        --days;
    }
    const std::int64_t z = days + 719468;
    const std::int64_t era = (z >= 0 ? z : z - 146096) / 146097;
    const std::int64_t doe = z - era * 146097;
    const std::int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    const std::int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    const std::int64_t mp = (5 * doy + 2) / 153;
    civil_time c;
    c.day = static_cast<int>(doy - (153 * mp + 2) / 5 + 1);
    c.month = static_cast<int>(mp < 10 ? mp + 3 : mp - 9);
    c.year = yoe + era * 400 + (c.month <= 2 ? 1 : 0);
    c.hour = static_cast<int>(rem / 3600);
    c.minute = static_cast<int>(rem % 3600 / 60);
    c.second = static_cast<int>(rem % 60);
    return c;
}


// ---- parsing ---------------------------------------------------------------

// Reads exactly `count` ASCII digits at `pos`.
bool read_number(std::string_view s, std::size_t& pos, std::size_t count, int& value) {
    if (s.size() - pos < count) return false;
    value = 0;
    for (std::size_t k = 0; k < count; ++k) {
        const char c = s[pos + k];
        if (c < '0' || c > '9') return false;
        value = value * 10 + (c - '0');
    }
    pos += count;
    return true;
}

bool read_char(std::string_view s, std::size_t& pos, char expected) {
    if (pos >= s.size() || s[pos] != expected) return false;
    ++pos;
    return true;
}

// "YYYY-MM-DD<sep>HH:MM[:SS]" with range checks; leaves `pos` after it.
std::optional<civil_time> read_wall_clock(std::string_view s, std::size_t& pos, bool allow_space) {
    int year = 0;
    civil_time c;
    if (!read_number(s, pos, 4, year) || !read_char(s, pos, '-') ||
        !read_number(s, pos, 2, c.month) || !read_char(s, pos, '-') ||
        !read_number(s, pos, 2, c.day)) {
        return std::nullopt;
    }
    if (!read_char(s, pos, 'T') && !(allow_space && read_char(s, pos, ' '))) return std::nullopt;
    if (!read_number(s, pos, 2, c.hour) || !read_char(s, pos, ':') ||
        !read_number(s, pos, 2, c.minute)) {
        return std::nullopt;
    }
    if (pos < s.size() && s[pos] == ':' && !(read_char(s, pos, ':') && read_number(s, pos, 2, c.second))) {
        return std::nullopt;
    }
    c.year = year;
    const bool in_range = year >= 1970 && year <= 9999 && c.month >= 1 && c.month <= 12 &&
                          c.day >= 1 && c.day <= days_in_month(year, c.month) && c.hour <= 23 &&
                          c.minute <= 59 && c.second <= 59;
    if (!in_range) return std::nullopt;
    return c;
}

// "Z" or "+HH:MM" / "-HH:MM" as seconds east of UTC.
std::optional<int> read_offset(std::string_view s, std::size_t& pos) {
    if (read_char(s, pos, 'Z')) return 0;
    int sign = 0;
    if (read_char(s, pos, '+')) {
        sign = 1;
    } else if (read_char(s, pos, '-')) {
        sign = -1;
    } else {
        return std::nullopt;
    }
    int hours = 0;
    int minutes = 0;
    if (!read_number(s, pos, 2, hours) || !read_char(s, pos, ':') ||
        !read_number(s, pos, 2, minutes)) {
        return std::nullopt;
    }
    // Real offsets lie within ±14:00; ±18:00 is the conventional bound.
    if (hours > 18 || minutes > 59 || hours * 60 + minutes > 18 * 60) return std::nullopt;
    return sign * (hours * 3600 + minutes * 60);
}

// ---- time zones ------------------------------------------------------------

// IANA ids are short ASCII names; anything else is rejected before ICU.
bool plausible_zone_name(std::string_view tz) {
    if (tz.empty() || tz.size() > 64) return false;
    return std::all_of(tz.begin(), tz.end(), [](char c) {
        return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
               c == '/' || c == '_' || c == '+' || c == '-';
    });
}

icu::UnicodeString to_unicode(std::string_view s) {
    return icu::UnicodeString::fromUTF8(
        icu::StringPiece(s.data(), static_cast<int32_t>(s.size())));
}

// Only system (IANA) ids count; ICU also accepts custom ids like "GMT+3".
std::unique_ptr<icu::TimeZone> create_zone(std::string_view tz) {
    if (!plausible_zone_name(tz)) return nullptr;
    const icu::UnicodeString id = to_unicode(tz);
    UErrorCode status = U_ZERO_ERROR;
    icu::UnicodeString canonical;
    UBool is_system = false;
    icu::TimeZone::getCanonicalID(id, canonical, is_system, status);
    if (U_FAILURE(status) || !is_system) return nullptr;
    std::unique_ptr<icu::TimeZone> zone(icu::TimeZone::createTimeZone(id));
    icu::UnicodeString zone_id;
    if (!zone || zone->getID(zone_id) == icu::UnicodeString(u"Etc/Unknown")) return nullptr;
    return zone;
}

// Process-wide cache. The mutex is held for lookups *and* offset queries so
// ICU objects are never used from two threads at once. Only valid zones are
// cached, which bounds its size by the IANA database.
struct zone_cache {
    std::mutex mutex;
    std::map<std::string, std::unique_ptr<icu::TimeZone>, std::less<>> zones;
};

zone_cache& cache() {
    static zone_cache instance;
    return instance;
}

// Caller holds the cache mutex. nullptr for unknown zones.
const icu::TimeZone* find_zone_locked(zone_cache& c, std::string_view tz) {
    const auto it = c.zones.find(tz);
    if (it != c.zones.end()) return it->second.get();
    std::unique_ptr<icu::TimeZone> zone = create_zone(tz);
    if (!zone) return nullptr;
    return c.zones.emplace(std::string(tz), std::move(zone)).first->second.get();
}

UDate to_udate(std::int64_t seconds) { return static_cast<UDate>(seconds) * 1000.0; }

// Seconds east of UTC at instant `utc`; nullopt for unknown zones.
std::optional<int> offset_at_utc(std::string_view tz, std::int64_t utc) {
    zone_cache& c = cache();
    const std::lock_guard<std::mutex> lock(c.mutex);
    const icu::TimeZone* zone = find_zone_locked(c, tz);
    if (zone == nullptr) return std::nullopt;
    int32_t raw = 0;
    int32_t dst = 0;
    UErrorCode status = U_ZERO_ERROR;
    zone->getOffset(to_udate(utc), false, raw, dst, status);
    if (U_FAILURE(status)) return std::nullopt;
    return (raw + dst) / 1000;
}

// Seconds east of UTC for wall-clock time `local` (seconds since the epoch
// as if the wall clock were UTC). "Former" rules: gap times use the offset
// before the jump (so they move forward), repeated times the first instant.
std::optional<int> offset_at_local(std::string_view tz, std::int64_t local) {
    zone_cache& c = cache();
    const std::lock_guard<std::mutex> lock(c.mutex);
    const icu::TimeZone* zone = find_zone_locked(c, tz);
    if (zone == nullptr) return std::nullopt;
    int32_t raw = 0;
    int32_t dst = 0;
    UErrorCode status = U_ZERO_ERROR;
    if (const auto* basic = dynamic_cast<const icu::BasicTimeZone*>(zone)) {
        basic->getOffsetFromLocal(to_udate(local), UCAL_TZ_LOCAL_FORMER, UCAL_TZ_LOCAL_FORMER,
                                  raw, dst, status);
    } else {
        zone->getOffset(to_udate(local), true, raw, dst, status);
    }
    if (U_FAILURE(status)) return std::nullopt;
    return (raw + dst) / 1000;
}





std::string iso_date_time(const civil_time& c, bool with_seconds) {
    char buf[48];
    std::snprintf(buf, sizeof buf, "%04lld-%02d-%02dT%02d:%02d", static_cast<long long>(c.year),
                  c.month, c.day, c.hour, c.minute);
    std::string out = buf;
    if (with_seconds) out += ":" + two_digits(c.second);
    return out;
}

std::string offset_text(int offset) {
    const char sign = offset < 0 ? '-' : '+';
    const int abs_offset = offset < 0 ? -offset : offset;
    return sign + two_digits(abs_offset / 3600) + ":" + two_digits(abs_offset % 3600 / 60);
}

}  // namespace

std::int64_t seconds_from_civil(const civil_time& c) {
    return days_from_civil(c.year, c.month, c.day) * k_seconds_per_day + c.hour * 3600 +
           c.minute * 60 + c.second;
}

// Unknown zones display as UTC rather than failing a page render.
local_time to_local(std::int64_t t, std::string_view tz) {
    t = std::clamp(t, k_min_time, k_max_time);
    const int offset = offset_at_utc(tz, t).value_or(0);
    return {civil_from_seconds(t + offset), offset};
}

std::string two_digits(int v) {
    char buf[8];
    std::snprintf(buf, sizeof buf, "%02d", v);
    return buf;
}

bool valid_timezone(std::string_view tz) { return offset_at_utc(tz, 0).has_value(); }

std::optional<std::int64_t> parse_iso8601(std::string_view s) {
    std::size_t pos = 0;
    const std::optional<civil_time> c = read_wall_clock(s, pos, false);
    if (!c) return std::nullopt;
    const std::optional<int> offset = read_offset(s, pos);
    if (!offset || pos != s.size()) return std::nullopt;
    return seconds_from_civil(*c) - *offset;
}

std::optional<std::int64_t> parse_stored_utc(std::string_view s) {
    if (s.size() < 20 || s.back() != 'Z') return std::nullopt;
    return parse_iso8601(std::string(s.substr(0, 19)) + "Z");
}

std::optional<std::int64_t> parse_local(std::string_view s, std::string_view tz) {
    std::size_t pos = 0;
    const std::optional<civil_time> c = read_wall_clock(s, pos, true);
    if (!c || pos != s.size()) return std::nullopt;
    const std::int64_t local = seconds_from_civil(*c);
    const std::optional<int> offset = offset_at_local(tz, local);
    if (!offset) return std::nullopt;
    return local - *offset;
}

std::string format_iso_utc(std::int64_t t) {
    return iso_date_time(civil_from_seconds(std::clamp(t, k_min_time, k_max_time)), true) + "Z";
}

std::string format_iso_local(std::int64_t t, std::string_view tz) {
    const local_time lt = to_local(t, tz);
    return iso_date_time(lt.civil, true) + offset_text(lt.offset);
}

std::string format_input_local(std::int64_t t, std::string_view tz) {
    return iso_date_time(to_local(t, tz).civil, false);
}

}  // namespace sabor::util

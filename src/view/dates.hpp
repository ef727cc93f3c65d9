#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

// Date/time parsing and display. Times are Unix seconds (UTC); time zones
// are IANA names resolved through ICU, so no process-wide TZ state is used.
// Unknown time zones are formatted as UTC.
namespace sabor::view {

// True for IANA zone ids known to ICU ("Europe/Sofia", "UTC").
bool valid_timezone(std::string_view tz);

// "YYYY-MM-DDTHH:MM[:SS]" followed by "Z" or "+HH:MM"/"-HH:MM".
// Years 1970-9999; nullopt on anything else.
std::optional<std::int64_t> parse_iso8601(std::string_view s);
// A time sabor stored itself ("2031-05-20T07:15:02.123Z", strftime's %f; the fraction is
// dropped) or nothing when it is not one.
std::optional<std::int64_t> parse_stored_utc(std::string_view s);

// "YYYY-MM-DDTHH:MM[:SS]" (or with a space instead of 'T') as wall-clock
// time in `tz`. Nonexistent times (spring-forward gap) are shifted forward;
// ambiguous ones (autumn fall-back) take the earlier instant.
std::optional<std::int64_t> parse_local(std::string_view s, std::string_view tz);

// "2030-08-11T07:00:00Z"
std::string format_iso_utc(std::int64_t t);

// "2030-08-11T10:00:00+03:00"
std::string format_iso_local(std::int64_t t, std::string_view tz);

// "2030-08-11T10:00", for <input type="datetime-local">.
std::string format_input_local(std::int64_t t, std::string_view tz);

// bg: "11 август 2030 г.", en: "11 August 2030". Non-"en" means bg.
std::string format_date(std::int64_t t, std::string_view tz, std::string_view lang);

// bg: "11 август 2030 г., 10:00 ч.", en: "11 August 2030, 10:00"
std::string format_date_time(std::int64_t t, std::string_view tz, std::string_view lang);

// bg: "10:00 ч.", en: "10:00"
std::string format_time(std::int64_t t, std::string_view tz, std::string_view lang);

// Only the hours, for a programme within one day: bg "10:00 – 11:30 ч.", en "10:00 – 11:30".
std::string format_time_range(std::int64_t start, std::int64_t end, std::string_view tz,
                              std::string_view lang);

// Same local day: "11 август 2030 г., 10:00 – 17:00 ч.";
// otherwise both ends in full, joined by " – ".
std::string format_range(std::int64_t start, std::int64_t end, std::string_view tz,
                         std::string_view lang);

// The event's day as seen at `now`, both in `tz`, for "... is {day}": bg "днес", "утре",
// "на 24 декември" (with the year, "на 24 декември 2031 г.", when it is not now's year);
// en "today", "tomorrow", "on 24 December". A day already begun or past is "today".
std::string relative_day(std::int64_t day, std::int64_t now, std::string_view tz, std::string_view lang);

}  // namespace sabor::view

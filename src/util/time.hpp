// Times as sabor stores and exchanges them: Unix seconds (UTC), ISO 8601 text, wall-clock
// time in an IANA zone resolved through ICU (no process-wide TZ state). Repositories,
// services and the API use these; view/dates turns times into words for people.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace sabor::util {

struct civil_time {
    std::int64_t year = 1970;
    int month = 1;
    int day = 1;
    int hour = 0;
    int minute = 0;
    int second = 0;
};

struct local_time {
    civil_time civil;
    int offset = 0;  // seconds east of UTC
};

// `t` as wall-clock time in `tz`; an unknown zone counts as UTC.
local_time to_local(std::int64_t t, std::string_view tz);
// The civil time read as UTC, in Unix seconds.
std::int64_t seconds_from_civil(const civil_time& c);
std::string two_digits(int v);

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

}  // namespace sabor::util

#pragma once

#include "util/time.hpp"

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

// Times in words for people, in Bulgarian or English (a date, a range, "tomorrow").
// Times are Unix seconds (UTC); unknown time zones are shown as UTC.
namespace sabor::view {

// The machine formats moved to util/time.hpp; these names stay until every caller says util::.
using util::format_input_local;
using util::format_iso_local;
using util::format_iso_utc;
using util::parse_iso8601;
using util::parse_local;
using util::parse_stored_utc;
using util::valid_timezone;

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

// iCalendar (RFC 5545) files for the confirmation mails and the event page, built with
// libical so that escaping and line folding follow the standard.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace sabor::view {

struct calendar_event {
    std::string uid;          // e.g. "event-12@sabor.example.bg" (stable per event, so calendars update rather than duplicate)
    std::string title;
    std::string location;     // venue, address, city joined by ", " (empty parts skipped by the caller)
    std::string description;  // plain text, may contain newlines, commas, semicolons
    std::string url;          // the event page
    std::int64_t starts_at = 0, ends_at = 0;  // Unix seconds, UTC
    std::int64_t stamp = 0;   // DTSTAMP, Unix seconds
    bool cancelled = false;   // STATUS:CANCELLED (and METHOD:CANCEL) instead of CONFIRMED/PUBLISH
    int sequence = 0;
};

// A complete VCALENDAR (VERSION:2.0, PRODID:-//sabor//sabor//BG, METHOD:PUBLISH) with one VEVENT,
// times in UTC ("...Z"), CRLF line ends, lines folded at 75 octets without splitting UTF-8 characters.
// Empty location, description and url are left out; DTEND only when it is after DTSTART.
// CR LF and lone CR in text become LF, other control characters except TAB are dropped.
// Safe to call from several threads.
std::string make_ics(const calendar_event& e);
// One VCALENDAR (METHOD:PUBLISH) with a VEVENT each, named `name` (X-WR-CALNAME) when given:
// a feed such as an event's programme.
std::string make_ics_calendar(const std::vector<calendar_event>& events, const std::string& name = {});

}  // namespace sabor::view

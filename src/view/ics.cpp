#include "view/ics.hpp"

#include <libical/ical.h>

#include <cstdlib>
#include <memory>
#include <mutex>

namespace sabor::view {
namespace {

// libical keeps shared state (the built-in time zones, its error state), so one call at a time.
std::mutex libical_mutex;

struct component_deleter {
    void operator()(icalcomponent* c) const { icalcomponent_free(c); }
};
using component_ptr = std::unique_ptr<icalcomponent, component_deleter>;

struct malloc_deleter {
    void operator()(char* p) const { std::free(p); }
};

// libical drops a CR before LF but would write a lone CR raw, and raw control characters
// make the file invalid for strict clients; TAB is allowed by RFC 5545.
std::string clean_text(const std::string& s) {
    std::string out;
    out.reserve(s.size());
    for (std::size_t i = 0; i < s.size(); ++i) {
        unsigned char c = static_cast<unsigned char>(s[i]);
        if (c == '\r') {
            if (i + 1 >= s.size() || s[i + 1] != '\n') out += '\n';
        } else if (c == '\n' || c == '\t' || (c >= 0x20 && c != 0x7f)) {
            out += static_cast<char>(c);
        }
    }
    return out;
}

icaltimetype utc_time(std::int64_t unix_seconds) {
    return icaltime_from_timet_with_zone(static_cast<time_t>(unix_seconds), 0, icaltimezone_get_utc_timezone());
}

icalcomponent* make_vevent(const calendar_event& e) {
    icalcomponent* v = icalcomponent_new_vevent();
    icalcomponent_add_property(v, icalproperty_new_uid(clean_text(e.uid).c_str()));
    icalcomponent_add_property(v, icalproperty_new_dtstamp(utc_time(e.stamp)));
    icalcomponent_add_property(v, icalproperty_new_dtstart(utc_time(e.starts_at)));
    // a DTEND not after DTSTART is invalid; without one the event is a point in time
    if (e.ends_at > e.starts_at) icalcomponent_add_property(v, icalproperty_new_dtend(utc_time(e.ends_at)));
    icalcomponent_add_property(v, icalproperty_new_summary(clean_text(e.title).c_str()));
    if (!e.location.empty()) icalcomponent_add_property(v, icalproperty_new_location(clean_text(e.location).c_str()));
    if (!e.description.empty())
        icalcomponent_add_property(v, icalproperty_new_description(clean_text(e.description).c_str()));
    if (!e.url.empty()) icalcomponent_add_property(v, icalproperty_new_url(clean_text(e.url).c_str()));
    icalcomponent_add_property(v, icalproperty_new_status(e.cancelled ? ICAL_STATUS_CANCELLED : ICAL_STATUS_CONFIRMED));
    icalcomponent_add_property(v, icalproperty_new_sequence(e.sequence));
    return v;
}

}  // namespace

std::string make_ics(const calendar_event& e) {
    std::lock_guard lock(libical_mutex);
    component_ptr cal(icalcomponent_new_vcalendar());
    icalcomponent_add_property(cal.get(), icalproperty_new_version("2.0"));
    icalcomponent_add_property(cal.get(), icalproperty_new_prodid("-//sabor//sabor//BG"));
    icalcomponent_add_property(cal.get(), icalproperty_new_method(e.cancelled ? ICAL_METHOD_CANCEL : ICAL_METHOD_PUBLISH));
    icalcomponent_add_component(cal.get(), make_vevent(e));
    // libical writes CRLF and folds at 75 octets on UTF-8 character boundaries (checked in test_ics)
    std::unique_ptr<char, malloc_deleter> text(icalcomponent_as_ical_string_r(cal.get()));
    return text ? std::string(text.get()) : std::string();
}

std::string make_ics_calendar(const std::vector<calendar_event>& events, const std::string& name) {
    std::lock_guard lock(libical_mutex);
    component_ptr cal(icalcomponent_new_vcalendar());
    icalcomponent_add_property(cal.get(), icalproperty_new_version("2.0"));
    icalcomponent_add_property(cal.get(), icalproperty_new_prodid("-//sabor//sabor//BG"));
    icalcomponent_add_property(cal.get(), icalproperty_new_method(ICAL_METHOD_PUBLISH));
    if (!name.empty()) {
        icalproperty* p = icalproperty_new_x(clean_text(name).c_str());
        icalproperty_set_x_name(p, "X-WR-CALNAME");
        icalcomponent_add_property(cal.get(), p);
    }
    for (const auto& e : events) icalcomponent_add_component(cal.get(), make_vevent(e));
    std::unique_ptr<char, malloc_deleter> text(icalcomponent_as_ical_string_r(cal.get()));
    return text ? std::string(text.get()) : std::string();
}

}  // namespace sabor::view

#include "view/ics.hpp"

#include <libical/ical.h>

#include <catch2/catch.hpp>

#include <memory>
#include <string>
#include <thread>
#include <vector>

using sabor::view::calendar_event;
using sabor::view::make_ics;

namespace {

constexpr std::int64_t aug_11_2030_0700z = 1912662000;  // 2030-08-11T07:00:00Z
constexpr std::int64_t aug_11_2030_1400z = 1912687200;  // 2030-08-11T14:00:00Z
constexpr std::int64_t jul_01_2030_0930z = 1909128600;  // 2030-07-01T09:30:00Z

const std::string title = "Семинар „Мрежи на доставчиците на социални услуги“, Русе; 2030";
const std::string description =
    "Програма:\n10:00 – откриване, кафе; регистрация\n11:30 – работа по групи, обяд\n"
    "Въпроси: пишете на info@example.bg; ще отговорим.\nBackslash \\ and 100% ready, really.";

calendar_event sample() {
    calendar_event e;
    e.uid = "event-12@sabor.example.bg";
    e.title = title;
    e.location = "Зала „Възраждане“, ул. „Александровска“ 1, Русе";
    e.description = description;
    e.url = "https://sabor.example.bg/events/12-seminar-mrezhi?lang=bg;x=1,2";
    e.starts_at = aug_11_2030_0700z;
    e.ends_at = aug_11_2030_1400z;
    e.stamp = jul_01_2030_0930z;
    e.sequence = 3;
    return e;
}

struct component_deleter {
    void operator()(icalcomponent* c) const { icalcomponent_free(c); }
};
using component_ptr = std::unique_ptr<icalcomponent, component_deleter>;

component_ptr parse(const std::string& ics) {
    return component_ptr(icalparser_parse_string(ics.c_str()));
}

icalcomponent* vevent(const component_ptr& cal) {
    return icalcomponent_get_first_component(cal.get(), ICAL_VEVENT_COMPONENT);
}

std::string text_of(icalcomponent* c, icalproperty_kind kind) {
    icalproperty* p = icalcomponent_get_first_property(c, kind);
    if (!p) return "<missing>";
    const char* s = icalvalue_as_ical_string(icalproperty_get_value(p));
    if (kind == ICAL_SUMMARY_PROPERTY) s = icalproperty_get_summary(p);
    if (kind == ICAL_LOCATION_PROPERTY) s = icalproperty_get_location(p);
    if (kind == ICAL_DESCRIPTION_PROPERTY) s = icalproperty_get_description(p);
    if (kind == ICAL_UID_PROPERTY) s = icalproperty_get_uid(p);
    if (kind == ICAL_URL_PROPERTY) s = icalproperty_get_url(p);
    return s ? s : "<null>";
}

std::int64_t unix_of(icaltimetype t) {
    return static_cast<std::int64_t>(icaltime_as_timet_with_zone(t, icaltimezone_get_utc_timezone()));
}

// Strict enough for the test: lead byte, the right number of continuation bytes, no overlongs
// of the two-byte kind, nothing above U+10FFFF.
bool valid_utf8(const std::string& s) {
    std::size_t i = 0;
    while (i < s.size()) {
        unsigned char c = static_cast<unsigned char>(s[i]);
        std::size_t n = c < 0x80 ? 0 : (c >> 5) == 0x6 ? 1 : (c >> 4) == 0xE ? 2 : (c >> 3) == 0x1E ? 3 : 9;
        if (n == 9 || c == 0xC0 || c == 0xC1 || c > 0xF4 || i + n >= s.size() + (n ? 0 : 1)) return false;
        for (std::size_t k = 1; k <= n; ++k)
            if ((static_cast<unsigned char>(s[i + k]) & 0xC0) != 0x80) return false;
        i += n + 1;
    }
    return true;
}

// Physical lines without their CRLF; empty optional when a line does not end with CRLF.
std::vector<std::string> physical_lines(const std::string& ics, bool& all_crlf) {
    std::vector<std::string> lines;
    all_crlf = true;
    std::size_t start = 0;
    while (start < ics.size()) {
        auto lf = ics.find('\n', start);
        if (lf == std::string::npos) {
            all_crlf = false;
            lines.push_back(ics.substr(start));
            break;
        }
        if (lf == start || ics[lf - 1] != '\r') all_crlf = false;
        std::string line = ics.substr(start, lf - start - (lf > start && ics[lf - 1] == '\r' ? 1 : 0));
        if (line.find('\r') != std::string::npos) all_crlf = false;
        lines.push_back(line);
        start = lf + 1;
    }
    return lines;
}

void check_lines(const std::string& ics) {
    bool all_crlf = false;
    auto lines = physical_lines(ics, all_crlf);
    CHECK(all_crlf);
    REQUIRE_FALSE(lines.empty());
    for (const auto& line : lines) {
        INFO(line);
        CHECK(line.size() <= 75);
        CHECK(valid_utf8(line));
    }
}

}  // namespace

TEST_CASE("make_ics round-trips through the libical parser", "[ics]") {
    auto ics = make_ics(sample());
    auto cal = parse(ics);
    REQUIRE(cal);
    CHECK(icalcomponent_isa(cal.get()) == ICAL_VCALENDAR_COMPONENT);
    CHECK(icalcomponent_count_components(cal.get(), ICAL_VEVENT_COMPONENT) == 1);
    CHECK(icalcomponent_get_method(cal.get()) == ICAL_METHOD_PUBLISH);
    CHECK(text_of(cal.get(), ICAL_VERSION_PROPERTY) == "2.0");
    CHECK(text_of(cal.get(), ICAL_PRODID_PROPERTY) == "-//sabor//sabor//BG");

    auto* v = vevent(cal);
    REQUIRE(v);
    CHECK(text_of(v, ICAL_SUMMARY_PROPERTY) == title);
    CHECK(text_of(v, ICAL_LOCATION_PROPERTY) == sample().location);
    CHECK(text_of(v, ICAL_DESCRIPTION_PROPERTY) == description);
    CHECK(text_of(v, ICAL_UID_PROPERTY) == "event-12@sabor.example.bg");
    CHECK(text_of(v, ICAL_URL_PROPERTY) == sample().url);
    CHECK(unix_of(icalcomponent_get_dtstart(v)) == aug_11_2030_0700z);
    CHECK(unix_of(icalcomponent_get_dtend(v)) == aug_11_2030_1400z);
    CHECK(unix_of(icalcomponent_get_dtstamp(v)) == jul_01_2030_0930z);
    CHECK(icalcomponent_get_status(v) == ICAL_STATUS_CONFIRMED);
    CHECK(icalcomponent_get_sequence(v) == 3);
}

TEST_CASE("make_ics writes UTC times and the calendar header", "[ics]") {
    auto ics = make_ics(sample());
    CHECK(ics.rfind("BEGIN:VCALENDAR\r\n", 0) == 0);
    CHECK(ics.size() >= 15);
    CHECK(ics.substr(ics.size() - 15) == "END:VCALENDAR\r\n");
    CHECK(ics.find("\r\nDTSTART:20300811T070000Z\r\n") != std::string::npos);
    CHECK(ics.find("\r\nDTEND:20300811T140000Z\r\n") != std::string::npos);
    CHECK(ics.find("\r\nDTSTAMP:20300701T093000Z\r\n") != std::string::npos);
    CHECK(ics.find("\r\nVERSION:2.0\r\n") != std::string::npos);
    CHECK(ics.find("\r\nPRODID:-//sabor//sabor//BG\r\n") != std::string::npos);
    CHECK(ics.find("\r\nMETHOD:PUBLISH\r\n") != std::string::npos);
    CHECK(ics.find("\r\nSTATUS:CONFIRMED\r\n") != std::string::npos);
    CHECK(ics.find("\r\nSEQUENCE:3\r\n") != std::string::npos);
}

TEST_CASE("the test's UTF-8 check notices a split character", "[ics]") {
    CHECK(valid_utf8("Русе 😀"));
    CHECK_FALSE(valid_utf8("Рус\xD0"));
    CHECK_FALSE(valid_utf8("\xB5е"));
    CHECK_FALSE(valid_utf8("\xF0\x9F\x98"));
}

TEST_CASE("make_ics folds at 75 octets with CRLF and never inside a UTF-8 character", "[ics]") {
    check_lines(make_ics(sample()));

    // every offset and width of multi-byte character against the fold position
    const std::vector<std::string> chars = {"я", "„", "€", "😀", "a"};
    for (std::size_t prefix = 0; prefix < 8; ++prefix)
        for (const auto& ch : chars) {
            auto e = sample();
            e.title = std::string(prefix, 'x');
            for (int i = 0; i < 120; ++i) e.title += ch;
            e.description = e.title + "\n" + e.title + ", " + e.title;
            // spaces are where libical prefers to fold; (its parser drops leading spaces of a value)
            e.location = "Зала" + std::string(prefix, ' ') + e.title;
            auto ics = make_ics(e);
            INFO("prefix " << prefix << ", character " << ch);
            check_lines(ics);
            auto cal = parse(ics);
            REQUIRE(cal);
            auto* v = vevent(cal);
            REQUIRE(v);
            CHECK(text_of(v, ICAL_SUMMARY_PROPERTY) == e.title);
            CHECK(text_of(v, ICAL_DESCRIPTION_PROPERTY) == e.description);
            CHECK(text_of(v, ICAL_LOCATION_PROPERTY) == e.location);
        }
}

TEST_CASE("make_ics marks a cancelled event", "[ics]") {
    auto e = sample();
    e.cancelled = true;
    e.sequence = 4;
    auto ics = make_ics(e);
    CHECK(ics.find("\r\nMETHOD:CANCEL\r\n") != std::string::npos);
    CHECK(ics.find("\r\nSTATUS:CANCELLED\r\n") != std::string::npos);
    CHECK(ics.find("PUBLISH") == std::string::npos);
    CHECK(ics.find("CONFIRMED") == std::string::npos);
    auto cal = parse(ics);
    REQUIRE(cal);
    CHECK(icalcomponent_get_method(cal.get()) == ICAL_METHOD_CANCEL);
    auto* v = vevent(cal);
    REQUIRE(v);
    CHECK(icalcomponent_get_status(v) == ICAL_STATUS_CANCELLED);
    CHECK(icalcomponent_get_sequence(v) == 4);
    CHECK(text_of(v, ICAL_UID_PROPERTY) == "event-12@sabor.example.bg");
    check_lines(ics);
}

TEST_CASE("make_ics cleans text and leaves out what is missing", "[ics][hostile]") {
    auto e = sample();
    e.description = "ред 1\r\nред 2\rред 3\x01\x7f\tкрай";
    e.location.clear();
    e.url.clear();
    e.ends_at = e.starts_at;  // not after the start: no DTEND
    auto ics = make_ics(e);
    CHECK(ics.find("LOCATION") == std::string::npos);
    CHECK(ics.find("URL") == std::string::npos);
    CHECK(ics.find("DTEND") == std::string::npos);
    auto cal = parse(ics);
    REQUIRE(cal);
    auto* v = vevent(cal);
    REQUIRE(v);
    CHECK(text_of(v, ICAL_DESCRIPTION_PROPERTY) == "ред 1\nред 2\nред 3\tкрай");
    check_lines(ics);
}

TEST_CASE("make_ics can be called from several threads", "[ics]") {
    const auto expected = make_ics(sample());
    std::vector<std::string> results(8);
    std::vector<std::thread> threads;
    for (std::size_t t = 0; t < results.size(); ++t)
        threads.emplace_back([&results, t] {
            for (int i = 0; i < 50; ++i) results[t] = make_ics(sample());
        });
    for (auto& th : threads) th.join();
    for (const auto& r : results) CHECK(r == expected);
}

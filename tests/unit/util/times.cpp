#include "view/dates.hpp"

#include <catch2/catch.hpp>

#include <string>
#include <thread>
#include <vector>

using namespace sabor::view;

namespace {

// 2030-08-11T07:00:00Z and 2030-01-15T08:00:00Z.
constexpr std::int64_t k_summer = 1912662000;
constexpr std::int64_t k_winter = 1894694400;

}  // namespace

TEST_CASE("valid_timezone", "[dates]") {
    CHECK(valid_timezone("Europe/Sofia"));
    CHECK(valid_timezone("UTC"));
    CHECK(valid_timezone("America/New_York"));
    CHECK_FALSE(valid_timezone(""));
    CHECK_FALSE(valid_timezone("Europe/Atlantis"));
    CHECK_FALSE(valid_timezone("Etc/Unknown"));
    CHECK_FALSE(valid_timezone("GMT+03:00"));  // custom id, not IANA
    CHECK_FALSE(valid_timezone("../../etc/passwd"));
    CHECK_FALSE(valid_timezone(std::string("Europe/Sofia\0x", 14)));
    CHECK_FALSE(valid_timezone(std::string(10000, 'A')));
}

TEST_CASE("parse_iso8601 accepts valid timestamps", "[dates]") {
    CHECK(parse_iso8601("1970-01-01T00:00Z") == 0);
    CHECK(parse_iso8601("2030-08-11T07:00:00Z") == k_summer);
    CHECK(parse_iso8601("2030-08-11T07:00Z") == k_summer);
    CHECK(parse_iso8601("2030-08-11T10:00:00+03:00") == k_summer);
    CHECK(parse_iso8601("2030-08-11T02:30-04:30") == k_summer);
    CHECK(parse_iso8601("2028-02-29T12:00Z").has_value());   // leap year
    CHECK(parse_iso8601("2000-02-29T12:00Z").has_value());   // divisible by 400
    CHECK(parse_iso8601("9999-12-31T23:59:59Z") == 253402300799);
}

TEST_CASE("parse_iso8601 rejects invalid input", "[dates][hostile]") {
    CHECK_FALSE(parse_iso8601(""));
    CHECK_FALSE(parse_iso8601("2030-13-01T00:00Z"));
    CHECK_FALSE(parse_iso8601("2030-00-01T00:00Z"));
    CHECK_FALSE(parse_iso8601("2030-02-29T00:00Z"));  // not a leap year
    CHECK_FALSE(parse_iso8601("1900-02-29T00:00Z"));
    CHECK_FALSE(parse_iso8601("2030-04-31T00:00Z"));
    CHECK_FALSE(parse_iso8601("2030-01-00T00:00Z"));
    CHECK_FALSE(parse_iso8601("2030-01-01T24:00Z"));
    CHECK_FALSE(parse_iso8601("2030-01-01T23:60Z"));
    CHECK_FALSE(parse_iso8601("2030-01-01T23:59:60Z"));
    CHECK_FALSE(parse_iso8601("1969-12-31T23:59Z"));
    CHECK_FALSE(parse_iso8601("2030-08-11T07:00"));     // offset required
    CHECK_FALSE(parse_iso8601("2030-08-11 07:00Z"));    // space only in parse_local
    CHECK_FALSE(parse_iso8601("2030-08-11T07:00Zjunk"));
    CHECK_FALSE(parse_iso8601("2030-08-11T07:00+3:00"));
    CHECK_FALSE(parse_iso8601("2030-08-11T07:00+0300"));
    CHECK_FALSE(parse_iso8601("2030-08-11T07:00+19:00"));
    CHECK_FALSE(parse_iso8601("2030-08-11T07:00+03:60"));
    CHECK_FALSE(parse_iso8601("2030-08-11T07:00:0Z"));
    CHECK_FALSE(parse_iso8601("+030-08-11T07:00Z"));
    CHECK_FALSE(parse_iso8601("2030-8-11T07:00Z"));
    CHECK_FALSE(parse_iso8601("２０３０-08-11T07:00Z"));  // fullwidth digits
    CHECK_FALSE(parse_iso8601(std::string("2030-08-11T07:00Z\0", 18)));
    CHECK_FALSE(parse_iso8601(std::string(10000, '9')));
}

TEST_CASE("parse_local interprets wall-clock time", "[dates]") {
    CHECK(parse_local("2030-08-11T10:00", "Europe/Sofia") == k_summer);
    CHECK(parse_local("2030-08-11 10:00", "Europe/Sofia") == k_summer);
    CHECK(parse_local("2030-08-11T10:00:00", "Europe/Sofia") == k_summer);
    CHECK(parse_local("2030-01-15T10:00", "Europe/Sofia") == k_winter);
    CHECK(parse_local("2030-08-11T07:00", "UTC") == k_summer);
}

TEST_CASE("parse_local around DST transitions", "[dates]") {
    // Sofia springs forward 2030-03-31 03:00 -> 04:00; 03:30 does not exist
    // and moves forward to 04:30 EEST (01:30Z).
    const auto gap = parse_local("2030-03-31T03:30", "Europe/Sofia");
    REQUIRE(gap);
    CHECK(format_iso_local(*gap, "Europe/Sofia") == "2030-03-31T04:30:00+03:00");
    // Falls back 2030-10-27 04:00 -> 03:00; 03:30 happens twice, take the first.
    const auto twice = parse_local("2030-10-27T03:30", "Europe/Sofia");
    REQUIRE(twice);
    CHECK(format_iso_utc(*twice) == "2030-10-27T00:30:00Z");
}

TEST_CASE("parse_local rejects invalid input", "[dates][hostile]") {
    CHECK_FALSE(parse_local("2030-08-11T10:00", "Nowhere/City"));
    CHECK_FALSE(parse_local("2030-08-11T10:00", ""));
    CHECK_FALSE(parse_local("2030-08-11T10:00Z", "Europe/Sofia"));
    CHECK_FALSE(parse_local("2030-02-29T10:00", "Europe/Sofia"));
    CHECK_FALSE(parse_local("2030-13-01T00:00", "Europe/Sofia"));
    CHECK_FALSE(parse_local("", "Europe/Sofia"));
    CHECK_FALSE(parse_local("2030-08-11", "Europe/Sofia"));
}

TEST_CASE("ISO formatting", "[dates]") {
    CHECK(format_iso_utc(k_summer) == "2030-08-11T07:00:00Z");
    CHECK(format_iso_utc(0) == "1970-01-01T00:00:00Z");
    CHECK(format_iso_local(k_summer, "Europe/Sofia") == "2030-08-11T10:00:00+03:00");
    CHECK(format_iso_local(k_winter, "Europe/Sofia") == "2030-01-15T10:00:00+02:00");
    CHECK(format_iso_local(k_summer, "America/New_York") == "2030-08-11T03:00:00-04:00");
    CHECK(format_iso_local(k_summer, "Asia/Kolkata") == "2030-08-11T12:30:00+05:30");
    CHECK(format_input_local(k_summer, "Europe/Sofia") == "2030-08-11T10:00");
    CHECK(format_input_local(k_winter, "Europe/Sofia") == "2030-01-15T10:00");
    // Unknown zones render as UTC instead of failing.
    CHECK(format_iso_local(k_summer, "Bogus/Zone") == "2030-08-11T07:00:00+00:00");
}

TEST_CASE("formatting round-trips through parsing", "[dates]") {
    for (std::int64_t t : {std::int64_t{0}, k_summer, k_winter, std::int64_t{951782400}}) {
        CHECK(parse_iso8601(format_iso_utc(t)) == t);
        CHECK(parse_iso8601(format_iso_local(t, "Europe/Sofia")) == t);
        CHECK(parse_local(format_input_local(t, "Europe/Sofia"), "Europe/Sofia") == t);
    }
}

TEST_CASE("human-readable dates", "[dates]") {
    CHECK(format_date(k_summer, "Europe/Sofia", "bg") == "11 август 2030 г.");
    CHECK(format_date(k_summer, "Europe/Sofia", "en") == "11 August 2030");
    CHECK(format_date(k_summer, "Europe/Sofia", "fr") == "11 август 2030 г.");  // fallback
    CHECK(format_date(k_winter, "Europe/Sofia", "bg") == "15 януари 2030 г.");
    CHECK(format_date_time(k_summer, "Europe/Sofia", "bg") == "11 август 2030 г., 10:00 ч.");
    CHECK(format_date_time(k_summer, "Europe/Sofia", "en") == "11 August 2030, 10:00");
    CHECK(format_time(k_summer, "Europe/Sofia", "bg") == "10:00 ч.");
    CHECK(format_time(k_summer, "Europe/Sofia", "en") == "10:00");
    CHECK(format_time(k_winter, "Europe/Sofia", "en") == "10:00");

    const auto early = parse_local("2030-03-05T09:30", "Europe/Sofia");
    REQUIRE(early);
    CHECK(format_date_time(*early, "Europe/Sofia", "bg") == "5 март 2030 г., 09:30 ч.");
    CHECK(format_date_time(*early, "Europe/Sofia", "en") == "5 March 2030, 09:30");
}

TEST_CASE("all month names", "[dates]") {
    const char* bg[] = {"януари", "февруари", "март",      "април",    "май",     "юни",
                        "юли",    "август",   "септември", "октомври", "ноември", "декември"};
    const char* en[] = {"January", "February", "March",     "April",   "May",      "June",
                        "July",    "August",   "September", "October", "November", "December"};
    for (int m = 1; m <= 12; ++m) {
        const std::string stamp = "2030-" + std::string(m < 10 ? "0" : "") + std::to_string(m) +
                                  "-01T12:00";
        const auto t = parse_local(stamp, "UTC");
        REQUIRE(t);
        CHECK(format_date(*t, "UTC", "bg") == std::string("1 ") + bg[m - 1] + " 2030 г.");
        CHECK(format_date(*t, "UTC", "en") == std::string("1 ") + en[m - 1] + " 2030");
    }
}

TEST_CASE("format_range", "[dates]") {
    const std::int64_t end_same_day = k_summer + 7 * 3600;           // 17:00 local
    const std::int64_t end_next_day = k_summer + 30 * 3600;          // 12 Aug 16:00 local
    CHECK(format_range(k_summer, end_same_day, "Europe/Sofia", "bg") ==
          "11 август 2030 г., 10:00 \u2013 17:00 ч.");
    CHECK(format_range(k_summer, end_same_day, "Europe/Sofia", "en") ==
          "11 August 2030, 10:00 \u2013 17:00");
    CHECK(format_range(k_summer, end_next_day, "Europe/Sofia", "bg") ==
          "11 август 2030 г., 10:00 ч. \u2013 12 август 2030 г., 16:00 ч.");
    CHECK(format_range(k_summer, end_next_day, "Europe/Sofia", "en") ==
          "11 August 2030, 10:00 \u2013 12 August 2030, 16:00");
    // "Same day" is decided in the event's zone, not in UTC.
    CHECK(format_range(k_summer, k_summer + 15 * 3600, "Europe/Sofia", "en") ==
          "11 August 2030, 10:00 \u2013 12 August 2030, 01:00");
    CHECK(format_range(k_summer, k_summer + 15 * 3600, "UTC", "en") ==
          "11 August 2030, 07:00 \u2013 22:00");
}

TEST_CASE("format_time_range: the hours of a programme item", "[dates]") {
    const std::int64_t end = k_summer + 90 * 60;  // 11:30 local
    CHECK(format_time_range(k_summer, end, "Europe/Sofia", "bg") == "10:00 \u2013 11:30 ч.");
    CHECK(format_time_range(k_summer, end, "Europe/Sofia", "en") == "10:00 \u2013 11:30");
    CHECK(format_time_range(k_summer, end, "UTC", "en") == "07:00 \u2013 08:30");
}

TEST_CASE("extreme timestamps do not crash", "[dates][hostile]") {
    CHECK_NOTHROW(format_iso_utc(INT64_MAX));
    CHECK_NOTHROW(format_iso_utc(INT64_MIN));
    CHECK(format_iso_utc(INT64_MAX) == "9999-12-31T23:59:59Z");
    CHECK_NOTHROW(format_range(INT64_MIN, INT64_MAX, "Europe/Sofia", "bg"));
    CHECK_NOTHROW(format_iso_local(INT64_MAX, "Pacific/Kiritimati"));
}

TEST_CASE("time zone lookups are thread-safe", "[dates]") {
    const char* zones[] = {"Europe/Sofia", "UTC", "America/New_York", "Asia/Tokyo", "Bogus/Zone"};
    std::vector<std::thread> threads;
    std::vector<int> failures(8, 0);
    for (int i = 0; i < 8; ++i) {
        threads.emplace_back([&, i] {
            for (int k = 0; k < 200; ++k) {
                const char* tz = zones[(i + k) % 5];
                const std::string local = format_input_local(k_summer, tz);
                const auto back = parse_local(local, tz);
                const bool ok = valid_timezone(tz) ? back == k_summer : !back.has_value();
                if (!ok) ++failures[static_cast<std::size_t>(i)];
            }
        });
    }
    for (auto& t : threads) t.join();
    for (int f : failures) CHECK(f == 0);
}

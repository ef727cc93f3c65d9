// E-mail verification over a real SQLite file: the stored input, expiry at the clock given,
// and the seat decided when the link is confirmed.
#include "accounts/repository.hpp"
#include "events/repository.hpp"
#include "mail/composer.hpp"
#include "registration/repository.hpp"
#include "registration/verification.hpp"
#include "storage/migrations.hpp"
#include "view/dates.hpp"

#include "fixtures.hpp"

#include <catch2/catch.hpp>

#include <filesystem>

using namespace sabor;
using namespace sabor::registration;

namespace {

struct fixture : test::temp_db {
    mail::composer composer = test::make_composer("Събор <events@ruse.bg>");
    events::event e;
    std::int64_t now = *view::parse_iso8601("2031-05-01T07:00:00Z");

    fixture() : test::temp_db("verify") {
        e.title = "Семинар";
        e.starts_at = *view::parse_iso8601("2031-05-20T07:00:00Z");
        e.ends_at = *view::parse_iso8601("2031-05-20T15:00:00Z");
        e.capacity = 1;
        test::insert_published_event(*db, e);
    }
    input person(const std::string& email) {
        input in;
        in.name = "Мария „Иванова“";
        in.email = email;
        in.organisation = "Община";
        in.consent = true;
        in.public_listing = true;
        in.locale = "en";
        in.answers = boost::json::object{{"q1", "да"}, {"q2", boost::json::array{"a", "b"}}};
        return in;
    }
    context ctx() { return context{*db, composer, "https://sabor.example.bg", "secret"}; }
};

}  // namespace

TEST_CASE("the stored input comes back as it was checked; damaged input is no request", "[verification]") {
    fixture f;
    auto in = f.person("maria@example.bg");
    auto back = input_from_stored(input_to_stored(in));
    REQUIRE(back);
    CHECK(back->name == in.name);
    CHECK(back->email == in.email);
    CHECK(back->organisation == in.organisation);
    CHECK(back->consent);
    CHECK(back->public_listing);
    CHECK(back->locale == "en");
    CHECK(back->answers == in.answers);
    CHECK_FALSE(input_from_stored("not json"));
    CHECK_FALSE(input_from_stored("[]"));
    CHECK_FALSE(input_from_stored(R"({"name": "", "email": "x@y.bg"})"));
}

TEST_CASE("a request waits; confirming decides the seat then; the link works once and expires", "[verification]") {
    fixture f;
    auto c = f.ctx();
    auto first = request_verification(c, f.e, f.person("first@example.bg"), f.now);
    auto second = request_verification(c, f.e, f.person("second@example.bg"), f.now);
    CHECK(first.token.size() >= 22);
    CHECK(first.expires_at == f.now + 48 * 3600);
    CHECK(repository(*f.db).count(f.e.id, registration_status::confirmed) == 0);
    CHECK(find_request(*f.db, first.token, f.now).what == pending::found);
    CHECK(find_request(*f.db, first.token + "x", f.now).what == pending::unknown);
    CHECK(find_request(*f.db, first.token, first.expires_at + 1).what == pending::expired);

    // The second confirms first and takes the only seat.
    auto r2 = confirm_request(c, second.token, f.now + 60);
    REQUIRE(r2.what == pending::found);
    CHECK(r2.registered.what == outcome::created);
    CHECK(r2.registered.reg.status == registration_status::confirmed);
    auto r1 = confirm_request(c, first.token, f.now + 120);
    CHECK(r1.registered.reg.status == registration_status::waitlisted);
    CHECK(r1.registered.reg.name == "Мария „Иванова“");
    CHECK(r1.registered.reg.answers == R"({"q1":"да","q2":["a","b"]})");
    // Used: gone.
    CHECK(confirm_request(c, first.token, f.now + 180).what == pending::unknown);

    // Expired: nothing changes.
    auto late = request_verification(c, f.e, f.person("late@example.bg"), f.now);
    auto r = confirm_request(c, late.token, late.expires_at + 1);
    CHECK(r.what == pending::expired);
    CHECK_FALSE(repository(*f.db).find_by_email(f.e.id, "late@example.bg"));
    CHECK(find_request(*f.db, late.token, f.now).what == pending::found);

    // A new request for the same address replaces the earlier one.
    auto again = request_verification(c, f.e, f.person("late@example.bg"), f.now);
    CHECK(find_request(*f.db, late.token, f.now).what == pending::unknown);
    CHECK(find_request(*f.db, again.token, f.now).what == pending::found);
}

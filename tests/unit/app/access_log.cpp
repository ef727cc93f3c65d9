// The access log never holds a personal link's token or a registrant's download key.
#include "app/app.hpp"

#include <catch2/catch.hpp>

TEST_CASE("the access log shows no personal tokens", "[app]") {
    using sabor::app::loggable_target;
    CHECK(loggable_target("/r/AbC123") == "/r/***");
    CHECK(loggable_target("/r/AbC123/ics") == "/r/***/ics");
    CHECK(loggable_target("/v/tok?lang=bg") == "/v/***?lang=bg");
    CHECK(loggable_target("/i/tok/decline") == "/i/***/decline");
    CHECK(loggable_target("/u/tok") == "/u/***");
    CHECK(loggable_target("/materials/3/a.pdf?key=secret&x=1") == "/materials/3/a.pdf?key=***&x=1");
    CHECK(loggable_target("/events/x/register?invitation=tok") == "/events/x/register?invitation=***");
    CHECK(loggable_target("/events/rally?lang=en") == "/events/rally?lang=en");
    CHECK(loggable_target("/") == "/");
}

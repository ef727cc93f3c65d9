// An event's status as the database, the API and the pages write it: every value has one
// name and comes back from it; other text is no status.
#include "events/model.hpp"

#include <catch2/catch.hpp>

#include <stdexcept>

using sabor::events::event_status;
using sabor::events::parse_status;

TEST_CASE("event statuses round-trip through their stored names", "[events][status]") {
    for (auto s : {event_status::draft, event_status::published, event_status::cancelled}) CHECK(parse_status(to_string(s)) == s);
    CHECK(to_string(event_status::draft) == "draft");
    CHECK(to_string(event_status::published) == "published");
    CHECK(to_string(event_status::cancelled) == "cancelled");
    CHECK(sabor::events::event{}.status == event_status::draft);
}

TEST_CASE("text that names no event status is refused, and throws when stored", "[events][status]") {
    CHECK_FALSE(parse_status(""));
    CHECK_FALSE(parse_status("Published"));
    CHECK_FALSE(parse_status("archived"));
    CHECK_THROWS_AS(sabor::util::enum_stored<event_status>(sabor::events::statuses, "archived", "events.status"),
                    std::runtime_error);
}

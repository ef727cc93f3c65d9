// A registration's status and a scheduled message's kind as the database, the API and the pages
// write them: every value has one name and comes back from it; other text is none.
#include "registration/model.hpp"

#include <catch2/catch.hpp>

#include <stdexcept>

using sabor::registration::parse_status;
using sabor::registration::registration_status;

TEST_CASE("registration statuses round-trip through their stored names", "[registration][status]") {
    for (auto s : {registration_status::confirmed, registration_status::waitlisted, registration_status::pending,
                   registration_status::cancelled, registration_status::rejected})
        CHECK(parse_status(to_string(s)) == s);
    CHECK(to_string(registration_status::confirmed) == "confirmed");
    CHECK(to_string(registration_status::waitlisted) == "waitlisted");
    CHECK(to_string(registration_status::pending) == "pending");
    CHECK(to_string(registration_status::cancelled) == "cancelled");
    CHECK(to_string(registration_status::rejected) == "rejected");
}

TEST_CASE("text that names no registration status is refused, and throws when stored", "[registration][status]") {
    CHECK_FALSE(parse_status(""));
    CHECK_FALSE(parse_status("Confirmed"));
    CHECK_FALSE(parse_status("approved"));
    CHECK_THROWS_AS(sabor::util::enum_stored<registration_status>(sabor::registration::statuses, "approved",
                                                                  "registrations.status"),
                    std::runtime_error);
}

TEST_CASE("only cancelled and rejected registrations are no longer live", "[registration][status]") {
    using sabor::registration::is_live;
    CHECK(is_live(registration_status::confirmed));
    CHECK(is_live(registration_status::waitlisted));
    CHECK(is_live(registration_status::pending));
    CHECK_FALSE(is_live(registration_status::cancelled));
    CHECK_FALSE(is_live(registration_status::rejected));
}

TEST_CASE("scheduled message kinds round-trip through their stored names", "[registration][scheduled]") {
    using sabor::registration::parse_scheduled_kind;
    using sabor::registration::scheduled_kind;
    CHECK(to_string(scheduled_kind::reminder) == "reminder");
    CHECK(to_string(scheduled_kind::thanks) == "thanks");
    for (auto k : {scheduled_kind::reminder, scheduled_kind::thanks}) CHECK(parse_scheduled_kind(to_string(k)) == k);
    CHECK_FALSE(parse_scheduled_kind("Reminder"));
    CHECK_FALSE(parse_scheduled_kind("kind"));
    CHECK_THROWS_AS(sabor::util::enum_stored<scheduled_kind>(sabor::registration::scheduled_kinds, "followup",
                                                             "scheduled_messages.kind"),
                    std::runtime_error);
}

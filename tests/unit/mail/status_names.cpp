// An outbox message's status as the database, the API and the pages write it: every value has
// one name and comes back from it; other text is no status.
#include "mail/model.hpp"

#include <catch2/catch.hpp>

#include <stdexcept>

using sabor::mail::message_status;
using sabor::mail::parse_status;

TEST_CASE("outbox statuses round-trip through their stored names", "[mail][status]") {
    for (auto s : {message_status::queued, message_status::sending, message_status::sent, message_status::failed})
        CHECK(parse_status(to_string(s)) == s);
    CHECK(to_string(message_status::queued) == "queued");
    CHECK(to_string(message_status::sending) == "sending");
    CHECK(to_string(message_status::sent) == "sent");
    CHECK(to_string(message_status::failed) == "failed");
}

TEST_CASE("text that names no outbox status is refused, and throws when stored", "[mail][status]") {
    CHECK_FALSE(parse_status(""));
    CHECK_FALSE(parse_status("Sent"));
    CHECK_FALSE(parse_status("bounced"));
    CHECK_THROWS_AS(sabor::util::enum_stored<message_status>(sabor::mail::statuses, "bounced", "mail_outbox.status"),
                    std::runtime_error);
}

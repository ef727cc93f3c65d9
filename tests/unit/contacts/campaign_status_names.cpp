// An invitation campaign's status as the database, the API and the pages write it: every value
// has one name and comes back from it; other text is none.
#include "contacts/model.hpp"

#include <catch2/catch.hpp>

#include <stdexcept>

using sabor::contacts::campaign_status;
using sabor::contacts::parse_campaign_status;

TEST_CASE("campaign statuses round-trip through their stored names", "[contacts][status]") {
    for (auto s : {campaign_status::scheduled, campaign_status::queued, campaign_status::cancelled})
        CHECK(parse_campaign_status(to_string(s)) == s);
    CHECK(to_string(campaign_status::scheduled) == "scheduled");
    CHECK(to_string(campaign_status::queued) == "queued");
    CHECK(to_string(campaign_status::cancelled) == "cancelled");
    CHECK(sabor::contacts::campaign{}.status == campaign_status::scheduled);
    CHECK_FALSE(parse_campaign_status("sent"));
    CHECK_THROWS_AS(sabor::util::enum_stored<campaign_status>(sabor::contacts::campaign_statuses, "sent",
                                                              "invitation_campaigns.status"),
                    std::runtime_error);
}

// Contacts (the organisers' address book), invitation campaigns and the personal invitations
// they send.
#pragma once
#include "mail/model.hpp"

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace sabor::contacts {

struct contact {
    std::int64_t id = 0;
    std::string email;  // lower-cased, unique
    std::string name, organisation, position, organisation_type, town, phone;
    std::vector<std::string> tags;
    std::string unsubscribed_at;  // empty while subscribed
    std::string created_at, updated_at;
};

// Who a campaign goes to: contacts with any of the tags (or all contacts), narrowed by type
// and town.
struct recipient_filter {
    std::vector<std::string> tags;
    bool all = false;
    std::string organisation_type;
    std::string town;
};

// An invitation campaign: waiting for its time, queued (its invitations are in the outbox),
// or cancelled before its time. Stored and sent as the names below (util/enum_text.hpp).
enum class campaign_status { scheduled, queued, cancelled };
inline constexpr std::array<std::string_view, 3> campaign_statuses{"scheduled", "queued", "cancelled"};
constexpr std::string_view to_string(campaign_status s) { return util::enum_name(campaign_statuses, s); }
constexpr std::optional<campaign_status> parse_campaign_status(std::string_view s) {
    return util::enum_parse<campaign_status>(campaign_statuses, s);
}

struct campaign {
    std::int64_t id = 0;
    std::int64_t event_id = 0;
    std::string subject, body;
    recipient_filter filter;
    std::string locale = "bg";
    std::string send_at;  // ISO 8601 UTC
    campaign_status status = campaign_status::scheduled;
    std::string queued_at;
    std::int64_t skipped_unsubscribed = 0, skipped_invited = 0;
    std::optional<std::int64_t> created_by;
    std::string created_at;
};

// Where an invitation stands: worked out from the registration, the decline and the outbox
// row that carries it, never stored; the API's "status" and its ?status= filter use the names.
enum class invitation_status { queued, sent, failed, registered, declined };
inline constexpr std::array<std::string_view, 5> invitation_statuses{"queued", "sent", "failed", "registered", "declined"};
constexpr std::string_view to_string(invitation_status s) { return util::enum_name(invitation_statuses, s); }
constexpr std::optional<invitation_status> parse_invitation_status(std::string_view s) {
    return util::enum_parse<invitation_status>(invitation_statuses, s);
}

// One invitation as tracked.
struct invitation {
    std::int64_t id = 0;
    std::int64_t campaign_id = 0;
    std::int64_t event_id = 0;
    std::optional<std::int64_t> contact_id;
    std::string email, name;
    std::optional<std::int64_t> outbox_id;
    std::optional<std::int64_t> registration_id;
    std::string declined_at;
    std::string created_at;
    std::optional<mail::message_status> mail_status;  // nothing without a message
    std::string mail_error;
    std::string sent_at;
    invitation_status status() const;
};

struct campaign_counts {
    std::int64_t invited = 0, queued = 0, sent = 0, failed = 0, registered = 0, declined = 0;
};

}  // namespace sabor::contacts

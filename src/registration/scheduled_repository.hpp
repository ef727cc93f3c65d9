// All SQL about scheduled messages (the reminder before an event, the thank-you after) and
// the recipients they go to.
#pragma once
#include "events/model.hpp"
#include "registration/model.hpp"
#include "storage/database.hpp"

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace sabor::registration {

struct scheduled_message {
    std::int64_t id = 0;
    std::int64_t event_id = 0;
    scheduled_kind kind = scheduled_kind::reminder;
    bool enabled = false;
    std::int64_t offset_minutes = 0;  // reminder: before the start; thanks: after the end
    std::string subject, body;     // the organiser's text with {{placeholders}}
    std::string sent_at;           // ISO 8601 UTC; empty while not sent
    std::string updated_at;

    // The kind's name: the API's key, the start of its form fields' and texts' keys.
    std::string prefix() const { return std::string(to_string(kind)); }
};

// An enabled, unsent message with its event's times and status, for the due check.
struct pending_message {
    scheduled_message m;
    std::int64_t starts_at = 0, ends_at = 0;  // Unix seconds
    events::event_status event_status = events::event_status::draft;
};

struct recipient {
    std::int64_t registration_id = 0;
    std::string name, email, organisation, locale;
};

class scheduled_repository {
public:
    explicit scheduled_repository(storage::database& db) : db_(db) {}

    std::vector<scheduled_message> for_event(std::int64_t event_id);
    std::optional<scheduled_message> find(std::int64_t id);
    // Inserts or updates (event, kind); sent_at is never touched here, so an edit after
    // sending does not send again.
    void save(const scheduled_message& m, const std::string& now_iso);
    std::vector<pending_message> pending();
    // Marks it sent unless it already was; false when another run was first.
    bool mark_sent(std::int64_t id, const std::string& now_iso);
    // Confirmed registrations with an address, not in mail_suppressions, in id order.
    std::vector<recipient> confirmed_recipients(std::int64_t event_id);

private:
    storage::database& db_;
};

}  // namespace sabor::registration

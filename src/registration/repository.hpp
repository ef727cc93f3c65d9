// All SQL about registrations. Seat decisions are made by the service inside a
// BEGIN IMMEDIATE transaction, using counts read here in that same transaction.
#pragma once
#include "registration/model.hpp"
#include "storage/database.hpp"

#include <optional>
#include <vector>

namespace sabor::registration {

class repository {
public:
    explicit repository(storage::database& db) : db_(db) {}

    std::int64_t insert(const registration& r, const std::string& token_hash);
    void update_details(const registration& r);
    void set_status(std::int64_t id, registration_status status);
    // One more personal link for the registration; the earlier ones keep working.
    void add_link(std::int64_t id, const std::string& token_hash);
    // Whether the "your link again" mail went to this address about this event within the
    // last hour (the outbox's own clock): it is sent at most once an hour.
    bool link_mailed_within_hour(std::int64_t event_id, const std::string& email);
    void set_checked_in(std::int64_t id, bool in);
    void remove(std::int64_t id);

    std::optional<registration> find(std::int64_t id);
    std::optional<registration> find_by_email(std::int64_t event_id, const std::string& email);
    std::optional<registration> find_by_token(const std::string& token_hash);
    // For route declarations: a registration's event, and the registration a personal link opens.
    std::optional<std::int64_t> event_of(std::int64_t id);
    std::optional<std::int64_t> id_by_token(const std::string& token_hash);

    std::int64_t count(std::int64_t event_id, registration_status status);
    std::int64_t count_active();  // all events: confirmed, waitlisted, pending
    status_counts counts(std::int64_t event_id);
    // Per organisation type or per town, most confirmed first: confirmed ("registered"),
    // waitlisted and attended (confirmed and checked in). Pending and cancelled are left out.
    struct group_count {
        std::string value;
        std::int64_t registered = 0, checked_in = 0, waitlisted = 0;
    };
    std::vector<group_count> by_organisation_type(std::int64_t event_id);
    std::vector<group_count> by_town(std::int64_t event_id);
    // The first on the waiting list (oldest registration first).
    std::optional<registration> first_waitlisted(std::int64_t event_id);
    // 1-based position of a waitlisted registration.
    std::int64_t waitlist_position(const registration& r);

    // What happened to one registration, oldest first: the organisers' actions (audit log)
    // and the mails sent to its address about its event. `what` is the audit action or the
    // mail kind; `detail` the audit detail or the mail's status; `who` the organiser's name.
    struct history_entry {
        std::string at, source, what, detail, who;
    };
    std::vector<history_entry> history(const registration& r);

    // Everyone still expecting to come (pending, confirmed, waitlisted) who has an address.
    std::vector<registration> expecting(std::int64_t event_id);

    // Organisers' list: status filter as asked for ("" for all; text that names no status
    // matches nobody), case-insensitive search (query lower-cased by the caller).
    std::vector<registration> list(std::int64_t event_id, std::string_view status, const std::string& query_lower,
                                   std::int64_t limit, std::int64_t offset, std::int64_t* total);

private:
    storage::database& db_;
};

}  // namespace sabor::registration

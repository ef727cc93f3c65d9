// All SQL about contacts, their tags, invitation campaigns, invitations and the addresses
// that asked for no more bulk mail. Times are passed in (util::now_seconds), so tests can
// move the clock.
#pragma once
#include "contacts/model.hpp"
#include "storage/database.hpp"

#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace sabor::contacts {

class repository {
public:
    explicit repository(storage::database& db) : db_(db) {}

    // ---- contacts ----
    std::int64_t insert(const contact& c, const std::string& now_iso);  // with its tags
    void update(const contact& c, const std::string& now_iso);          // fields only
    void add_tag(std::int64_t id, const std::string& tag);
    void remove_tag(std::int64_t id, const std::string& tag);
    void set_tags(std::int64_t id, const std::vector<std::string>& tags);
    void remove(std::int64_t id);
    std::optional<contact> find(std::int64_t id);
    std::optional<contact> find_by_email(const std::string& email);
    // Search (query lower-cased by the caller) and tag filter; ordered by id.
    std::vector<contact> list(const std::string& tag, const std::string& query_lower, std::int64_t limit,
                              std::int64_t offset, std::int64_t* total);
    std::vector<std::pair<std::string, std::int64_t>> tag_counts();
    void mark_unsubscribed(const std::string& email, const std::string& now_iso);
    // Invitations to the address still waiting in the outbox are not sent after all.
    void drop_queued_invitations(const std::string& email);

    // ---- suppressions (any bulk mail) ----
    void suppress(const std::string& email, const std::string& source, const std::string& now_iso);
    bool suppressed(const std::string& email);

    // ---- campaigns ----
    std::int64_t insert_campaign(const campaign& c);
    std::optional<campaign> find_campaign(std::int64_t id);
    std::vector<campaign> campaigns(std::int64_t event_id);
    std::vector<std::int64_t> due_campaigns(const std::string& now_iso);
    void set_campaign_queued(std::int64_t id, std::int64_t skipped_unsubscribed, std::int64_t skipped_invited,
                             const std::string& now_iso);
    void set_campaign_cancelled(std::int64_t id);
    campaign_counts counts(std::int64_t campaign_id);

    // ---- recipients and invitations ----
    struct recipient {
        contact c;
        bool suppressed = false;  // unsubscribed, or the address is in mail_suppressions
        bool invited = false;     // already invited to this event
    };
    std::vector<recipient> recipients(const recipient_filter& f, std::int64_t event_id);
    std::int64_t insert_invitation(const invitation& i, const std::string& token_hash);
    std::optional<invitation> find_invitation_by_token(const std::string& token_hash);
    std::optional<invitation> find_invitation(std::int64_t id);
    // The invitation a personal link (/i/{token}) opens, by the token's hash.
    std::optional<std::int64_t> invitation_of_link(const std::string& token_hash);
    void set_invitation_registration(std::int64_t id, std::int64_t registration_id);
    void set_declined(std::int64_t id, const std::string& now_iso);
    // A resend: a new token (only its hash is kept) and the new message.
    // A resend: the new message and one more link; the link in the first mail keeps working.
    void set_invitation_message(std::int64_t id, const std::string& token_hash, std::int64_t outbox_id,
                                const std::string& now_iso);
    void add_invitation_link(std::int64_t id, const std::string& token_hash, const std::string& now_iso);
    // campaign_id 0: every campaign of the event; status "": all.
    std::vector<invitation> invitations(std::int64_t event_id, std::int64_t campaign_id, const std::string& status,
                                        std::int64_t limit, std::int64_t offset, std::int64_t* total);
    // Whether the invitation's last message went out at or after `since_iso` (a failed one does
    // not count): resends skip it, so one person gets at most one invitation an hour.
    bool invitation_sent_since(std::int64_t id, const std::string& since_iso);
    // Neither registered nor declined.
    std::vector<invitation> unanswered(std::int64_t event_id, std::int64_t campaign_id);

private:
    std::vector<std::string> tags_of(std::int64_t id);
    storage::database& db_;
};

}  // namespace sabor::contacts

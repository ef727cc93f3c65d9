// All SQL about materials, the event's release setting, the talks they attach to and the
// registrants an announcement goes to.
#pragma once
#include "materials/model.hpp"
#include "storage/database.hpp"

#include <optional>
#include <string>
#include <vector>

namespace sabor::materials {

class repository {
public:
    explicit repository(storage::database& db) : db_(db) {}

    std::int64_t insert(material& m);  // fills m.id and m.created_at
    void update(std::int64_t id, const std::string& title, const std::optional<std::int64_t>& talk_id);
    void remove(std::int64_t id);
    std::optional<material> find(std::int64_t id);
    // The event a material belongs to (routes' .event_of); nullopt when there is no such material.
    std::optional<std::int64_t> event_of(std::int64_t id);
    // The same content already stored for this event and talk (or for the event itself).
    std::optional<material> find_same(std::int64_t event_id, const std::optional<std::int64_t>& talk_id,
                                      const std::string& sha256);
    // An event's materials: those of the event first, then by talk, each in upload order.
    std::vector<material> list(std::int64_t event_id);
    std::int64_t count(std::int64_t event_id);
    bool stored_name_known(const std::string& stored_name);

    release_setting release(std::int64_t event_id);
    void set_release(std::int64_t event_id, const release_setting& s);

    std::optional<talk_ref> find_talk(std::int64_t talk_id);
    std::optional<std::int64_t> event_of_talk(std::int64_t talk_id);
    std::vector<talk_ref> talks(std::int64_t event_id);  // in programme order

    // Confirmed registrations with an address (only the checked-in ones when asked), minus
    // the addresses in mail_suppressions; `suppressed` counts those left out.
    std::vector<recipient> recipients(std::int64_t event_id, bool checked_in_only, std::int64_t& suppressed);
    // Whether "the presentations are online" went to this address about this event within the
    // last hour (the outbox's clock): an announcement repeated at once skips them.
    bool announced_within_hour(std::int64_t event_id, const std::string& email);

private:
    storage::database& db_;
};

}  // namespace sabor::materials

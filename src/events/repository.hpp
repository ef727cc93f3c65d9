// All SQL about events, their organisations and their managers.
#pragma once
#include "events/model.hpp"
#include "storage/database.hpp"

#include <optional>

namespace sabor::events {

class repository {
public:
    explicit repository(storage::database& db) : db_(db) {}

    // Inserts with a unique slug (base, base-2, base-3 ...) and makes `manager` its manager.
    // Call inside a transaction. Fills e.id, e.slug.
    void insert(event& e, std::int64_t manager);
    void update(const event& e);  // fields and organisations; slug stays
    void set_status(std::int64_t id, event_status status);
    void set_registration_form(std::int64_t id, const std::string& stored);
    void remove(std::int64_t id);

    std::optional<event> find(std::int64_t id);
    std::optional<event> find_by_slug(std::string_view slug);
    // Published (and cancelled, so people learn of it) events, upcoming or past.
    std::vector<event> list_public(const list_filter& f, std::int64_t* total = nullptr);
    std::vector<std::string> public_cities();
    // Every event for an admin; the managed ones for an organiser.
    std::vector<event> list_managed(std::int64_t user_id, bool all);
    bool is_manager(std::int64_t event_id, std::int64_t user_id);
    bool slug_taken(std::string_view slug);
    std::int64_t count_by_status(event_status status);
    // Confirmed registrations: the seats taken (for the availability shown before registering).
    std::int64_t confirmed_count(std::int64_t event_id);

private:
    void load_organisations(event& e);
    void save_organisations(const event& e);
    void save_contact(const event& e);
    storage::database& db_;
};

}  // namespace sabor::events

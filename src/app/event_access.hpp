// Who may see and who may manage an event: the one rule every route about an event uses
// (declared as access::event_reader or access::event_manager in app/routes.hpp).
// An event is public once published (also when cancelled later); a draft is seen only by
// its managers. Admins manage every event.
#pragma once
#include "accounts/model.hpp"
#include "storage/database.hpp"

#include <any>
#include <cstdint>
#include <functional>
#include <optional>
#include <string_view>

namespace sabor::app {

struct event_standing {
    std::int64_t id = 0;
    bool is_public = false;
};

// How the events domain finds an event for the route framework: its standing, and the whole
// row, kept in the call so that the handler does not read it a second time (a read of its
// own costs a registration a fifth of its rate under load). By id, or by slug when one is given.
struct loaded_event {
    event_standing standing;
    std::any row;
};
using event_loader = std::function<std::optional<loaded_event>(storage::database&, std::int64_t id, std::string_view slug)>;

class event_access {
public:
    explicit event_access(storage::database& db) : db_(db) {}
    std::optional<event_standing> by_id(std::int64_t id);
    std::optional<event_standing> by_slug(std::string_view slug);
    bool manages(const accounts::user& u, std::int64_t event_id);

private:
    storage::database& db_;
};

}  // namespace sabor::app

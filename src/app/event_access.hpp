// Who may see and who may manage an event: the one rule every route about an event uses
// (declared as access::event_reader or access::event_manager in app/routes.hpp). The events
// domain answers both questions (events::register_routes sets application::event_rules):
// an event is public once published (also when cancelled later); a draft is seen only by its
// managers; admins manage every event.
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

// An event as the events domain found it: its standing, and the whole row, kept in the call
// so that the handler does not read it a second time (events::the_event). A read of its own
// cost registration a tenth of its rate under load.
struct loaded_event {
    event_standing standing;
    std::any row;
};

struct event_rules {
    // By id, or by slug when one is given; nullopt when there is no such event.
    std::function<std::optional<loaded_event>(storage::database&, std::int64_t id, std::string_view slug)> load;
    std::function<bool(storage::database&, const accounts::user&, std::int64_t event_id)> manages;
};

}  // namespace sabor::app

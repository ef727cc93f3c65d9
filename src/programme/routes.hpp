#pragma once
#include "events/model.hpp"
#include "events/parts.hpp"
#include "storage/database.hpp"

#include <boost/json/object.hpp>

#include <string>

namespace sabor::app {
class application;
}

namespace sabor::programme {
// Public programme pages, /admin programme pages and /api/v1 speakers, sessions, talks.
void register_routes(app::application& a);
// The organisers' pages under /admin/events/{id}/programme (admin.cpp).
void register_admin_routes(app::application& a);
// The programme as a part of its event (events/parts.hpp): a compact programme (days with
// their sessions) on the event's page, its counts before a draft is deleted, the speakers'
// photos removed with it.
events::part event_part();
}  // namespace sabor::programme

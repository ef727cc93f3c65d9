#pragma once
#include "events/model.hpp"
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
// For the event page: a compact programme (days with their sessions) in data["programme"]
// when the event has one.
void add_event_page_view(app::application& a, storage::database& db, const events::event& e, const std::string& lang,
                         boost::json::object& data);
}  // namespace sabor::programme

#pragma once
#include "events/parts.hpp"
#include "events/repository.hpp"
#include "events/service.hpp"

#include <boost/json/object.hpp>
#include "http/message.hpp"

namespace sabor::app {
class application;
class call;
}

namespace sabor::events {
// Public pages (/, /events/...), organisers' pages (/admin/...) and /api/v1/events...;
// `of_event`: what other domains keep for an event (parts.hpp).
void register_routes(app::application& a, parts of_event);

// The event a declared route is about (event_reader, event_manager), as the framework loaded
// it for its access check: no second read.
const event& the_event(app::call& c);

// The event as the API shows it, with its availability now.
boost::json::object api_event_json(app::application& a, repository& repo, const event& e);
}  // namespace sabor::events

#pragma once

namespace sabor::app {
class application;
}

namespace sabor::events {
// Public pages (/, /events/...), organisers' pages (/admin/...) and /api/v1/events...
void register_routes(app::application& a);
}  // namespace sabor::events

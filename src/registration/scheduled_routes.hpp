#pragma once

namespace sabor::app {
class application;
}

namespace sabor::registration {
// Scheduled messages of an event: /admin/events/{id}/messages and
// GET/PUT /api/v1/events/{id}/scheduled-messages.
void register_scheduled_routes(app::application& a);
}  // namespace sabor::registration

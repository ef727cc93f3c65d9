// Cancelling an event: the organisers' confirmation page and the API. Whoever still expects
// to come is told by mail in the same transaction that cancels the event.
#pragma once

namespace sabor::app {
class application;
}

namespace sabor::registration {
// GET/POST /admin/events/{id}/cancel and POST /api/v1/events/{id}/cancel.
void register_cancellation_routes(app::application& a);
}  // namespace sabor::registration

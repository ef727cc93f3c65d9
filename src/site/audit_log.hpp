// The audit log read back, for admins: GET /api/v1/audit?event_id=&actor=&since= (paged:
// ?limit=, ?offset=, items and total) and the page /admin/audit with the same filters.
#pragma once

namespace sabor::app {
class application;
}

namespace sabor::site {

void register_audit_routes(app::application& a);

}  // namespace sabor::site

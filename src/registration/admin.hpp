#pragma once

namespace sabor::app {
class application;
}

namespace sabor::registration {
// Organisers' pages: the attendee list with its actions, exports, the sign-in sheet.
void register_admin_routes(app::application& a);
// Registration form settings: /admin/events/{id}/form and /api/v1/events/{id}/registration-form.
void register_form_routes(app::application& a);
}  // namespace sabor::registration

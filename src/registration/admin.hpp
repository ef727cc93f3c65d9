#pragma once

namespace sabor::app {
class application;
}

namespace sabor::registration {
// Organisers' pages: the attendee list with its actions, exports, the sign-in sheet.
void register_admin_routes(app::application& a);
}  // namespace sabor::registration

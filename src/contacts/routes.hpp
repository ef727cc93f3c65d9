#pragma once

namespace sabor::app {
class application;
}

namespace sabor::contacts {
// Contacts, imports, invitations (/i/{token}) and unsubscribing.
void register_routes(app::application& a);
}  // namespace sabor::contacts

#pragma once

namespace sabor::app {
class application;
}

namespace sabor::accounts {
// /admin/users and /admin/users/{id}: accounts, their state, password and API tokens (admins).
void register_admin_routes(app::application& a);
}  // namespace sabor::accounts

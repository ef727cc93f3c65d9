#pragma once

namespace sabor::app {
class application;
}

namespace sabor::site {
// /admin/users and /admin/users/{id}: accounts, their state, password and API tokens (admins).
void register_user_routes(app::application& a);
}  // namespace sabor::site

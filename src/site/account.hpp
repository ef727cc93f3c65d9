// The signed-in person's own account: /account shows it, changes its password (the current
// one asked first; every other browser is signed out) and signs out everywhere.
#pragma once

namespace sabor::app {
class application;
}

namespace sabor::site {
void register_account_routes(app::application& a);
}  // namespace sabor::site

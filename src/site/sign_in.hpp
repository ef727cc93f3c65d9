#pragma once

namespace sabor::app {
class application;
}

namespace sabor::site {
// /login (GET, POST) and /logout (POST).
void register_sign_in_routes(app::application& a);
}  // namespace sabor::site

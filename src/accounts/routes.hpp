#pragma once

namespace sabor::app {
class application;
}

namespace sabor::accounts {
// /login (GET, POST) and /logout (POST).
void register_routes(app::application& a);
}  // namespace sabor::accounts

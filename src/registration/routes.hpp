#pragma once

namespace sabor::app {
class application;
}

namespace sabor::registration {
// /events/{slug}/register, personal pages /r/{token}, and the registration API.
void register_routes(app::application& a);
}  // namespace sabor::registration

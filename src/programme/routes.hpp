#pragma once

namespace sabor::app {
class application;
}

namespace sabor::programme {
// Public programme pages, /admin programme pages and /api/v1 speakers, sessions, talks.
void register_routes(app::application& a);
}  // namespace sabor::programme

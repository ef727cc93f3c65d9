#pragma once

namespace sabor::app {
class application;
}

namespace sabor::materials {
// Uploads and downloads of presentations: /materials/..., /api/v1/.../materials.
void register_routes(app::application& a);
}  // namespace sabor::materials

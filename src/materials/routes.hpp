#pragma once

namespace sabor::app {
class application;
}

namespace sabor::materials {
// Uploads and downloads of presentations: /materials/..., /events/{slug}/materials[.zip],
// /api/v1/.../materials, and the organisers' page /admin/events/{id}/materials.
void register_routes(app::application& a);
// The organisers' pages (admin.cpp).
void register_admin_routes(app::application& a);
}  // namespace sabor::materials

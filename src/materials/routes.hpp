#pragma once
#include "events/parts.hpp"
#include "registration/parts.hpp"
#include "materials/access.hpp"
#include "storage/database.hpp"

#include <cstdint>
#include <optional>
#include <string_view>

namespace sabor::app {
class application;
class call;
}

namespace sabor::materials {
// Uploads and downloads of presentations: /materials/..., /events/{slug}/materials[.zip],
// /api/v1/.../materials, and the organisers' page /admin/events/{id}/materials.
void register_routes(app::application& a);
// The materials as a part of their event (events/parts.hpp): "has_materials" on the event's
// page, their count before a draft is deleted, the stored files removed with it.
events::part event_part();
// On a registrant's personal page: what they may download (registration/parts.hpp).
registration::personal_part personal_part();
// The organisers' pages (admin.cpp).
void register_admin_routes(app::application& a);

// For routes' .event_of: the event of the material (the talk) whose id is the path's value;
// nullopt when there is none.
std::optional<std::int64_t> event_of_material(storage::database& db, std::string_view id);
std::optional<std::int64_t> event_of_talk(storage::database& db, std::string_view id);

// Who is asking for the call's event's materials (materials::viewer_of with what the call
// knows): a manager of the event or an admin, by session or, on pages too, by the API's token
// (a file the API hands out is fetched with it); a registrant by the key in the address.
viewer viewer_of(app::call& c);
}  // namespace sabor::materials

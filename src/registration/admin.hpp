#pragma once
#include "accounts/repository.hpp"
#include "app/web.hpp"
#include "events/model.hpp"
#include "http/message.hpp"
#include "storage/database.hpp"

#include <optional>

namespace sabor::app {
class application;
}

namespace sabor::registration {
// Organisers' pages: the attendee list with its actions, exports, the sign-in sheet.
void register_admin_routes(app::application& a);
// Registration form settings: /admin/events/{id}/form and /api/v1/events/{id}/registration-form.
void register_form_routes(app::application& a);

struct managed_event {
    std::optional<http::response> refusal;  // set when the visitor may not manage it
    events::event e;
    accounts::user user;
};
// The event with this id when `u` manages it (or is an admin); nullopt otherwise, so the
// API answers 404 and does not tell whether someone else's event exists.
std::optional<events::event> event_managed_by(storage::database& db, const accounts::user& u,
                                              std::optional<std::int64_t> event_id);
// A registration's event (`event_id`), for a signed-in organiser who manages it (or an admin);
// anyone else gets 404, so a registration's existence is not told.
managed_event load_managed(app::application& a, http::request& req, app::web_ctx& ctx, storage::database& db,
                           std::int64_t event_id);
// The event whose id is the path's {id}: someone else's draft is 404 (as in the API), someone
// else's published event 403.
managed_event load_managed(app::application& a, http::request& req, app::web_ctx& ctx, storage::database& db);
// For the JSON API: the event whose id is the path's {id}, as event_managed_by.
std::optional<events::event> event_in_path(storage::database& db, const accounts::user& u, const http::request& req);
}  // namespace sabor::registration

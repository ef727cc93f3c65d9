// Pages and answers of e-mail verification: "check your mail" after the form or the API,
// and the mailed link /v/{token} (GET shows one button, its POST registers).
#pragma once
#include "app/web.hpp"
#include "events/model.hpp"
#include "registration/service.hpp"

#include <optional>

namespace sabor::registration {

// When the event's form asks for verification: stores the request, queues the mail and
// answers (a page for the HTML form, 202 JSON for the API); nothing otherwise.
std::optional<http::response> verification_instead(app::application& a, http::request& req, app::web_ctx* ctx,
                                                   storage::database& db, const events::event& e, const input& in);
void register_verification_routes(app::application& a);

}  // namespace sabor::registration

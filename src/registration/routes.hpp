#pragma once
#include "events/model.hpp"
#include "http/message.hpp"
#include "registration/form.hpp"
#include "registration/parts.hpp"
#include "storage/database.hpp"

#include <boost/json/object.hpp>

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>

namespace sabor::app {
class application;
struct web_ctx;
}

namespace sabor::registration {
// /events/{slug}/register, the invitation's form /i/{token}, personal pages /r/{token}, and
// the registration API; `on_personal_page`: what other domains show there (parts.hpp).
void register_routes(app::application& a, personal_parts on_personal_page);
// Finders for route declarations (app::finder): a registration's id -> its event (.event_of),
// a personal link's token -> its registration (.link); nothing when there is no such thing.
std::optional<std::int64_t> event_of_registration(storage::database& db, std::string_view id);
std::optional<std::int64_t> registration_of_link(storage::database& db, std::string_view token);
// Adds what web/templates/partials/registration_fields needs for an event's form: shown and
// required fields, the questions with their current values (from `raw` form values or
// `stored` answers) and errors, and the privacy text.
void add_form_view(boost::json::object& data, const form_settings& s, const http::fields* raw,
                   const boost::json::object* stored, const std::map<std::string, std::string>& errors);
// The types of organisation for the form's select, `selected` marked.
boost::json::array type_options(app::application& a, const std::string& lang, const std::string& selected);
}  // namespace sabor::registration

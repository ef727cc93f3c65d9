#pragma once
#include "http/message.hpp"
#include "registration/form.hpp"

#include <boost/json/object.hpp>

#include <map>
#include <string>

namespace sabor::app {
class application;
}

namespace sabor::registration {
// /events/{slug}/register, personal pages /r/{token}, and the registration API.
void register_routes(app::application& a);
// Adds what web/templates/partials/registration_fields needs for an event's form: shown and
// required fields, the questions with their current values (from `raw` form values or
// `stored` answers) and errors, and the privacy text.
void add_form_view(boost::json::object& data, const form_settings& s, const http::fields* raw,
                   const boost::json::object* stored, const std::map<std::string, std::string>& errors);
}  // namespace sabor::registration

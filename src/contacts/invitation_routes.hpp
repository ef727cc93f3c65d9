#pragma once
#include "http/message.hpp"

#include <boost/json/object.hpp>

#include <string>

namespace sabor::app {
class application;
class call;
}

namespace sabor::contacts {
// Invitations: /admin/events/{id}/invitations, the API, /i/{token}/decline and /u/{token}
// (unsubscribe); the form /i/{token} opens is registration's.
void register_invitation_routes(app::application& a);

// The invitee's page of one message (declined, already registered, closed), never stored by
// a browser; `extra` adds a form's action and button.
http::response message_page(app::call& c, const std::string& title, const std::string& message,
                            boost::json::object extra = {}, int status = 200);
}  // namespace sabor::contacts

// The page a destructive action answers with before it is confirmed: what will happen, one
// button that posts the same action again with confirm=1, and a way back that changes nothing.
#pragma once
#include "app/web.hpp"

#include <boost/json.hpp>

#include <string>
#include <utility>
#include <vector>

namespace sabor::app {

struct confirmation {
    std::string title;       // the page's title and heading: the question
    std::string subject;     // what is about to go (a name, a title)
    std::vector<std::string> points;  // what happens with it, one sentence each
    std::string action;      // where the confirmed form posts
    std::vector<std::pair<std::string, std::string>> hidden;  // fields posted again (action, back)
    std::string confirm_label;
    std::string back_url;    // the page the organiser came from
    std::string back_label;
    boost::json::value event;     // the event's view (breadcrumb and the event's menu), or null
    boost::json::object page_is;  // which item of the event's menu is current
};

// True when the form carries the confirmation's second press.
bool confirmed(const http::fields& form);

http::response confirm_page(application& a, http::request& req, web_ctx& ctx, const confirmation& c);

}  // namespace sabor::app

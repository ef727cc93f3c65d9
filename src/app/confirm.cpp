#include "app/confirm.hpp"

namespace sabor::app {
namespace json = boost::json;

bool confirmed(const http::fields& form) { return form_value(form, "confirm") == "1"; }

http::response confirm_page(application& a, http::request& req, web_ctx& ctx, const confirmation& c) {
    csrf_token(a, req, ctx);
    json::array points, hidden;
    for (const auto& p : c.points) points.push_back(json::string(p));
    for (const auto& [name, value] : c.hidden) hidden.push_back(json::object{{"name", name}, {"value", value}});
    json::object data{{"title", c.title},
                      {"subject", c.subject},
                      {"points", std::move(points)},
                      {"action", c.action},
                      {"hidden", std::move(hidden)},
                      {"confirm_label", c.confirm_label},
                      {"back_url", c.back_url},
                      {"back_label", c.back_label},
                      {"event", c.event},
                      {"page_is", c.page_is}};
    // Asked, nothing changed: the answer is the question, never kept by a cache.
    auto res = render_page(a, ctx, "admin/confirm", std::move(data));
    res.set_header("Cache-Control", "no-store");
    return res;
}

}  // namespace sabor::app

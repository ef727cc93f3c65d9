// What pages and API handlers share: the visitor's language and account, CSRF tokens,
// rendering into the layout, and error answers in the visitor's language.
#pragma once
#include "accounts/model.hpp"
#include "app/app.hpp"
#include "view/field_errors.hpp"

#include <boost/json/object.hpp>
#include <boost/json/value.hpp>

#include <map>
#include <optional>
#include <string>
#include <vector>

namespace sabor::app {

struct web_ctx {
    std::string lang;
    std::optional<accounts::user> user;
    std::vector<std::string> set_cookies;
    std::string csrf;  // the form token, once asked for
};

// Language: ?lang=, then the lang cookie, then Accept-Language, then the default.
std::string pick_lang(const application& a, const http::request& req, web_ctx* ctx = nullptr);
web_ctx page_context(application& a, const http::request& req);
// The account behind "Authorization: Bearer TOKEN", or behind the session cookie.
std::optional<accounts::user> request_user(application& a, const http::request& req);

// The hidden form field's value; sets the CSRF cookie when the visitor has none.
const std::string& csrf_token(application& a, const http::request& req, web_ctx& ctx);
bool csrf_ok(application& a, const http::request& req, const http::fields& form);
// The token a form posted with this request must carry; nothing without a usable CSRF
// cookie (then no form passes). For a body checked as it streams in (uploads).
std::optional<std::string> expected_csrf_token(application& a, const http::request& req);
std::string form_value(const http::fields& form, std::string_view name);

// Renders `page` into the layout. `data` gets t (messages), lang, user, csrf_token.
http::response render_page(application& a, web_ctx& ctx, std::string_view page, boost::json::object data,
                           int status = 200);

// Errors: JSON {"error": {"code", "message"}} under /api/, a page otherwise.
http::response error_response(application& a, const http::request& req, int status, std::string_view code,
                              std::string message = {});
http::response json_response(int status, const boost::json::value& v);
http::response json_error(int status, std::string_view code, const std::string& message,
                          const std::map<std::string, std::string>& fields = {});
// The API's 422: {"error": {"code": "validation", "message", "fields"}}, each field's message
// in the caller's language.
http::response validation_failed(application& a, const http::request& req, const view::field_errors& errors);

void apply_security_headers(application& a, http::response& r);

std::optional<std::int64_t> to_id(std::string_view s);  // a positive integer, or nothing
std::int64_t query_int(const http::request& req, std::string_view name, std::int64_t def, std::int64_t lo, std::int64_t hi);
bool is_api(const http::request& req);

}  // namespace sabor::app

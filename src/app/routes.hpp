// Routes declare who may call them and what they take, in the spirit of bmcweb's
// BMCWEB_ROUTE(...).privileges(...):
//
//   app::route(a, "GET", "/admin/events/{id}").allow(access::event_manager).handle(edit_page);
//   app::route(a, "POST", "/admin/events/{id}").allow(access::event_manager).form().handle(save);
//   app::route(a, "PATCH", "/api/v1/talks/{id}").allow(access::event_manager)
//       .event_of("id", programme::event_of_talk).json().handle(api_talk_patch);
//
// Before the named handler runs, the framework resolves the visitor, checks the access,
// finds the event the route is about, reads the input (a form with its CSRF token, a JSON
// object) and answers every refusal the same way:
//   - not signed in: a page goes to /login?next=..., the API answers 401;
//   - an API write with a browser session but no token: 403 token_required;
//   - an admin route for someone else: 403 admin_only;
//   - an event the caller does not manage: 403 when the event is public (everybody knows
//     it exists), 404 for a draft and for any object in it (a registration, a talk), whose
//     existence is not told;
//   - an unknown event, object or personal link: 404.
// The table (method, path, access, input, body limit) is listed by `sabor routes`.
#pragma once
#include "app/event_access.hpp"
#include "app/web.hpp"
#include "http/body_sink.hpp"
#include "http/router.hpp"

#include <boost/json/object.hpp>

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace sabor::app {

enum class access {
    anyone,         // public
    personal_link,  // whoever holds the link: the token in the path is the key
    event_reader,   // anyone while the event is public; its managers while it is a draft
    organiser,      // any signed-in account
    event_manager,  // the managers of the event the path names (directly or by an object in it), admins
    admin,          // admins
    monitoring,     // the metrics token, or a visitor on this machine ([server] metrics_token)
};
std::string_view to_string(access a);

// none: no body; raw: the body as sent, for the handler (a CSV file) or ignored (a bare POST).
enum class input { none, raw, form, json, multipart, stream };
std::string_view to_string(input i);

// One call of a route: the request, the visitor, the checked input.
class call {
public:
    call(application& a, http::request& r);
    call(const call&) = delete;
    call& operator=(const call&) = delete;

    application& app;
    http::request& req;
    web_ctx ctx;               // language, cookies to set; the account for pages
    http::fields form;         // input::form: parsed, its CSRF token checked
    boost::json::object body;  // input::json: the object sent
    std::int64_t event_id = 0;   // event_reader, event_manager: the event, found and checked
    std::int64_t object_id = 0;  // the object the path names (event_of, a personal link's finder)
    std::any event;              // the event's row as its domain loaded it (events::the_event)
    // cached() routes: the handler clears `keep` for a page made for this visitor or one that
    // changes by time alone, or sets `until` (seconds) to when it changes (see page_cache).
    bool keep = true;
    std::int64_t until = 0;

    bool api() const { return api_; }
    const std::string& lang() const { return ctx.lang; }
    // The signed-in account, if any (resolved on first ask for API routes open to anyone).
    const std::optional<accounts::user>& visitor();
    // The visitor manages the call's event (a flag for the page: a "manage" link, e-mails shown).
    bool manages_event();
    // The account, on routes for organisers, event managers and admins.
    const accounts::user& user() const { return *ctx.user; }
    // One connection for the whole call, taken at first use.
    storage::database& db();
    // The answers every handler gives the same way.
    http::response error(int status, std::string_view code, std::string message = {}) const;
    http::response page(std::string_view name, boost::json::object data, int status = 200);

private:
    friend class route;
    bool api_ = false;
    bool visitor_known_ = false;
    std::optional<storage::pool::lease> conn_;
};

using handler = std::function<http::response(call&)>;
// From a path parameter's value to an id (an object's event, a token's registration), or
// nothing when there is no such thing.
using finder = std::function<std::optional<std::int64_t>(storage::database&, std::string_view)>;
// A streamed body's sink, opened once the call passed its access check.
using sink_opener = std::function<http::sink_result(call&)>;

// A route being declared; handle() adds it to the application's router.
class route {
public:
    route(application& a, std::string method, std::string pattern);

    route& allow(access a);
    // The event is named by an object in the path: `param`'s value -> that object's event.
    route& event_of(std::string param, finder f);
    // personal_link: the token parameter -> the object it opens (object_id); an unknown
    // token is a 404 whose message is `refusal_code`'s ("error_" + code in the catalogs).
    route& link(std::string param, finder f, std::string refusal_code = "not_found");
    route& form(std::size_t limit = 0);  // 0: [server] form_max_bytes
    route& json(std::size_t limit = 0);  // 0: [server] json_max_bytes
    // A JSON object when a body is sent; no body at all leaves `body` empty.
    route& json_optional(std::size_t limit = 0);
    route& multipart(std::size_t limit);  // read whole; the handler parses it and checks its CSRF token
    route& stream(std::size_t limit, sink_opener open);
    route& raw(std::size_t limit);  // the body as sent, up to `limit`
    // A public page kept for anonymous visitors (app/cached_page.hpp): `uses` names every
    // query parameter the page reads. A copy is answered before the checks run again.
    route& cached(std::vector<std::string> uses = {});
    route& on_workers();
    void handle(handler h);

    // Runs the checks; the answer to give when the call may not go on.
    struct spec;

private:
    application& a_;
    std::shared_ptr<spec> s_;
};

// The declared routes, one line each: METHOD PATH ACCESS INPUT LIMIT.
std::string route_table(const application& a);

}  // namespace sabor::app

#include "app/routes.hpp"

#include "app/cached_page.hpp"

#include <boost/json/parse.hpp>

#include <stdexcept>

namespace sabor::app {

std::string_view to_string(access a) {
    switch (a) {
        case access::anyone: return "anyone";
        case access::personal_link: return "personal_link";
        case access::event_reader: return "event_reader";
        case access::organiser: return "organiser";
        case access::event_manager: return "event_manager";
        case access::admin: return "admin";
        case access::monitoring: return "monitoring";
    }
    return "?";
}

std::string_view to_string(input i) {
    switch (i) {
        case input::none: return "none";
        case input::raw: return "raw";
        case input::form: return "form";
        case input::json: return "json";
        case input::multipart: return "multipart";
        case input::stream: return "stream";
    }
    return "?";
}

call::call(application& a, http::request& r) : app(a), req(r), api_(is_api(r)) {}

const std::optional<accounts::user>& call::visitor() {
    if (!visitor_known_) {
        if (!ctx.user) ctx.user = request_user(app, req);
        visitor_known_ = true;
    }
    return ctx.user;
}

bool call::manages_event() {
    const auto& u = visitor();
    return u && event_id && app.events_rules.manages(db(), *u, event_id);
}

storage::database& call::db() {
    if (!conn_) conn_.emplace(app.db.acquire());
    return **conn_;
}

http::response call::error(int status, std::string_view code, std::string message) const {
    return error_response(app, req, status, code, std::move(message));
}

http::response call::page(std::string_view name, boost::json::object data, int status) {
    return render_page(app, ctx, name, std::move(data), status);
}

struct route::spec {
    std::string method, pattern;
    access who = access::anyone;
    input in = input::none;
    std::size_t limit = 0;
    http::runs where = http::runs::on_io_thread;
    std::string object_param;  // event_of / link
    std::string link_refusal = "not_found";  // link(): the code of the 404 for an unknown token
    finder find;
    sink_opener open;
    handler fn;
    bool declared_access = false;
    bool body_optional = false;  // json_optional()
    std::optional<std::vector<std::string>> cache_uses;  // cached(): the query parameters the page reads

    bool signed_in_only() const {
        return who == access::organiser || who == access::event_manager || who == access::admin;
    }

    // The event by id or slug, as the events domain finds it; its row stays in the call.
    static std::optional<event_standing> find_event(call& c, std::int64_t id, std::string_view slug) {
        auto l = c.app.events_rules.load(c.db(), id, slug);
        if (!l) return std::nullopt;
        c.event = std::move(l->row);
        return l->standing;
    }

    // The event the path names directly ({id}, or {slug} on public pages).
    static std::optional<event_standing> event_in_path(call& c) {
        if (c.req.params.count("slug")) return find_event(c, 0, c.req.param("slug"));
        auto id = to_id(c.req.param("id"));
        return id ? find_event(c, *id, {}) : std::nullopt;
    }

    // The answer when the caller may not go on; nullopt when they may.
    std::optional<http::response> check(call& c) const {
        auto& a = c.app;
        auto& req = c.req;
        if (c.api_) {
            c.ctx.lang = pick_lang(a, req);
            if (signed_in_only()) c.visitor();
        } else {
            c.ctx = page_context(a, req);
            c.visitor_known_ = true;
        }
        if (who == access::monitoring) {
            if (a.metrics_allowed(req)) return std::nullopt;
            auto r = c.error(403, "metrics_forbidden");
            r.set_header("WWW-Authenticate", "Bearer");
            return r;
        }
        if (signed_in_only()) {
            if (!c.ctx.user) {
                if (!c.api_) return http::response::redirect("/login?next=" + req.path);
                auto r = c.error(401, "unauthorized");
                r.set_header("WWW-Authenticate", "Bearer");
                return r;
            }
            // A browser session may use the API only for reading; writes need a token (no CSRF there).
            if (c.api_ && req.method != "GET" && req.method != "HEAD" && req.header("authorization").empty())
                return c.error(403, "token_required");
            if (who == access::admin && !c.ctx.user->is_admin()) return c.error(403, "admin_only");
        }
        if (who == access::personal_link && find) {
            auto id = find(c.db(), req.param(object_param));
            if (!id) return c.error(404, link_refusal);
            c.object_id = *id;
        }
        if (who == access::event_manager || who == access::event_reader) {
            std::optional<event_standing> e;
            bool by_object = static_cast<bool>(find);
            if (by_object) {
                if (auto event_id = find(c.db(), req.param(object_param))) {
                    c.object_id = to_id(req.param(object_param)).value_or(0);
                    e = find_event(c, *event_id, {});
                }
            } else {
                e = event_in_path(c);
            }
            if (!e) return c.error(404, "not_found");
            bool needs_manager = who == access::event_manager || !e->is_public;
            if (needs_manager) {
                auto u = c.visitor();
                // A page knows only the session; a file the API hands out (a draft's material)
                // is fetched with the API's token too.
                if (!u && !c.api_ && who == access::event_reader) u = request_user(a, req);
                if (!u || !a.events_rules.manages(c.db(), *u, e->id)) {
                    // A public event is known to everybody; a draft, or an object in an event, is not told.
                    if (who == access::event_manager && e->is_public && !by_object) return c.error(403, "forbidden");
                    return c.error(404, "not_found");
                }
            }
            c.event_id = e->id;
        }
        return std::nullopt;
    }

    http::response answer(call& c) const {
        auto res = [&] {
            if (auto refusal = check(c)) return std::move(*refusal);
            if (auto refusal = read_input(c)) return std::move(*refusal);
            return fn(c);
        }();
        // The token is in the address: no page it leads to may pass it on, refusals included.
        if (who == access::personal_link && res.header("Referrer-Policy").empty())
            res.set_header("Referrer-Policy", "no-referrer");
        return res;
    }

    std::optional<http::response> read_input(call& c) const {
        if (in == input::form) {
            if (!http::parse_form(c.req.body, c.form)) return c.error(400, "bad_form");
            if (!csrf_ok(c.app, c.req, c.form)) return c.error(403, "csrf");
        } else if (in == input::json && !(body_optional && c.req.body.empty())) {
            if (!c.req.header("content-type").starts_with("application/json"))
                return c.error(415, "unsupported_media_type", c.app.texts.text(c.lang(), "error_json_content_type"));
            boost::system::error_code ec;
            auto v = boost::json::parse(c.req.body, ec);
            if (ec || !v.is_object()) return c.error(400, "malformed_json", c.app.texts.text(c.lang(), "error_malformed_json"));
            c.body = std::move(v.get_object());
        }
        return std::nullopt;
    }
};

route::route(application& a, std::string method, std::string pattern) : a_(a), s_(std::make_shared<spec>()) {
    s_->method = std::move(method);
    s_->pattern = std::move(pattern);
}

route& route::allow(access who) {
    s_->who = who;
    s_->declared_access = true;
    return *this;
}

route& route::event_of(std::string param, finder f) {
    s_->object_param = std::move(param);
    s_->find = std::move(f);
    return *this;
}

route& route::link(std::string param, finder f, std::string refusal_code) {
    event_of(std::move(param), std::move(f));
    s_->link_refusal = std::move(refusal_code);
    return *this;
}

route& route::form(std::size_t limit) {
    s_->in = input::form;
    s_->limit = limit ? limit : static_cast<std::size_t>(a_.cfg.server.form_max_bytes);
    return *this;
}

route& route::json(std::size_t limit) {
    s_->in = input::json;
    s_->limit = limit ? limit : static_cast<std::size_t>(a_.cfg.server.json_max_bytes);
    return *this;
}

route& route::json_optional(std::size_t limit) {
    json(limit);
    s_->body_optional = true;
    return *this;
}

route& route::multipart(std::size_t limit) {
    s_->in = input::multipart;
    s_->limit = limit;
    return *this;
}

route& route::stream(std::size_t limit, sink_opener open) {
    s_->in = input::stream;
    s_->limit = limit;
    s_->open = std::move(open);
    return *this;
}

route& route::raw(std::size_t limit) {
    s_->in = input::raw;
    s_->limit = limit;
    return *this;
}

route& route::cached(std::vector<std::string> uses) {
    s_->cache_uses = std::move(uses);
    return *this;
}

route& route::on_workers() {
    s_->where = http::runs::on_workers;
    return *this;
}

void route::handle(handler h) {
    if (!s_->declared_access) throw std::logic_error("route without declared access: " + s_->pattern);
    if (s_->find && s_->object_param.empty()) throw std::logic_error("finder without a parameter: " + s_->pattern);
    if (s_->who == access::personal_link && !s_->find && s_->pattern.find('{') == std::string::npos)
        throw std::logic_error("a personal link needs its token in the path: " + s_->pattern);
    s_->fn = std::move(h);
    auto s = s_;
    auto& a = a_;
    auto run = [s, &a](http::request& req) -> http::response {
        // An anonymous visitor's copy of a public page: it passed these checks when it was
        // rendered, and any commit since (a status change) has dropped it.
        std::string key;
        std::int64_t version = 0;
        if (s->cache_uses && anonymous_request(a, req)) {
            key = page_key(pick_lang(a, req), req, *s->cache_uses);
            if (auto hit = a.cache.get(key)) return *hit;
            version = a.cache.version();
        }
        call c(a, req);
        auto res = s->answer(c);
        if (!key.empty() && res.status == 200 && c.keep) a.cache.put(key, res, version, c.until);
        return res;
    };
    if (s->in == input::stream) {
        auto open = [s, &a](http::request& head) -> http::sink_result {
            call c(a, head);
            if (auto refusal = s->check(c)) return std::move(*refusal);
            return s->open(c);
        };
        a.router.add_streaming(s->method, s->pattern, std::move(open), std::move(run), s->limit);
    } else {
        a.router.add(s->method, s->pattern, std::move(run), s->limit, s->where);
    }
    a.router.describe_last(std::string(to_string(s->who)), std::string(to_string(s->in)));
}

std::string route_table(const application& a) {
    std::string out;
    for (const auto& r : a.router.all()) {
        out += r.method + ' ' + r.pattern + ' ' + (r.access.empty() ? "undeclared" : r.access) + ' ' +
               (r.input.empty() ? "none" : r.input) + ' ' + std::to_string(r.body_limit) + '\n';
    }
    return out;
}

}  // namespace sabor::app

#include "util/clock.hpp"
#include "events/routes.hpp"

#include "app/cached_page.hpp"
#include "app/confirm.hpp"
#include "app/web.hpp"
#include "events/deletion.hpp"
#include "events/repository.hpp"
#include "events/service.hpp"
#include "materials/repository.hpp"
#include "programme/repository.hpp"
#include "programme/routes.hpp"
#include "util/utf8.hpp"

#include <boost/json/parse.hpp>

#include <charconv>
#include <span>
#include <chrono>

namespace sabor::events {
boost::json::object api_event_json(app::application& a, repository& repo, const event& e) {
    auto j = to_json(e, a.cfg.public_base());
    j["availability"] = to_json(availability_of(e, e.id ? repo.confirmed_count(e.id) : 0, util::now_seconds()));
    return j;
}

namespace {

using app::application;
using app::parse_json_object;
using app::query_int;
using app::require_api_user;
using app::to_id;
using app::web_ctx;
namespace json = boost::json;

using util::now_seconds;

// A filter value as typed, or "" when it is not valid UTF-8 (it is echoed into the page).
std::string clean_query(const http::request& req, std::string_view name) {
    auto v = req.query_param(name).value_or("");
    return util::valid_utf8(v) && v.size() <= 200 ? v : std::string{};
}

bool can_manage(repository& repo, const accounts::user& u, const event& e) {
    return u.is_admin() || repo.is_manager(e.id, u.id);
}

json::array options(std::span<const std::string_view> values, std::string_view selected, const view::i18n& texts,
                    const std::string& lang, std::string_view prefix) {
    json::array out;
    for (auto v : values)
        out.push_back(json::object{{"value", v},
                                   {"label", texts.text(lang, std::string(prefix) + std::string(v))},
                                   {"selected", v == selected}});
    return out;
}

// ---- public pages ----

http::response list_page(application& a, http::request& req, bool past) {
    return app::cached_page(a, req, {"city", "kind"}, [&](bool&) {
        auto ctx = app::page_context(a, req);
        list_filter f;
        f.past = past;
        f.now = now_seconds();
        f.city = clean_query(req, "city");
        f.kind = clean_query(req, "kind");
        f.limit = 200;
        auto conn = a.db.acquire();
        repository repo(*conn);
        json::array items;
        for (const auto& e : repo.list_public(f)) items.push_back(to_view(e, a.texts, ctx.lang));
        json::array cities;
        for (const auto& c : repo.public_cities()) cities.push_back(json::object{{"name", c}, {"selected", c == f.city}});
        bool empty = items.empty();
        json::object data{{"title", a.texts.text(ctx.lang, past ? "past_title" : "home_title")},
                          {"events", std::move(items)},
                          {"empty", empty},
                          {"past", past},
                          {"cities", std::move(cities)},
                          {"kinds", options(kinds, f.kind, a.texts, ctx.lang, "kind_")},
                          {"list_path", past ? "/events/past" : "/"}};
        return app::render_page(a, ctx, "events/list", std::move(data));
    });
}

http::response event_page(application& a, http::request& req) {
    auto slug = std::string(req.param("slug"));
    auto render = [&](bool&, std::int64_t& until) -> http::response {
        auto ctx = app::page_context(a, req);
        auto conn = a.db.acquire();
        repository repo(*conn);
        auto e = repo.find_by_slug(slug);
        // Drafts are visible to their managers only, as a preview.
        if (!e || (e->status == "draft" && !(ctx.user && can_manage(repo, *ctx.user, *e))))
            return app::error_response(a, req, 404, "not_found");
        auto view = to_view(*e, a.texts, ctx.lang);
        auto now = now_seconds();
        view["by_invitation"] = e->status == "published" && e->registration_mode == "invitation" && e->ends_at >= now;
        auto av = availability_of(*e, repo.confirmed_count(e->id), now);
        // Full without a waiting list: no "Register" button to a form that would refuse.
        view["registration_open"] = accepting_registrations(*e, now) && av.state != "full";
        view["availability"] = availability_view(av, *e, a.texts, ctx.lang);
        // The "Register" button comes and goes at these times with no commit to mark them.
        for (auto t : {e->registration_opens_at, e->registration_closes_at + 1, e->ends_at + 1})
            if (t > now && (!until || t < until)) until = t;
        view["has_materials"] = materials::repository(*conn).count(e->id) > 0;
        json::object data{{"title", e->title}, {"event", std::move(view)}};
        programme::add_event_page_view(a, *conn, *e, ctx.lang, data);
        if (ctx.user && can_manage(repo, *ctx.user, *e)) data["can_manage"] = true;
        return app::render_page(a, ctx, "events/show", std::move(data));
    };
    return app::cached_page(a, req, {}, render);
}

// ---- organisers' pages ----

http::response to_login(const http::request& req) { return http::response::redirect("/login?next=" + req.path); }

json::object form_data(application& a, web_ctx& ctx, const event& e, const std::map<std::string, std::string>& errors,
                       const http::fields* raw) {
    auto ev = to_view(e, a.texts, ctx.lang);
    if (raw) {
        // Re-show exactly what was typed, including values that did not validate.
        for (const auto& [key, value] : *raw) {
            const auto& k = key;
            // What cannot be shown as text is not shown again; its field carries the error.
            std::string v = util::valid_utf8(value) ? value : std::string{};
            if (!util::valid_utf8(k)) continue;
            if (k == "starts_at") ev["starts_input"] = v;
            else if (k == "ends_at") ev["ends_input"] = v;
            else if (k == "organisers") ev["organisers_text"] = v;
            else if (k == "partners") ev["partners_text"] = v;
            else if (k != "csrf_token") ev[k] = v;
        }
    }
    json::object errs;
    for (const auto& [k, v] : errors) errs[k] = v;
    std::string kind = ev["kind"].is_string() ? std::string(ev["kind"].get_string()) : e.kind;
    std::string mode = ev["registration_mode"].is_string() ? std::string(ev["registration_mode"].get_string()) : e.registration_mode;
    std::string vis = ev["materials_visibility"].is_string() ? std::string(ev["materials_visibility"].get_string()) : e.materials_visibility;
    return json::object{{"event", std::move(ev)},
                        {"errors", std::move(errs)},
                        {"has_errors", !errors.empty()},
                        {"kinds", options(kinds, kind, a.texts, ctx.lang, "kind_")},
                        {"modes", options(registration_modes, mode, a.texts, ctx.lang, "mode_")},
                        {"visibilities", options(visibilities, vis, a.texts, ctx.lang, "visibility_")}};
}

http::response edit_form(application& a, http::request& req, web_ctx& ctx, const event& e, bool is_new,
                         const std::map<std::string, std::string>& errors, const http::fields* raw, int status) {
    app::csrf_token(a, req, ctx);
    auto data = form_data(a, ctx, e, errors, raw);
    data["is_new"] = is_new;
    data["title"] = is_new ? a.texts.text(ctx.lang, "admin_new_event") : e.title;
    data["action"] = is_new ? std::string("/admin/events/new") : "/admin/events/" + std::to_string(e.id);
    // A refused publish or delete comes back here with its reason (only sabor's own keys).
    if (auto why = req.query_param("refused"); why && (*why == "delete_published" || *why == "publish_cancelled"))
        data["warning"] = a.texts.text(ctx.lang, "error_" + *why);
    return app::render_page(a, ctx, "admin/event_form", std::move(data), status);
}

http::response admin_home(application& a, http::request& req) {
    auto ctx = app::page_context(a, req);
    if (!ctx.user) return to_login(req);
    app::csrf_token(a, req, ctx);
    auto conn = a.db.acquire();
    repository repo(*conn);
    json::array items;
    for (const auto& e : repo.list_managed(ctx.user->id, ctx.user->is_admin())) items.push_back(to_view(e, a.texts, ctx.lang));
    bool empty = items.empty();
    json::object data{{"title", a.texts.text(ctx.lang, "admin_title")}, {"events", std::move(items)}, {"empty", empty}};
    if (auto n = req.query_param("notice"); n && (*n == "created" || *n == "saved" || *n == "published" ||
                                                 *n == "cancelled" || *n == "deleted"))
        data["notice"] = a.texts.text(ctx.lang, "notice_" + *n);
    // After a cancellation: how many were told, so the organiser knows the mail went out.
    if (auto told = req.query_param("told"); told && req.query_param("notice") == std::optional<std::string>("cancelled"))
        if (auto n = app::to_id(*told).value_or(0); n > 0 || *told == "0")
            data["notice"] = a.texts.text(ctx.lang, "notice_cancelled_told", {{"count", std::to_string(n)}});
    return app::render_page(a, ctx, "admin/events", std::move(data));
}

// Loads the event named in the path for a signed-in organiser allowed to manage it.
struct managed {
    std::optional<http::response> refusal;
    event e;
};
managed load_managed(application& a, http::request& req, web_ctx& ctx, repository& repo) {
    managed m;
    if (!ctx.user) {
        m.refusal = to_login(req);
        return m;
    }
    auto id = to_id(req.param("id"));
    auto e = id ? repo.find(*id) : std::nullopt;
    if (!e) {
        m.refusal = app::error_response(a, req, 404, "not_found");
        return m;
    }
    if (!can_manage(repo, *ctx.user, *e)) {
        // Someone else's draft does not exist, as in the API.
        bool draft = e->status == "draft";
        m.refusal = app::error_response(a, req, draft ? 404 : 403, draft ? "not_found" : "forbidden");
        return m;
    }
    m.e = std::move(*e);
    return m;
}

http::response admin_save(application& a, http::request& req, bool is_new) {
    auto ctx = app::page_context(a, req);
    if (!ctx.user) return to_login(req);
    http::fields form;
    if (auto refusal = app::read_form(a, req, form)) return *refusal;
    auto conn = a.db.acquire();
    repository repo(*conn);
    event e;
    e.timezone = a.cfg.i18n.timezone;
    if (!is_new) {
        auto m = load_managed(a, req, ctx, repo);
        if (m.refusal) return *m.refusal;
        e = std::move(m.e);
    }
    field_errors errors;
    auto patch = patch_from_form(form, e.timezone, errors);
    apply(e, patch, errors);
    if (!errors.empty()) return edit_form(a, req, ctx, e, is_new, localise(errors, a.texts, ctx.lang), &form, 422);
    storage::transaction tx(*conn);
    if (is_new) repo.insert(e, ctx.user->id);
    else repo.update(e);
    tx.commit();
    return http::response::redirect("/admin?notice=" + std::string(is_new ? "created" : "saved"));
}

// The question before a draft is deleted: its title, and what goes with it.
http::response confirm_delete(application& a, http::request& req, web_ctx& ctx, storage::database& db, const event& e) {
    programme::repository prog(db);
    auto count = [&](const char* key, std::int64_t n) {
        return a.texts.text(ctx.lang, key, {{"count", std::to_string(n)}});
    };
    app::confirmation c;
    c.title = a.texts.text(ctx.lang, "confirm_delete_event_title");
    c.subject = e.title;
    c.points.push_back(a.texts.text(ctx.lang, "confirm_delete_event_what"));
    auto sessions = prog.count_sessions(e.id), talks = prog.count_talks(e.id), speakers = prog.count_speakers(e.id);
    if (sessions + talks + speakers > 0)
        c.points.push_back(a.texts.text(ctx.lang, "confirm_delete_event_programme",
                                        {{"sessions", std::to_string(sessions)},
                                         {"talks", std::to_string(talks)},
                                         {"speakers", std::to_string(speakers)}}));
    if (auto n = materials::repository(db).count(e.id)) c.points.push_back(count("confirm_delete_event_materials", n));
    c.points.push_back(a.texts.text(ctx.lang, "confirm_cannot_undo"));
    c.action = "/admin/events/" + std::to_string(e.id) + "/delete";
    c.confirm_label = a.texts.text(ctx.lang, "confirm_delete_event_yes");
    c.back_url = "/admin/events/" + std::to_string(e.id);
    c.back_label = a.texts.text(ctx.lang, "confirm_keep");
    c.event = to_view(e, a.texts, ctx.lang);
    c.page_is = json::object{{"admin_event_form", true}};
    return app::confirm_page(a, req, ctx, c);
}

http::response admin_action(application& a, http::request& req, std::string_view action) {
    auto ctx = app::page_context(a, req);
    if (!ctx.user) return to_login(req);
    http::fields form;
    if (auto refusal = app::read_form(a, req, form)) return *refusal;
    auto conn = a.db.acquire();
    repository repo(*conn);
    auto m = load_managed(a, req, ctx, repo);
    if (m.refusal) return *m.refusal;
    auto edit_page = "/admin/events/" + std::to_string(m.e.id);
    // Refused: back to the event's page with the reason, not a bare error page.
    if (action == "delete" && m.e.status != "draft") return http::response::redirect(edit_page + "?refused=delete_published");
    if (action == "publish" && m.e.status == "cancelled")
        return http::response::redirect(edit_page + "?refused=publish_cancelled");
    // Deleting asks first, saying what goes with the draft; only the second press deletes.
    if (action == "delete" && !app::confirmed(form)) return confirm_delete(a, req, ctx, *conn, m.e);
    storage::transaction tx(*conn);
    if (action == "delete") {
        draft_deletion deletion(*conn, m.e.id);
        tx.commit();
        deletion.remove_files(a.cfg.storage.data_dir);
    } else {
        repo.set_status(m.e.id, "published");
        tx.commit();
    }
    std::string notice = action == "delete" ? "deleted" : "published";
    return http::response::redirect("/admin?notice=" + notice);
}

// ---- JSON API ----


http::response api_list(application& a, http::request& req) {
    list_filter f;
    f.past = req.query_param("past").value_or("") == "1";
    f.now = now_seconds();
    f.city = clean_query(req, "city");
    f.kind = clean_query(req, "kind");
    f.limit = query_int(req, "limit", 100, 1, 1000);
    f.offset = query_int(req, "offset", 0, 0, 1'000'000'000);
    auto conn = a.db.acquire();
    repository repo(*conn);
    std::int64_t total = 0;
    json::array items;
    for (const auto& e : repo.list_public(f, &total)) items.push_back(api_event_json(a, repo, e));
    return app::json_response(200, json::object{{"items", std::move(items)}, {"total", total}});
}

http::response api_create(application& a, http::request& req) {
    auto auth = require_api_user(a, req);
    if (auth.refusal) return *auth.refusal;
    std::optional<http::response> refusal;
    auto body = parse_json_object(a, req, refusal);
    if (!body) return *refusal;
    field_errors errors;
    event e;
    e.timezone = a.cfg.i18n.timezone;
    auto patch = patch_from_json(*body, errors);
    apply(e, patch, errors);
    if (!errors.empty()) return validation_failed(a, req, errors);
    auto conn = a.db.acquire();
    storage::transaction tx(*conn);
    repository repo(*conn);
    repo.insert(e, auth.user.id);
    tx.commit();
    auto r = app::json_response(201, api_event_json(a, repo, e));
    r.set_header("Location", "/api/v1/events/" + std::to_string(e.id));
    return r;
}

// Finds the event for the API; with `manage`, the caller must be allowed to manage it.
std::optional<event> api_event(application& a, http::request& req, repository& repo, bool manage,
                               std::optional<http::response>& refusal, std::optional<accounts::user>& who) {
    auto lang = app::pick_lang(a, req);
    auto id = to_id(req.param("id"));
    auto e = id ? repo.find(*id) : std::nullopt;
    bool public_ok = e && e->status != "draft";
    if (manage || !public_ok) {
        if (manage) {
            auto auth = require_api_user(a, req);
            if (auth.refusal) {
                refusal = std::move(auth.refusal);
                return std::nullopt;
            }
            who = auth.user;
        } else {
            who = app::request_user(a, req);
        }
        if (!e || !who || !can_manage(repo, *who, *e)) {
            // Someone else's draft does not exist, as far as the caller can tell.
            if (e && who && e->status != "draft" && manage) {
                refusal = app::json_error(403, "forbidden", a.texts.text(lang, "error_forbidden"));
                return std::nullopt;
            }
            refusal = app::error_response(a, req, 404, "not_found");
            return std::nullopt;
        }
    }
    return e;
}

http::response api_get(application& a, http::request& req) {
    auto conn = a.db.acquire();
    repository repo(*conn);
    std::optional<http::response> refusal;
    std::optional<accounts::user> who;
    auto e = api_event(a, req, repo, false, refusal, who);
    if (!e) return *refusal;
    return app::json_response(200, api_event_json(a, repo, *e));
}

http::response api_patch(application& a, http::request& req) {
    auto conn = a.db.acquire();
    repository repo(*conn);
    std::optional<http::response> refusal;
    std::optional<accounts::user> who;
    auto e = api_event(a, req, repo, true, refusal, who);
    if (!e) return *refusal;
    auto body = parse_json_object(a, req, refusal);
    if (!body) return *refusal;
    field_errors errors;
    auto patch = patch_from_json(*body, errors);
    apply(*e, patch, errors);
    if (!errors.empty()) return validation_failed(a, req, errors);
    storage::transaction tx(*conn);
    repo.update(*e);
    tx.commit();
    return app::json_response(200, api_event_json(a, repo, *repo.find(e->id)));
}

http::response api_status(application& a, http::request& req, std::string_view action) {
    auto conn = a.db.acquire();
    repository repo(*conn);
    std::optional<http::response> refusal;
    std::optional<accounts::user> who;
    auto e = api_event(a, req, repo, true, refusal, who);
    if (!e) return *refusal;
    auto lang = app::pick_lang(a, req);
    storage::transaction tx(*conn);
    if (action == "delete") {
        if (e->status != "draft")
            return app::json_error(409, "delete_published", a.texts.text(lang, "error_delete_published"));
        draft_deletion deletion(*conn, e->id);
        tx.commit();
        deletion.remove_files(a.cfg.storage.data_dir);
        http::response r;
        r.status = 204;
        return r;
    }
    if (e->status == "cancelled")  // publish
        return app::json_error(409, "publish_cancelled", a.texts.text(lang, "error_publish_cancelled"));
    repo.set_status(e->id, "published");
    tx.commit();
    return app::json_response(200, api_event_json(a, repo, *repo.find(e->id)));
}

}  // namespace

http::response validation_failed(application& a, const http::request& req, const field_errors& errors) {
    auto lang = app::pick_lang(a, req);
    return app::json_error(422, "validation", a.texts.text(lang, "error_validation"), localise(errors, a.texts, lang));
}

void register_routes(application& a) {
    auto form_limit = static_cast<std::size_t>(a.cfg.server.form_max_bytes);
    auto json_limit = static_cast<std::size_t>(a.cfg.server.json_max_bytes);

    a.metrics.add_gauge("sabor_events_published", "Events published now.", [&a] {
        auto conn = a.db.acquire();
        return static_cast<double>(repository(*conn).count_by_status("published"));
    });

    a.router.get("/", [&a](http::request& req) { return list_page(a, req, false); });
    a.router.get("/events/past", [&a](http::request& req) { return list_page(a, req, true); });
    a.router.get("/events/{slug}", [&a](http::request& req) { return event_page(a, req); });

    a.router.get("/admin", [&a](http::request& req) { return admin_home(a, req); });
    a.router.get("/admin/events/new", [&a](http::request& req) {
        auto ctx = app::page_context(a, req);
        if (!ctx.user) return to_login(req);
        event e;
        e.timezone = a.cfg.i18n.timezone;
        return edit_form(a, req, ctx, e, true, {}, nullptr, 200);
    });
    a.router.post("/admin/events/new", [&a](http::request& req) { return admin_save(a, req, true); }, form_limit);
    a.router.get("/admin/events/{id}", [&a](http::request& req) {
        auto ctx = app::page_context(a, req);
        auto conn = a.db.acquire();
        repository repo(*conn);
        auto m = load_managed(a, req, ctx, repo);
        if (m.refusal) return *m.refusal;
        return edit_form(a, req, ctx, m.e, false, {}, nullptr, 200);
    });
    a.router.post("/admin/events/{id}", [&a](http::request& req) { return admin_save(a, req, false); }, form_limit);
    // Cancelling asks first and tells the registrants: registration/event_cancellation.
    for (std::string action : {"publish", "delete"})
        a.router.post("/admin/events/{id}/" + action, [&a, action](http::request& req) { return admin_action(a, req, action); },
                      form_limit);

    a.router.get("/api/v1/events", [&a](http::request& req) { return api_list(a, req); });
    a.router.post("/api/v1/events", [&a](http::request& req) { return api_create(a, req); }, json_limit);
    a.router.get("/api/v1/events/{id}", [&a](http::request& req) { return api_get(a, req); });
    a.router.add("PATCH", "/api/v1/events/{id}", [&a](http::request& req) { return api_patch(a, req); }, json_limit);
    a.router.add("DELETE", "/api/v1/events/{id}", [&a](http::request& req) { return api_status(a, req, "delete"); });
    a.router.post("/api/v1/events/{id}/publish", [&a](http::request& req) { return api_status(a, req, "publish"); }, 1024);
}

}  // namespace sabor::events

#include "events/routes.hpp"

#include "app/routes.hpp"
#include "app/confirm.hpp"
#include "app/web.hpp"
#include "events/deletion.hpp"
#include "events/repository.hpp"
#include "events/service.hpp"
#include "util/clock.hpp"
#include "util/utf8.hpp"

#include <boost/json/parse.hpp>

#include <charconv>
#include <memory>
#include <span>
#include <chrono>

namespace sabor::events {
boost::json::object api_event_json(app::application& a, repository& repo, const event& e) {
    auto j = to_json(e, a.cfg.public_base());
    j["availability"] = to_json(availability_of(e, e.id ? repo.confirmed_count(e.id) : 0, util::now_seconds()));
    return j;
}

namespace {

using app::access;
using app::application;
using app::call;
using app::query_int;
using app::web_ctx;
namespace json = boost::json;

using util::now_seconds;

// A filter value as typed, or "" when it is not valid UTF-8 (it is echoed into the page).
std::string clean_query(const http::request& req, std::string_view name) {
    auto v = req.query_param(name).value_or("");
    return util::valid_utf8(v) && v.size() <= 200 ? v : std::string{};
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

http::response list_page(call& c, bool past) {
    auto& a = c.app;
    list_filter f;
    f.past = past;
    f.now = now_seconds();
    f.city = clean_query(c.req, "city");
    f.kind = clean_query(c.req, "kind");
    f.limit = 200;
    repository repo(c.db());
    json::array items;
    for (const auto& e : repo.list_public(f)) items.push_back(to_view(e, a.texts, c.lang()));
    json::array cities;
    for (const auto& city : repo.public_cities()) cities.push_back(json::object{{"name", city}, {"selected", city == f.city}});
    bool empty = items.empty();
    json::object data{{"title", a.texts.text(c.lang(), past ? "past_title" : "home_title")},
                      {"events", std::move(items)},
                      {"empty", empty},
                      {"past", past},
                      {"cities", std::move(cities)},
                      {"kinds", options(kinds, f.kind, a.texts, c.lang(), "kind_")},
                      {"list_path", past ? "/events/past" : "/"}};
    return c.page("events/list", std::move(data));
}

http::response home_page(call& c) { return list_page(c, false); }
http::response past_page(call& c) { return list_page(c, true); }

// Drafts reach here for their managers only (access::event_reader), as a preview.
http::response event_page(call& c, const parts& of_event) {
    auto& a = c.app;
    repository repo(c.db());
    auto e = the_event(c);
    auto view = to_view(e, a.texts, c.lang());
    auto now = now_seconds();
    view["by_invitation"] = e.status == event_status::published && e.registration_mode == "invitation" && e.ends_at >= now;
    auto av = availability_of(e, repo.confirmed_count(e.id), now);
    // Full without a waiting list: no "Register" button to a form that would refuse.
    view["registration_open"] = accepting_registrations(e, now) && av.state != availability_state::full;
    view["availability"] = availability_view(av, e, a.texts, c.lang());
    // The "Register" button comes and goes at these times with no commit to mark them.
    for (auto t : {e.registration_opens_at, e.registration_closes_at + 1, e.ends_at + 1})
        if (t > now && (!c.until || t < c.until)) c.until = t;
    json::object data{{"title", e.title}, {"event", std::move(view)}};
    for (const auto& p : of_event) if (p.show) p.show(c, e, data);
    if (c.manages_event()) data["can_manage"] = true;
    return c.page("events/show", std::move(data));
}

// ---- organisers' pages ----

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

http::response edit_form(call& c, const event& e, bool is_new, const std::map<std::string, std::string>& errors,
                         const http::fields* raw, int status) {
    auto& a = c.app;
    app::csrf_token(a, c.req, c.ctx);
    auto data = form_data(a, c.ctx, e, errors, raw);
    data["is_new"] = is_new;
    data["title"] = is_new ? a.texts.text(c.lang(), "admin_new_event") : e.title;
    data["action"] = is_new ? std::string("/admin/events/new") : "/admin/events/" + std::to_string(e.id);
    // A refused publish or delete comes back here with its reason (only sabor's own keys).
    if (auto why = c.req.query_param("refused"); why && (*why == "delete_published" || *why == "publish_cancelled"))
        data["warning"] = a.texts.text(c.lang(), "error_" + *why);
    return c.page("admin/event_form", std::move(data), status);
}

http::response admin_home(call& c) {
    auto& a = c.app;
    const auto& lang = c.lang();
    app::csrf_token(a, c.req, c.ctx);
    repository repo(c.db());
    json::array items;
    for (const auto& e : repo.list_managed(c.user().id, c.user().is_admin())) items.push_back(to_view(e, a.texts, lang));
    bool empty = items.empty();
    json::object data{{"title", a.texts.text(lang, "admin_title")}, {"events", std::move(items)}, {"empty", empty}};
    auto notice = c.req.query_param("notice");
    if (notice && (*notice == "created" || *notice == "saved" || *notice == "published" || *notice == "cancelled" ||
                   *notice == "deleted"))
        data["notice"] = a.texts.text(lang, "notice_" + *notice);
    // After a cancellation: how many were told, so the organiser knows the mail went out.
    if (auto told = c.req.query_param("told"); told && notice == std::optional<std::string>("cancelled"))
        if (auto n = app::to_id(*told).value_or(0); n > 0 || *told == "0")
            data["notice"] = a.texts.text(lang, "notice_cancelled_told", {{"count", std::to_string(n)}});
    return c.page("admin/events", std::move(data));
}

http::response new_form(call& c) {
    event e;
    e.timezone = c.app.cfg.i18n.timezone;
    return edit_form(c, e, true, {}, nullptr, 200);
}

http::response edit_page(call& c) { return edit_form(c, the_event(c), false, {}, nullptr, 200); }

http::response save(call& c, bool is_new) {
    repository repo(c.db());
    event e;
    e.timezone = c.app.cfg.i18n.timezone;
    if (!is_new) e = the_event(c);
    field_errors errors;
    auto patch = patch_from_form(c.form, e.timezone, errors);
    apply(e, patch, errors);
    if (!errors.empty()) return edit_form(c, e, is_new, view::localise(errors, c.app.texts, c.lang()), &c.form, 422);
    storage::transaction tx(c.db());
    if (is_new) repo.insert(e, c.user().id);
    else repo.update(e);
    tx.commit();
    return http::response::redirect("/admin?notice=" + std::string(is_new ? "created" : "saved"));
}

http::response create(call& c) { return save(c, true); }
http::response update(call& c) { return save(c, false); }

// The question before a draft is deleted: its title, and what goes with it.
http::response confirm_delete(call& c, const event& e, const parts& of_event) {
    auto& a = c.app;
    const auto& lang = c.lang();
    app::confirmation q;
    q.title = a.texts.text(lang, "confirm_delete_event_title");
    q.subject = e.title;
    q.points.push_back(a.texts.text(lang, "confirm_delete_event_what"));
    for (const auto& p : of_event)
        if (p.deletion_note)
            if (auto note = p.deletion_note(c, e)) q.points.push_back(std::move(*note));
    q.points.push_back(a.texts.text(lang, "confirm_cannot_undo"));
    q.action = "/admin/events/" + std::to_string(e.id) + "/delete";
    q.confirm_label = a.texts.text(lang, "confirm_delete_event_yes");
    q.back_url = "/admin/events/" + std::to_string(e.id);
    q.back_label = a.texts.text(lang, "confirm_keep");
    q.event = to_view(e, a.texts, lang);
    q.page_is = json::object{{"admin_event_form", true}};
    return app::confirm_page(a, c.req, c.ctx, q);
}

http::response publish(call& c) {
    repository repo(c.db());
    auto e = the_event(c);
    // Refused: back to the event's page with the reason, not a bare error page.
    if (e.status == event_status::cancelled) return http::response::redirect("/admin/events/" + std::to_string(e.id) + "?refused=publish_cancelled");
    storage::transaction tx(c.db());
    repo.set_status(e.id, event_status::published);
    tx.commit();
    return http::response::redirect("/admin?notice=published");
}

http::response remove(call& c, const parts& of_event) {
    auto e = the_event(c);
    if (e.status != event_status::draft) return http::response::redirect("/admin/events/" + std::to_string(e.id) + "?refused=delete_published");
    // Deleting asks first, saying what goes with the draft; only the second press deletes.
    if (!app::confirmed(c.form)) return confirm_delete(c, e, of_event);
    storage::transaction tx(c.db());
    draft_deletion deletion(c.db(), e.id, of_event);
    tx.commit();
    deletion.remove_files(c.app.cfg.storage.data_dir);
    return http::response::redirect("/admin?notice=deleted");
}

// ---- JSON API ----

http::response api_list(call& c) {
    list_filter f;
    f.past = c.req.query_param("past").value_or("") == "1";
    f.now = now_seconds();
    f.city = clean_query(c.req, "city");
    f.kind = clean_query(c.req, "kind");
    f.limit = query_int(c.req, "limit", 100, 1, 1000);
    f.offset = query_int(c.req, "offset", 0, 0, 1'000'000'000);
    repository repo(c.db());
    std::int64_t total = 0;
    json::array items;
    for (const auto& e : repo.list_public(f, &total)) items.push_back(api_event_json(c.app, repo, e));
    return app::json_response(200, json::object{{"items", std::move(items)}, {"total", total}});
}

http::response api_create(call& c) {
    field_errors errors;
    event e;
    e.timezone = c.app.cfg.i18n.timezone;
    auto patch = patch_from_json(c.body, errors);
    apply(e, patch, errors);
    if (!errors.empty()) return app::validation_failed(c.app, c.req, errors);
    storage::transaction tx(c.db());
    repository repo(c.db());
    repo.insert(e, c.user().id);
    tx.commit();
    auto r = app::json_response(201, api_event_json(c.app, repo, e));
    r.set_header("Location", "/api/v1/events/" + std::to_string(e.id));
    return r;
}

http::response api_get(call& c) {
    repository repo(c.db());
    return app::json_response(200, api_event_json(c.app, repo, the_event(c)));
}

http::response api_patch(call& c) {
    repository repo(c.db());
    auto e = the_event(c);
    field_errors errors;
    auto patch = patch_from_json(c.body, errors);
    apply(e, patch, errors);
    if (!errors.empty()) return app::validation_failed(c.app, c.req, errors);
    storage::transaction tx(c.db());
    repo.update(e);
    tx.commit();
    return app::json_response(200, api_event_json(c.app, repo, *repo.find(e.id)));
}

http::response api_delete(call& c, const parts& of_event) {
    repository repo(c.db());
    auto e = the_event(c);
    if (e.status != event_status::draft) return app::json_error(409, "delete_published", c.app.texts.text(c.lang(), "error_delete_published"));
    storage::transaction tx(c.db());
    draft_deletion deletion(c.db(), e.id, of_event);
    tx.commit();
    deletion.remove_files(c.app.cfg.storage.data_dir);
    http::response r;
    r.status = 204;
    return r;
}

http::response api_publish(call& c) {
    repository repo(c.db());
    auto e = the_event(c);
    if (e.status == event_status::cancelled)
        return app::json_error(409, "publish_cancelled", c.app.texts.text(c.lang(), "error_publish_cancelled"));
    storage::transaction tx(c.db());
    repo.set_status(e.id, event_status::published);
    tx.commit();
    return app::json_response(200, api_event_json(c.app, repo, *repo.find(e.id)));
}

}  // namespace

const event& the_event(call& c) {
    if (auto* e = std::any_cast<event>(&c.event)) return *e;
    c.event = repository(c.db()).find(c.event_id).value();
    return *std::any_cast<event>(&c.event);
}

void register_routes(application& a, parts of_event_given) {
    auto of_event = std::make_shared<const parts>(std::move(of_event_given));
    a.events_rules.load = [](storage::database& db, std::int64_t id, std::string_view slug) -> std::optional<app::loaded_event> {
        repository repo(db);
        auto e = slug.empty() ? repo.find(id) : repo.find_by_slug(slug);
        if (!e) return std::nullopt;
        app::event_standing standing{e->id, e->status != event_status::draft};
        return app::loaded_event{standing, std::move(*e)};
    };
    a.events_rules.manages = [](storage::database& db, const accounts::user& u, std::int64_t event_id) {
        return u.is_admin() || repository(db).is_manager(event_id, u.id);
    };
    a.metrics.add_gauge("sabor_events_published", "Events published now.", [&a] {
        auto conn = a.db.acquire();
        return static_cast<double>(repository(*conn).count_by_status(event_status::published));
    });
    using app::route;

    route(a, "GET", "/").allow(access::anyone).cached({"city", "kind"}).handle(home_page);
    route(a, "GET", "/events/past").allow(access::anyone).cached({"city", "kind"}).handle(past_page);
    route(a, "GET", "/events/{slug}").allow(access::event_reader).cached().handle([of_event](call& c) { return event_page(c, *of_event); });

    route(a, "GET", "/admin").allow(access::organiser).handle(admin_home);
    route(a, "GET", "/admin/events/new").allow(access::organiser).handle(new_form);
    route(a, "POST", "/admin/events/new").allow(access::organiser).form().handle(create);
    route(a, "GET", "/admin/events/{id}").allow(access::event_manager).handle(edit_page);
    route(a, "POST", "/admin/events/{id}").allow(access::event_manager).form().handle(update);
    // Cancelling asks first and tells the registrants: registration/event_cancellation.
    route(a, "POST", "/admin/events/{id}/publish").allow(access::event_manager).form().handle(publish);
    route(a, "POST", "/admin/events/{id}/delete").allow(access::event_manager).form().handle([of_event](call& c) { return remove(c, *of_event); });

    route(a, "GET", "/api/v1/events").allow(access::anyone).handle(api_list);
    route(a, "POST", "/api/v1/events").allow(access::organiser).json().handle(api_create);
    route(a, "GET", "/api/v1/events/{id}").allow(access::event_reader).handle(api_get);
    route(a, "PATCH", "/api/v1/events/{id}").allow(access::event_manager).json().handle(api_patch);
    route(a, "DELETE", "/api/v1/events/{id}").allow(access::event_manager).handle([of_event](call& c) {
        return api_delete(c, *of_event);
    });
    route(a, "POST", "/api/v1/events/{id}/publish").allow(access::event_manager).raw(1024).handle(api_publish);
}
}  // namespace sabor::events

#include "materials/routes.hpp"

#include "app/collection.hpp"
#include "app/routes.hpp"
#include "app/web.hpp"
#include "events/repository.hpp"
#include "events/routes.hpp"
#include "events/service.hpp"
#include "http/file_response.hpp"
#include "materials/archive.hpp"
#include "materials/filename.hpp"
#include "materials/repository.hpp"
#include "materials/service.hpp"
#include "materials/store.hpp"
#include "util/clock.hpp"
#include "util/utf8.hpp"
#include "view/dates.hpp"
#include "view/json_fields.hpp"

#include <boost/json.hpp>

namespace sabor::materials {

std::optional<std::int64_t> event_of_material(storage::database& db, std::string_view id) {
    auto n = app::to_id(id);
    return n ? repository(db).event_of(*n) : std::nullopt;
}

std::optional<std::int64_t> event_of_talk(storage::database& db, std::string_view id) {
    auto n = app::to_id(id);
    return n ? repository(db).event_of_talk(*n) : std::nullopt;
}

viewer viewer_of(app::call& c) {
    auto u = c.visitor();
    if (!u && !c.api()) u = app::request_user(c.app, c.req);  // a page knows only the session
    bool organiser = u && c.event_id && c.app.events_rules.manages(c.db(), *u, c.event_id);
    return viewer_of(c.app.secret, organiser, c.req);
}

namespace {

using app::application;
using app::call;
namespace json = boost::json;

upload_options upload_options_of(const application& a) {
    return default_upload_options(a.cfg.storage.data_dir, a.cfg.uploads.max_bytes, a.cfg.uploads.allowed_types);
}

// The 422 answer for fields mapped to message keys (as release_from gives them).
http::response invalid(call& c, const std::map<std::string, std::string>& keys) {
    view::field_errors errors;
    for (const auto& [field, key] : keys) errors[field] = {key, {}};
    return app::validation_failed(c.app, c.req, errors);
}

// ---- JSON API ----

// Opened once the framework let the caller in: the body streams into a temporary file.
http::sink_result open_api_upload(call& c) {
    auto boundary = upload_boundary(c.req);
    if (auto* refusal = std::get_if<boundary_refusal>(&boundary)) return c.error(refusal->status, refusal->code);
    auto opts = upload_options_of(c.app);
    opts.refusal = [&a = c.app](http::request& head, int status, const std::string& code, const upload_result&) {
        return app::error_response(a, head, status, code);
    };
    return std::make_unique<upload_sink>(c.req, std::get<std::string>(boundary), std::move(opts));
}

// The whole body is in; the framework checked the event again (it may have gone meanwhile).
http::response api_upload(call& c, std::optional<std::int64_t> talk_id) {
    auto* sink = http::sink_as<upload_sink>(c.req);
    if (!sink) return c.error(500, "internal");
    const auto& r = sink->result();
    auto title = util::trim(r.title);
    std::map<std::string, std::string> errors;
    if (auto err = title_error(title)) errors["title"] = *err;
    if (!talk_id && !r.talk_id.empty()) {
        // The event's route may attach the file to one of its talks.
        auto t = app::to_id(util::trim(r.talk_id));
        auto talk = t ? repository(c.db()).find_talk(*t) : std::nullopt;
        if (!talk || talk->event_id != c.event_id) errors["talk_id"] = "error_unknown_talk";
        else talk_id = talk->id;
    }
    if (!errors.empty()) return invalid(c, errors);
    auto s = store_upload(c.db(), c.app.cfg.storage.data_dir, *sink, c.event_id, talk_id, title, c.user().id);
    auto res = app::json_response(s.created ? 201 : 200, to_json(s.m, c.app.cfg.public_base()));
    res.set_header("Location", "/api/v1/materials/" + std::to_string(s.m.id));
    return res;
}

http::response api_upload_to_event(call& c) { return api_upload(c, std::nullopt); }
http::response api_upload_to_talk(call& c) { return api_upload(c, c.object_id); }

http::response api_get(call& c) {
    auto m = repository(c.db()).find(c.object_id);
    if (!m) return c.error(404, "not_found");
    return app::json_response(200, to_json(*m, c.app.cfg.public_base()));
}

http::response api_patch(call& c) {
    repository repo(c.db());
    auto m = repo.find(c.object_id);
    if (!m) return c.error(404, "not_found");
    static constexpr view::json_field fields[] = {
        {.name = "title", .type = view::json_type::text},
        {.name = "talk_id", .type = view::json_type::integer, .nullable = true, .error = "error_unknown_talk"},
    };
    view::field_errors errors;
    view::json_fields in(c.body, fields, errors);
    std::string title = m->title;
    auto talk_id = m->talk_id;
    if (auto t = in.text("title")) {
        title = util::trim(*t);
        if (auto err = title_error(title)) errors["title"] = {*err, {}};
    }
    if (in.is_null("talk_id")) {
        talk_id.reset();
    } else if (auto id = in.integer("talk_id")) {
        auto t = *id > 0 ? repo.find_talk(*id) : std::nullopt;
        if (!t || t->event_id != c.event_id) errors["talk_id"] = {"error_unknown_talk", {}};
        else talk_id = t->id;
    }
    if (!errors.empty()) return app::validation_failed(c.app, c.req, errors);
    storage::transaction tx(c.db());
    repo.update(m->id, title, talk_id);
    tx.commit();
    return app::json_response(200, to_json(*repo.find(m->id), c.app.cfg.public_base()));
}

http::response api_delete(call& c) {
    auto m = repository(c.db()).find(c.object_id);
    if (!m) return c.error(404, "not_found");
    delete_material(c.db(), c.app.cfg.storage.data_dir, *m);
    http::response r;
    r.status = 204;
    return r;
}

http::response api_list(call& c) {
    auto base = c.app.cfg.public_base();
    return app::collection(c.req, repository(c.db()).list(c.event_id), [&](const material& m) { return to_json(m, base); });
}

http::response api_settings(call& c) {
    auto e = events::the_event(c);
    return app::json_response(200, release_json(repository(c.db()).release(e.id), e));
}

http::response api_settings_patch(call& c) {
    auto e = events::the_event(c);
    repository repo(c.db());
    auto s = repo.release(e.id);
    static constexpr view::json_field fields[] = {
        {.name = "materials_visibility", .type = view::json_type::text},
        {.name = "materials_release_at", .type = view::json_type::text, .nullable = true},
    };
    view::field_errors errors;
    view::json_fields in(c.body, fields, errors);
    std::string visibility = in.text("materials_visibility").value_or(s.visibility);
    std::string release_at = in.is_null("materials_release_at") ? std::string{}
                                                                 : in.text("materials_release_at").value_or(s.release_at);
    if (!errors.empty()) return app::validation_failed(c.app, c.req, errors);
    std::map<std::string, std::string> refused;
    s = release_from(visibility, release_at, "", refused);
    if (!refused.empty()) return invalid(c, refused);
    storage::transaction tx(c.db());
    repo.set_release(e.id, s);
    tx.commit();
    return app::json_response(200, release_json(s, e));
}

http::response api_announce(call& c) {
    std::string audience = "registered";
    if (auto* v = c.body.if_contains("audience")) {
        if (!v->is_string() || (v->get_string() != "registered" && v->get_string() != "attendees"))
            return invalid(c, {{"audience", "error_unknown_value"}});
        audience = std::string(v->get_string());
    }
    storage::transaction tx(c.db());
    auto e = events::the_event(c);
    repository repo(c.db());
    if (repo.list(e.id).empty()) return c.error(409, "no_materials");
    if (!audience_may_download(e, repo.release(e.id), audience == "attendees", util::now_seconds()))
        return c.error(409, "materials_not_for_audience");
    announce_context ac{c.db(), c.app.mail, c.app.cfg.public_base(), c.app.secret};
    auto r = announce(ac, e, audience == "attendees");
    tx.commit();
    return app::json_response(202, json::object{{"queued", r.queued},
                                                {"suppressed", r.suppressed},
                                                {"skipped_recent", r.skipped_recent},
                                                {"audience", audience}});
}

// ---- downloads ----

http::response download(call& c) {
    repository repo(c.db());
    auto m = repo.find(c.object_id);
    auto e = events::repository(c.db()).find(c.event_id);
    if (!m || !e) return c.error(404, "not_found");
    auto d = download_access(c.db(), *e, viewer_of(c), util::now_seconds());
    // One answer for "no such file" and "not for you": ids tell nothing.
    if (d.decision != access::allowed) return c.error(404, "not_found");
    if (c.req.param("filename") != m->filename) {
        // An old or mistyped name: the address the material has now (with the key only when
        // it is a valid one: nothing else from the request goes into the answer).
        auto r = http::response::redirect(download_path(*m, d.who.key), 301);
        r.set_header("Cache-Control", "no-store");
        return r;
    }
    http::file_meta meta;
    meta.content_type = m->content_type;
    meta.content_disposition = content_disposition(m->filename);
    meta.etag = "\"" + m->sha256.substr(0, 32) + "\"";
    meta.last_modified = view::parse_iso8601(m->created_at).value_or(-1);
    // Caches ask again each time (a cheap 304): visibility may change; never shared when restricted.
    meta.cache_control =
        d.setting.visibility == "public" && release_time(d.setting, *e) == 0 ? "public, no-cache" : "private, no-cache";
    auto res = http::serve_file(c.req, (store_dir(c.app.cfg.storage.data_dir) / m->stored_name).string(), meta);
    if (res.status == 404) return c.error(404, "not_found");
    if (d.who.registration_id) res.set_header("Referrer-Policy", "no-referrer");  // the key is in the address
    return res;
}

http::response archive(call& c) {
    auto e = events::the_event(c);
    auto d = download_access(c.db(), e, viewer_of(c), util::now_seconds());
    if (d.decision != access::allowed) return c.error(404, "not_found");
    std::vector<zip_member> members;
    for (const auto& m : repository(c.db()).list(e.id))
        members.push_back({m.filename, store_dir(c.app.cfg.storage.data_dir) / m.stored_name,
                           view::parse_iso8601(m.created_at).value_or(0)});
    if (members.empty()) return c.error(404, "not_found");
    http::response res;
    res.set_header("Content-Type", "application/zip");
    res.set_header("Content-Disposition", content_disposition(e.slug + "-materials.zip"));
    res.set_header("Cache-Control", "private, no-store");
    if (d.who.registration_id) res.set_header("Referrer-Policy", "no-referrer");
    res.stream = std::make_shared<zip_stream>(std::move(members));
    return res;
}

// The page is there for everyone who may see the event; what it lists is download_access's.
http::response list_page(call& c) {
    auto& a = c.app;
    const auto& lang = c.lang();
    auto e = events::the_event(c);
    repository repo(c.db());
    auto d = download_access(c.db(), e, viewer_of(c), util::now_seconds());
    const auto& key = d.who.key;
    json::object data{{"title", a.texts.text(lang, "materials_title") + ": " + e.title},
                      {"event", events::to_view(e, a.texts, lang)}};
    if (d.decision == access::allowed) {
        json::array items;
        bool in_programme = false;
        for (const auto& m : repo.list(e.id)) {
            in_programme = in_programme || m.talk_id.has_value();
            items.push_back(json::object{{"title", m.title.empty() ? m.filename : m.title},
                                         {"filename", m.filename},
                                         {"url", download_path(m, key)},
                                         {"talk_title", m.talk_title},
                                         {"type", type_label(m.content_type)},
                                         {"size", size_label(m.size, lang)}});
        }
        // Talks' files are also at their talks in the programme: say so, with the same key.
        if (in_programme)
            data["programme_url"] = "/events/" + e.slug + "/programme" + (key.empty() ? "" : "?key=" + key);
        data["empty"] = items.empty();
        data["has_items"] = !items.empty();
        data["items"] = std::move(items);
        data["archive_url"] = "/events/" + e.slug + "/materials.zip" + (key.empty() ? "" : "?key=" + key);
    } else {
        std::string note = d.decision == access::not_yet            ? "materials_not_yet"
                           : d.decision == access::needs_registration ? "materials_for_registered"
                           : d.decision == access::needs_attendance   ? "materials_for_attendees"
                                                                      : "materials_for_organisers";
        std::string text = a.texts.text(lang, note);
        if (d.decision == access::not_yet)
            text += " " + view::format_date_time(release_time(d.setting, e), e.timezone, lang);
        data["note"] = text;
    }
    if (d.who.organiser) data["manage_url"] = "/admin/events/" + std::to_string(e.id) + "/materials";
    auto res = c.page("materials/list", std::move(data));
    res.set_header("Cache-Control", "no-store");
    if (d.who.registration_id) res.set_header("Referrer-Policy", "no-referrer");
    return res;
}

}  // namespace

events::part event_part() {
    events::part p;
    p.show = [](call& c, const events::event& e, json::object& page) {
        page["event"].as_object()["has_materials"] = repository(c.db()).count(e.id) > 0;
    };
    p.deletion_note = [](call& c, const events::event& e) -> std::optional<std::string> {
        auto n = repository(c.db()).count(e.id);
        if (n == 0) return std::nullopt;
        return c.app.texts.text(c.lang(), "confirm_delete_event_materials", {{"count", std::to_string(n)}});
    };
    p.files = [](storage::database& db, std::int64_t event_id) -> std::function<void(const std::string&)> {
        return [files = event_files(db, event_id)](const std::string& data_dir) { remove_stored(data_dir, files); };
    };
    return p;
}

registration::personal_part personal_part() {
    registration::personal_part p;
    p.show = [](call& c, const events::event& e, const registration::registration& r, json::object& page) {
        add_personal_view(c.db(), c.app.texts, e, registrant(c.app.secret, r.id), c.lang(), util::now_seconds(), page);
    };
    return p;
}

void register_routes(application& a) {
    {
        auto conn = a.db.acquire();
        prepare_store(a.cfg.storage.data_dir, *conn);
    }
    using app::route;
    using who = app::access;
    auto upload_limit = upload_body_limit(a.cfg.uploads.max_bytes);

    route(a, "POST", "/api/v1/events/{id}/materials").allow(who::event_manager).stream(upload_limit, open_api_upload)
        .handle(api_upload_to_event);
    route(a, "POST", "/api/v1/talks/{id}/materials").allow(who::event_manager).event_of("id", event_of_talk)
        .stream(upload_limit, open_api_upload).handle(api_upload_to_talk);
    route(a, "GET", "/api/v1/events/{id}/materials").allow(who::event_manager).handle(api_list);
    route(a, "GET", "/api/v1/events/{id}/materials/settings").allow(who::event_manager).handle(api_settings);
    route(a, "PATCH", "/api/v1/events/{id}/materials/settings").allow(who::event_manager).json().handle(api_settings_patch);
    route(a, "POST", "/api/v1/events/{id}/materials/announce").allow(who::event_manager).json().handle(api_announce);
    route(a, "GET", "/api/v1/materials/{id}").allow(who::event_manager).event_of("id", event_of_material).handle(api_get);
    route(a, "PATCH", "/api/v1/materials/{id}").allow(who::event_manager).event_of("id", event_of_material).json()
        .handle(api_patch);
    route(a, "DELETE", "/api/v1/materials/{id}").allow(who::event_manager).event_of("id", event_of_material)
        .handle(api_delete);

    // Downloads: event_reader is the framework's part (a draft is its managers' alone); the
    // event's materials visibility (public, registrants with a key, attendees, organisers)
    // and release time apply in the handler: materials::download_access (materials/access).
    route(a, "GET", "/materials/{id}/{filename}").allow(who::event_reader).event_of("id", event_of_material)
        .handle(download);
    route(a, "GET", "/events/{slug}/materials").allow(who::event_reader).handle(list_page);
    route(a, "GET", "/events/{slug}/materials.zip").allow(who::event_reader).handle(archive);

    register_admin_routes(a);
}

}  // namespace sabor::materials

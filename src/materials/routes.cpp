#include "materials/routes.hpp"

#include "app/collection.hpp"
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
#include "registration/admin.hpp"
#include "util/clock.hpp"
#include "util/utf8.hpp"
#include "view/dates.hpp"

#include <boost/json.hpp>

namespace sabor::materials {
namespace {

using app::application;
namespace json = boost::json;

http::response api_error(application& a, const http::request& req, int status, const std::string& code) {
    return app::json_error(status, code, a.texts.text(app::pick_lang(a, req), "error_" + code));
}

// The 422 answer for fields mapped to message keys (as release_from gives them).
http::response invalid(application& a, const http::request& req, const std::map<std::string, std::string>& keys) {
    events::field_errors errors;
    for (const auto& [field, key] : keys) errors[field] = {key, {}};
    return events::validation_failed(a, req, errors);
}

// Where an API upload goes: the event (and talk) in the path, managed by the caller.
struct upload_place {
    std::optional<http::response> refusal;
    events::event e;
    std::optional<std::int64_t> talk_id;
    accounts::user user;
};

upload_place api_place(application& a, http::request& req, bool talk_route) {
    upload_place p;
    auto auth = app::require_api_user(a, req);
    if (auth.refusal) {
        p.refusal = std::move(auth.refusal);
        return p;
    }
    p.user = auth.user;
    auto conn = a.db.acquire();
    auto id = app::to_id(req.param("id"));
    std::optional<std::int64_t> event_id = id;
    if (talk_route) {
        auto t = id ? repository(*conn).find_talk(*id) : std::nullopt;
        event_id = t ? std::optional<std::int64_t>(t->event_id) : std::nullopt;
        if (t) p.talk_id = t->id;
    }
    // Someone else's event or talk does not exist, as far as the caller can tell.
    auto e = registration::event_managed_by(*conn, auth.user, event_id);
    if (!e) {
        p.refusal = api_error(a, req, 404, "not_found");
        return p;
    }
    p.e = std::move(*e);
    return p;
}

http::sink_result open_api_upload(application& a, http::request& head, bool talk_route) {
    auto p = api_place(a, head, talk_route);
    if (p.refusal) return std::move(*p.refusal);
    auto boundary = upload_boundary(a, head);
    if (auto* refusal = std::get_if<http::response>(&boundary)) return std::move(*refusal);
    return std::make_unique<upload_sink>(a, head, std::get<std::string>(boundary), default_upload_options(a.cfg));
}

http::response api_upload(application& a, http::request& req, bool talk_route) {
    auto* sink = http::sink_as<upload_sink>(req);
    if (!sink) return api_error(a, req, 500, "internal");
    auto p = api_place(a, req, talk_route);  // again: the event may have gone while the body came
    if (p.refusal) return *p.refusal;
    const auto& r = sink->result();
    auto title = util::trim(r.title);
    std::map<std::string, std::string> errors;
    if (auto err = title_error(title)) errors["title"] = *err;
    auto conn = a.db.acquire();
    if (!talk_route && !r.talk_id.empty()) {
        // The event's route may attach the file to one of its talks.
        auto t = app::to_id(util::trim(r.talk_id));
        auto talk = t ? repository(*conn).find_talk(*t) : std::nullopt;
        if (!talk || talk->event_id != p.e.id) errors["talk_id"] = "error_unknown_talk";
        else p.talk_id = talk->id;
    }
    if (!errors.empty()) return invalid(a, req, errors);
    auto s = store_upload(a, *conn, *sink, p.e.id, p.talk_id, title, p.user.id);
    auto res = app::json_response(s.created ? 201 : 200, to_json(s.m, a.cfg.public_base()));
    res.set_header("Location", "/api/v1/materials/" + std::to_string(s.m.id));
    return res;
}

// The material in the path, when the caller manages its event.
struct managed_material {
    std::optional<http::response> refusal;
    material m;
    events::event e;
};

managed_material api_material(application& a, http::request& req, storage::database& db) {
    managed_material mm;
    auto auth = app::require_api_user(a, req);
    if (auth.refusal) {
        mm.refusal = std::move(auth.refusal);
        return mm;
    }
    auto id = app::to_id(req.param("id"));
    auto m = id ? repository(db).find(*id) : std::nullopt;
    auto e = m ? registration::event_managed_by(db, auth.user, m->event_id) : std::nullopt;
    if (!m || !e) {
        mm.refusal = api_error(a, req, 404, "not_found");
        return mm;
    }
    mm.m = std::move(*m);
    mm.e = std::move(*e);
    return mm;
}

http::response api_patch(application& a, http::request& req) {
    auto conn = a.db.acquire();
    auto mm = api_material(a, req, *conn);
    if (mm.refusal) return *mm.refusal;
    std::optional<http::response> refusal;
    auto body = app::parse_json_object(a, req, refusal);
    if (!body) return *refusal;
    std::map<std::string, std::string> errors;
    std::string title = mm.m.title;
    auto talk_id = mm.m.talk_id;
    repository repo(*conn);
    for (const auto& [key, value] : *body) {
        if (key == "title") {
            if (!value.is_string()) errors["title"] = "error_must_be_text";
            else title = util::trim(std::string(value.get_string()));
            if (auto err = title_error(title); err && !errors.count("title")) errors["title"] = *err;
        } else if (key == "talk_id") {
            if (value.is_null()) {
                talk_id.reset();
            } else if (value.is_int64() && value.get_int64() > 0) {
                auto t = repo.find_talk(value.get_int64());
                if (!t || t->event_id != mm.e.id) errors["talk_id"] = "error_unknown_talk";
                else talk_id = t->id;
            } else {
                errors["talk_id"] = "error_unknown_talk";
            }
        } else {
            errors[util::valid_utf8(key) ? std::string(key) : std::string("?")] = "error_unknown_field";
        }
    }
    if (!errors.empty()) return invalid(a, req, errors);
    storage::transaction tx(*conn);
    repo.update(mm.m.id, title, talk_id);
    tx.commit();
    return app::json_response(200, to_json(*repo.find(mm.m.id), a.cfg.public_base()));
}

http::response api_list(application& a, http::request& req) {
    auto auth = app::require_api_user(a, req);
    if (auth.refusal) return *auth.refusal;
    auto conn = a.db.acquire();
    auto e = registration::event_in_path(*conn, auth.user, req);
    if (!e) return api_error(a, req, 404, "not_found");
    auto base = a.cfg.public_base();
    return app::collection(req, repository(*conn).list(e->id), [&](const material& m) { return to_json(m, base); });
}

http::response api_settings(application& a, http::request& req, bool change) {
    auto auth = app::require_api_user(a, req);
    if (auth.refusal) return *auth.refusal;
    auto conn = a.db.acquire();
    auto e = registration::event_in_path(*conn, auth.user, req);
    if (!e) return api_error(a, req, 404, "not_found");
    repository repo(*conn);
    auto s = repo.release(e->id);
    if (change) {
        std::optional<http::response> refusal;
        auto body = app::parse_json_object(a, req, refusal);
        if (!body) return *refusal;
        std::map<std::string, std::string> errors;
        std::string visibility = s.visibility, release_at = s.release_at;
        for (const auto& [key, value] : *body) {
            std::string k(key);
            if (k != "materials_visibility" && k != "materials_release_at") {
                errors[util::valid_utf8(k) ? k : std::string("?")] = "error_unknown_field";
            } else if (k == "materials_release_at" && value.is_null()) {
                release_at.clear();
            } else if (!value.is_string()) {
                errors[k] = "error_must_be_text";
            } else {
                (k == "materials_visibility" ? visibility : release_at) = std::string(value.get_string());
            }
        }
        if (errors.empty()) s = release_from(visibility, release_at, "", errors);
        if (!errors.empty()) return invalid(a, req, errors);
        storage::transaction tx(*conn);
        repo.set_release(e->id, s);
        tx.commit();
    }
    return app::json_response(200, release_json(s, *e));
}

http::response api_announce(application& a, http::request& req) {
    app::api_auth auth;
    boost::json::object body;
    if (auto refusal = app::read_api_write(a, req, auth, body)) return *refusal;
    std::string audience = "registered";
    if (auto* v = body.if_contains("audience")) {
        if (!v->is_string() || (v->get_string() != "registered" && v->get_string() != "attendees"))
            return invalid(a, req, {{"audience", "error_unknown_value"}});
        audience = std::string(v->get_string());
    }
    auto conn = a.db.acquire();
    storage::transaction tx(*conn);
    auto e = registration::event_in_path(*conn, auth.user, req);
    if (!e) return api_error(a, req, 404, "not_found");
    if (repository(*conn).list(e->id).empty()) return api_error(a, req, 409, "no_materials");
    if (!audience_may_download(*e, repository(*conn).release(e->id), audience == "attendees", util::now_seconds()))
        return api_error(a, req, 409, "materials_not_for_audience");
    auto r = announce(a, *conn, *e, audience == "attendees");
    tx.commit();
    return app::json_response(202, json::object{{"queued", r.queued},
                                                {"suppressed", r.suppressed},
                                                {"skipped_recent", r.skipped_recent},
                                                {"audience", audience}});
}

// ---- downloads ----

http::response download(application& a, http::request& req) {
    auto id = app::to_id(req.param("id"));
    auto conn = a.db.acquire();
    repository repo(*conn);
    auto m = id ? repo.find(*id) : std::nullopt;
    auto e = m ? events::repository(*conn).find(m->event_id) : std::nullopt;
    // One answer for "no such file" and "not for you": ids tell nothing.
    if (!m || !e) return app::error_response(a, req, 404, "not_found");
    auto setting = repo.release(e->id);
    auto v = viewer_of(a, *conn, req, *e);
    if (decide(*conn, *e, setting, v, util::now_seconds()) != access::allowed)
        return app::error_response(a, req, 404, "not_found");
    if (req.param("filename") != m->filename) {
        // An old or mistyped name: the address the material has now (with the key only when
        // it is a valid one: nothing else from the request goes into the answer).
        auto r = http::response::redirect(download_path(*m, v.registration_id ? key_of(req) : std::string{}), 301);
        r.set_header("Cache-Control", "no-store");
        return r;
    }
    http::file_meta meta;
    meta.content_type = m->content_type;
    meta.content_disposition = content_disposition(m->filename);
    meta.etag = "\"" + m->sha256.substr(0, 32) + "\"";
    meta.last_modified = view::parse_iso8601(m->created_at).value_or(-1);
    // Caches ask again each time (a cheap 304): visibility may change; never shared when restricted.
    meta.cache_control = setting.visibility == "public" && release_time(setting, *e) == 0 ? "public, no-cache" : "private, no-cache";
    auto res = http::serve_file(req, (store_dir(a.cfg.storage.data_dir) / m->stored_name).string(), meta);
    if (res.status == 404) return app::error_response(a, req, 404, "not_found");
    if (v.registration_id) res.set_header("Referrer-Policy", "no-referrer");  // the key is in the address
    return res;
}

std::optional<events::event> public_event(storage::database& db, std::string_view slug) {
    return events::repository(db).find_by_slug(slug);
}

http::response archive(application& a, http::request& req) {
    auto conn = a.db.acquire();
    auto e = public_event(*conn, req.param("slug"));
    if (!e) return app::error_response(a, req, 404, "not_found");
    repository repo(*conn);
    auto v = viewer_of(a, *conn, req, *e);
    if (decide(*conn, *e, repo.release(e->id), v, util::now_seconds()) != access::allowed)
        return app::error_response(a, req, 404, "not_found");
    std::vector<zip_member> members;
    for (const auto& m : repo.list(e->id))
        members.push_back({m.filename, store_dir(a.cfg.storage.data_dir) / m.stored_name,
                           view::parse_iso8601(m.created_at).value_or(0)});
    if (members.empty()) return app::error_response(a, req, 404, "not_found");
    http::response res;
    res.set_header("Content-Type", "application/zip");
    res.set_header("Content-Disposition", content_disposition(e->slug + "-materials.zip"));
    res.set_header("Cache-Control", "private, no-store");
    if (v.registration_id) res.set_header("Referrer-Policy", "no-referrer");
    res.stream = std::make_shared<zip_stream>(std::move(members));
    return res;
}

http::response list_page(application& a, http::request& req) {
    auto ctx = app::page_context(a, req);
    auto conn = a.db.acquire();
    auto e = public_event(*conn, req.param("slug"));
    auto v = e ? viewer_of(a, *conn, req, *e) : viewer{};
    if (!e || (e->status == "draft" && !v.organiser)) return app::error_response(a, req, 404, "not_found");
    repository repo(*conn);
    auto setting = repo.release(e->id);
    auto decision = decide(*conn, *e, setting, v, util::now_seconds());
    auto key = v.registration_id ? key_of(req) : std::string{};
    json::object data{{"title", a.texts.text(ctx.lang, "materials_title") + ": " + e->title},
                      {"event", events::to_view(*e, a.texts, ctx.lang)}};
    if (decision == access::allowed) {
        json::array items;
        bool in_programme = false;
        for (const auto& m : repo.list(e->id)) {
            in_programme = in_programme || m.talk_id.has_value();
            items.push_back(json::object{{"title", m.title.empty() ? m.filename : m.title},
                                         {"filename", m.filename},
                                         {"url", download_path(m, key)},
                                         {"talk_title", m.talk_title},
                                         {"type", type_label(m.content_type)},
                                         {"size", size_label(m.size, ctx.lang)}});
        }
        // Talks' files are also at their talks in the programme: say so, with the same key.
        if (in_programme)
            data["programme_url"] = "/events/" + e->slug + "/programme" + (key.empty() ? "" : "?key=" + key);
        data["empty"] = items.empty();
        data["has_items"] = !items.empty();
        data["items"] = std::move(items);
        data["archive_url"] = "/events/" + e->slug + "/materials.zip" + (key.empty() ? "" : "?key=" + key);
    } else {
        std::string note = decision == access::not_yet            ? "materials_not_yet"
                           : decision == access::needs_registration ? "materials_for_registered"
                           : decision == access::needs_attendance   ? "materials_for_attendees"
                                                                    : "materials_for_organisers";
        std::string text = a.texts.text(ctx.lang, note);
        if (decision == access::not_yet)
            text += " " + view::format_date_time(release_time(setting, *e), e->timezone, ctx.lang);
        data["note"] = text;
    }
    if (v.organiser) data["manage_url"] = "/admin/events/" + std::to_string(e->id) + "/materials";
    auto res = app::render_page(a, ctx, "materials/list", std::move(data));
    res.set_header("Cache-Control", "no-store");
    if (v.registration_id) res.set_header("Referrer-Policy", "no-referrer");
    return res;
}

}  // namespace

void register_routes(application& a) {
    {
        auto conn = a.db.acquire();
        prepare_store(a.cfg.storage.data_dir, *conn);
    }
    auto json_limit = static_cast<std::size_t>(a.cfg.server.json_max_bytes);

    for (bool talk_route : {false, true}) {
        std::string path = talk_route ? "/api/v1/talks/{id}/materials" : "/api/v1/events/{id}/materials";
        a.router.add_streaming(
            "POST", path, [&a, talk_route](http::request& head) { return open_api_upload(a, head, talk_route); },
            [&a, talk_route](http::request& req) { return api_upload(a, req, talk_route); }, upload_body_limit(a.cfg));
    }
    a.router.get("/api/v1/events/{id}/materials", [&a](http::request& req) { return api_list(a, req); });
    a.router.get("/api/v1/events/{id}/materials/settings", [&a](http::request& req) { return api_settings(a, req, false); });
    a.router.add("PATCH", "/api/v1/events/{id}/materials/settings",
                 [&a](http::request& req) { return api_settings(a, req, true); }, json_limit);
    a.router.post("/api/v1/events/{id}/materials/announce", [&a](http::request& req) { return api_announce(a, req); },
                  json_limit);
    a.router.get("/api/v1/materials/{id}", [&a](http::request& req) {
        auto conn = a.db.acquire();
        auto mm = api_material(a, req, *conn);
        if (mm.refusal) return *mm.refusal;
        return app::json_response(200, to_json(mm.m, a.cfg.public_base()));
    });
    a.router.add("PATCH", "/api/v1/materials/{id}", [&a](http::request& req) { return api_patch(a, req); }, json_limit);
    a.router.add("DELETE", "/api/v1/materials/{id}", [&a](http::request& req) {
        auto conn = a.db.acquire();
        auto mm = api_material(a, req, *conn);
        if (mm.refusal) return *mm.refusal;
        delete_material(a, *conn, mm.m);
        http::response r;
        r.status = 204;
        return r;
    });

    a.router.get("/materials/{id}/{filename}", [&a](http::request& req) { return download(a, req); });
    a.router.get("/events/{slug}/materials", [&a](http::request& req) { return list_page(a, req); });
    a.router.get("/events/{slug}/materials.zip", [&a](http::request& req) { return archive(a, req); });

    register_admin_routes(a);
}

}  // namespace sabor::materials

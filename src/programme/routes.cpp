#include "programme/routes.hpp"

#include "app/app.hpp"
#include "app/cached_page.hpp"
#include "app/collection.hpp"
#include "app/web.hpp"
#include "events/repository.hpp"
#include "events/routes.hpp"
#include "events/service.hpp"
#include "http/file_response.hpp"
#include "materials/service.hpp"
#include "programme/photos.hpp"
#include "programme/repository.hpp"
#include "programme/service.hpp"
#include "programme/talk_order.hpp"
#include "registration/ics.hpp"
#include "util/clock.hpp"

#include <functional>
#include <type_traits>

namespace sabor::programme {
namespace {

using app::application;
namespace json = boost::json;

bool manages(storage::database& db, const accounts::user& u, const events::event& e) {
    return u.is_admin() || events::repository(db).is_manager(e.id, u.id);
}

// The event behind an API request, or the answer to give. Writes need a Bearer token of one
// of its organisers (someone else's published event: 403; draft: 404, its existence is not
// told). Reads: published and cancelled events for anyone, drafts for their organisers.
struct api_access {
    std::optional<http::response> refusal;
    events::event e;
    bool manager = false;
    json::object body;  // a write's JSON body, once read
};
api_access access_event(application& a, http::request& req, storage::database& db, std::optional<std::int64_t> event_id,
                        bool write) {
    api_access r;
    auto lang = app::pick_lang(a, req);
    std::optional<accounts::user> who;
    if (write) {
        auto auth = app::require_api_user(a, req);
        if (auth.refusal) {
            r.refusal = std::move(auth.refusal);
            return r;
        }
        who = auth.user;
    } else {
        who = app::request_user(a, req);
    }
    auto e = event_id ? events::repository(db).find(*event_id) : std::nullopt;
    if (!e) {
        r.refusal = app::error_response(a, req, 404, "not_found");
        return r;
    }
    r.manager = who && manages(db, *who, *e);
    if (!r.manager && (write || e->status == "draft")) {
        if (write && e->status != "draft") r.refusal = app::json_error(403, "forbidden", a.texts.text(lang, "error_forbidden"));
        else r.refusal = app::error_response(a, req, 404, "not_found");
        return r;
    }
    r.e = std::move(*e);
    return r;
}

// Reads a write's JSON body into `acc.body`; false with `acc.refusal` set when it is not one.
bool read_body(application& a, http::request& req, api_access& acc) {
    auto body = app::parse_json_object(a, req, acc.refusal);
    if (body) acc.body = std::move(*body);
    return body.has_value();
}

// A write to the event in the path (POST .../speakers, /sessions, /talks): its access and body.
api_access event_write(application& a, http::request& req, storage::database& db) {
    auto acc = access_event(a, req, db, app::to_id(req.param("id")), true);
    if (!acc.refusal) read_body(a, req, acc);
    return acc;
}

http::response not_found(application& a, http::request& req) {
    return app::json_error(404, "not_found", a.texts.text(app::pick_lang(a, req), "error_not_found"));
}

using events::validation_failed;

http::response created(json::object body, const std::string& location) {
    auto r = app::json_response(201, body);
    r.set_header("Location", location);
    return r;
}

http::response no_content() {
    http::response r;
    r.status = 204;
    return r;
}

// ---- speakers ----

http::response api_speaker_create(application& a, http::request& req) {
    auto conn = a.db.acquire();
    auto acc = event_write(a, req, *conn);
    if (acc.refusal) return *acc.refusal;
    field_errors errors;
    speaker s;
    s.event_id = acc.e.id;
    apply(s, speaker_from_json(acc.body, errors), errors);
    if (!errors.empty()) return validation_failed(a, req, errors);
    storage::transaction tx(*conn);
    repository(*conn).insert(s);
    tx.commit();
    return created(to_json(s, true), "/api/v1/speakers/" + std::to_string(s.id));
}

// The speaker (session, talk) named in the path with access to its event.
template <typename T, typename Find>
std::optional<T> find_item(application& a, http::request& req, storage::database& db, Find find, bool write,
                           api_access& acc) {
    auto id = app::to_id(req.param("id"));
    auto item = id ? find(*id) : std::nullopt;
    if (!item) {
        // Same answers as for an event: a write without a token is told so first.
        if (write) {
            auto auth = app::require_api_user(a, req);
            acc.refusal = auth.refusal ? std::move(auth.refusal) : std::optional<http::response>(not_found(a, req));
        } else {
            acc.refusal = not_found(a, req);
        }
        return std::nullopt;
    }
    acc = access_event(a, req, db, item->event_id, write);
    if (acc.refusal) return std::nullopt;
    return item;
}

json::object with_warnings(json::object o, const std::vector<warning>& ws, application& a, http::request& req) {
    o["warnings"] = warnings_json(ws, a.texts, app::pick_lang(a, req));
    return o;
}

json::object item_json(const speaker& s, const api_access& acc) { return to_json(s, acc.manager); }
json::object item_json(const session& s, const api_access& acc) { return to_json(s, acc.e.timezone); }
json::object item_json(const talk& t, const api_access& acc) { return to_json(t, acc.e.timezone); }

// GET, DELETE and PATCH of one speaker, session or talk: `find` and `remove` (in a
// transaction) from the repository; `patch(repo, acc, item, tx)` with the body read and the
// transaction open, committing it and answering.
template <typename T, typename Find, typename Remove, typename Patch>
http::response api_item(application& a, http::request& req, std::string_view action, Find find, Remove remove,
                        Patch patch) {
    auto conn = a.db.acquire();
    repository repo(*conn);
    api_access acc;
    auto item = find_item<T>(a, req, *conn, [&](std::int64_t id) { return std::invoke(find, repo, id); }, action != "get", acc);
    if (!item) return *acc.refusal;
    if (action == "get") return app::json_response(200, item_json(*item, acc));
    if (action == "delete") {
        storage::transaction tx(*conn);
        remove(repo, *item);
        tx.commit();
        if constexpr (std::is_same_v<T, speaker>) remove_photo(a.cfg.storage.data_dir, item->photo);  // after the commit
        return no_content();
    }
    if (!read_body(a, req, acc)) return *acc.refusal;
    storage::transaction tx(*conn);
    return patch(repo, acc, *item, tx);
}

http::response api_speaker(application& a, http::request& req, std::string_view action) {
    return api_item<speaker>(
        a, req, action, &repository::find_speaker, [](repository& repo, const speaker& s) { repo.remove_speaker(s.id); },
        [&](repository& repo, api_access& acc, speaker& s, storage::transaction& tx) {
            field_errors errors;
            apply(s, speaker_from_json(acc.body, errors), errors);
            if (!errors.empty()) return validation_failed(a, req, errors);
            repo.update(s);
            tx.commit();
            return app::json_response(200, to_json(s, true));
        });
}

// ---- sessions ----

http::response api_session_create(application& a, http::request& req) {
    auto conn = a.db.acquire();
    auto acc = event_write(a, req, *conn);
    if (acc.refusal) return *acc.refusal;
    repository repo(*conn);
    storage::transaction tx(*conn);  // the checks read the programme they guard
    auto d = repo.load(acc.e.id);
    field_errors errors;
    session s;
    s.event_id = acc.e.id;
    apply(s, session_from_json(acc.body, errors), acc.e, d, errors);
    if (!errors.empty()) return validation_failed(a, req, errors);
    repo.insert(s);
    tx.commit();
    d.sessions.push_back(s);
    return created(with_warnings(to_json(s, acc.e.timezone), concerning(overlaps(d), s.id, 0), a, req),
                   "/api/v1/sessions/" + std::to_string(s.id));
}

http::response api_session(application& a, http::request& req, std::string_view action) {
    return api_item<session>(
        a, req, action, &repository::find_session, [](repository& repo, const session& s) { repo.remove_session(s.id); },
        [&](repository& repo, api_access& acc, session& s, storage::transaction& tx) {
            auto d = repo.load(acc.e.id);
            field_errors errors;
            apply(s, session_from_json(acc.body, errors), acc.e, d, errors);
            if (!errors.empty()) return validation_failed(a, req, errors);
            repo.update(s);
            tx.commit();
            for (auto& x : d.sessions)
                if (x.id == s.id) x = s;
            return app::json_response(200, with_warnings(to_json(s, acc.e.timezone), concerning(overlaps(d), s.id, 0), a, req));
        });
}

// ---- talks ----

http::response api_talk_create(application& a, http::request& req) {
    auto conn = a.db.acquire();
    auto acc = event_write(a, req, *conn);
    if (acc.refusal) return *acc.refusal;
    repository repo(*conn);
    storage::transaction tx(*conn);
    auto d = repo.load(acc.e.id);
    field_errors errors;
    talk t;
    t.event_id = acc.e.id;
    auto p = talk_from_json(acc.body, errors);
    apply(t, p, acc.e, d, errors);
    if (!errors.empty()) return validation_failed(a, req, errors);
    t.position = 1 << 30;
    repo.insert(t);
    place_talk(repo, t, p.position, 0);  // where asked, or else by its time (at the end without one)
    tx.commit();
    t = *repo.find_talk(t.id);
    d.talks.push_back(t);
    return created(with_warnings(to_json(t, acc.e.timezone), concerning(overlaps(d), 0, t.id), a, req),
                   "/api/v1/talks/" + std::to_string(t.id));
}

http::response api_talk(application& a, http::request& req, std::string_view action) {
    auto remove = [](repository& repo, const talk& t) {
        repo.remove_talk(t.id);
        renumber(repo, t.session_id);
    };
    return api_item<talk>(a, req, action, &repository::find_talk, remove,
                          [&](repository& repo, api_access& acc, talk& t, storage::transaction& tx) {
                              auto d = repo.load(acc.e.id);
                              field_errors errors;
                              auto p = talk_from_json(acc.body, errors);
                              auto old_session = t.session_id;
                              apply(t, p, acc.e, d, errors);
                              if (!errors.empty()) return validation_failed(a, req, errors);
                              repo.update(t);
                              if (t.session_id != old_session || p.position) place_talk(repo, t, p.position, old_session);
                              tx.commit();
                              t = *repo.find_talk(t.id);
                              d = repo.load(acc.e.id);
                              return app::json_response(
                                  200, with_warnings(to_json(t, acc.e.timezone), concerning(overlaps(d), 0, t.id), a, req));
                          });
}

// ---- lists and the whole programme ----

template <typename List>
http::response api_list(application& a, http::request& req, List list) {
    auto conn = a.db.acquire();
    auto acc = access_event(a, req, *conn, app::to_id(req.param("id")), false);
    if (acc.refusal) return *acc.refusal;
    return list(repository(*conn), acc);
}

http::response api_programme(application& a, http::request& req) {
    auto conn = a.db.acquire();
    auto acc = access_event(a, req, *conn, app::to_id(req.param("id")), false);
    if (acc.refusal) return *acc.refusal;
    auto d = repository(*conn).load(acc.e.id);
    auto body = programme_json(acc.e, d, acc.manager);
    if (acc.manager) body["warnings"] = warnings_json(overlaps(d), a.texts, app::pick_lang(a, req));
    return app::json_response(200, body);
}

// ---- public pages ----

struct public_event {
    std::optional<http::response> refusal;
    events::event e;
    bool manager = false;
};
public_event find_public(application& a, http::request& req, app::web_ctx& ctx, storage::database& db) {
    public_event r;
    auto e = events::repository(db).find_by_slug(req.param("slug"));
    r.manager = e && ctx.user && manages(db, *ctx.user, *e);
    if (!e || (e->status == "draft" && !r.manager)) {
        r.refusal = app::error_response(a, req, 404, "not_found");
        return r;
    }
    r.e = std::move(*e);
    return r;
}

json::object page_data(application& a, app::web_ctx& ctx, const events::event& e, const std::string& title_key) {
    auto ev = events::to_view(e, a.texts, ctx.lang);
    return json::object{{"title", a.texts.text(ctx.lang, title_key) + ": " + e.title}, {"event", std::move(ev)}};
}

http::response programme_page(application& a, http::request& req, bool print) {
    return app::cached_page(a, req, {"key"}, [&](bool& keep) -> http::response {
        auto ctx = app::page_context(a, req);
        auto conn = a.db.acquire();
        auto pe = find_public(a, req, ctx, *conn);
        if (pe.refusal) return *pe.refusal;
        auto d = repository(*conn).load(pe.e.id);
        // Who may download what is the materials domain's rule, with the visitor's key.
        auto links = materials::talk_links(a, *conn, pe.e, req);
        bool allowed = links.decision == materials::access::allowed;
        auto data = page_data(a, ctx, pe.e, print ? "prog_print_title" : "prog_title");
        auto days = days_view(pe.e, d, allowed ? &links.by_talk : nullptr, a.texts, ctx.lang);
        data["empty"] = days.empty();
        data["days"] = std::move(days);
        data["can_manage"] = pe.manager;
        // Not yet: "later" where the visitor will get them here (anyone, or a registrant with
        // their key); otherwise, for registrants only, where they get them.
        bool later = links.decision == materials::access::not_yet && (links.visibility == "public" || links.registrant);
        data["materials_later"] = later;
        data["materials_elsewhere"] = !allowed && !later && (links.visibility == "registered" || links.visibility == "attendees");
        data["speakers_page"] = !d.speakers.empty();  // not has_speakers: each talk has its own
        // A page waiting for a release must not outlive it (no commit marks that moment);
        // a page with a registrant's key in its links is theirs alone.
        if (links.changes_at || !materials::key_of(req).empty()) keep = false;
        return app::render_page(a, ctx, print ? "programme/print" : "programme/show", std::move(data));
    });
}

http::response speakers_page(application& a, http::request& req) {
    return app::cached_page(a, req, {}, [&](bool&) -> http::response {
        auto ctx = app::page_context(a, req);
        auto conn = a.db.acquire();
        auto pe = find_public(a, req, ctx, *conn);
        if (pe.refusal) return *pe.refusal;
        auto d = repository(*conn).load(pe.e.id);
        // Who speaks, in the order of their first appearance in the programme; then the rest.
        std::vector<std::int64_t> order;
        auto days = days_view(pe.e, d, nullptr, a.texts, ctx.lang);
        std::map<std::int64_t, json::array> talks_of;
        for (const auto& day : days)
            for (const auto& s : day.at("sessions").as_array()) {
                if (const auto* chair = s.as_object().if_contains("chair")) {
                    auto id = chair->as_object().at("id").as_int64();
                    if (std::find(order.begin(), order.end(), id) == order.end()) order.push_back(id);
                }
                for (const auto& t : s.at("talks").as_array())
                    for (const auto& sp : t.at("speakers").as_array()) {
                        auto id = sp.at("id").as_int64();
                        if (std::find(order.begin(), order.end(), id) == order.end()) order.push_back(id);
                        talks_of[id].push_back(json::object{{"id", t.at("id")}, {"title", t.at("title")}});
                    }
            }
        for (const auto& s : d.speakers)
            if (std::find(order.begin(), order.end(), s.id) == order.end()) order.push_back(s.id);
        json::array speakers;
        for (auto id : order)
            for (const auto& s : d.speakers)
                if (s.id == id) {
                    auto v = speaker_view(s);
                    v["has_talks"] = !talks_of[id].empty();
                    v["talks"] = std::move(talks_of[id]);
                    speakers.push_back(std::move(v));
                }
        auto data = page_data(a, ctx, pe.e, "prog_speakers_title");
        data["empty"] = speakers.empty();
        data["speakers"] = std::move(speakers);
        return app::render_page(a, ctx, "programme/speakers", std::move(data));
    });
}

http::response programme_ics(application& a, http::request& req) {
    auto ctx = app::page_context(a, req);
    auto conn = a.db.acquire();
    auto pe = find_public(a, req, ctx, *conn);
    if (pe.refusal) return *pe.refusal;
    auto d = repository(*conn).load(pe.e.id);
    auto host = a.cfg.public_base();
    auto domain = host.substr(host.find("://") == std::string::npos ? 0 : host.find("://") + 3);
    if (auto end = domain.find_first_of("/:"); end != std::string::npos) domain.resize(end);
    std::string place = pe.e.venue;
    for (const auto* part : {&pe.e.address, &pe.e.city})
        if (!part->empty()) place += (place.empty() ? "" : ", ") + *part;
    auto url = host + "/events/" + pe.e.slug + "/programme";
    auto stamp = util::now_seconds();
    std::vector<registration::calendar_event> items;
    auto names = [&](const talk& t) {
        std::string out;
        for (const auto& ts : t.speakers)
            for (const auto& s : d.speakers)
                if (s.id == ts.speaker_id) {
                    out += (out.empty() ? "" : "; ") + display_name(s);
                    if (!s.organisation.empty()) out += " (" + s.organisation + ")";
                }
        return out;
    };
    for (const auto& s : d.sessions) {
        registration::calendar_event c;
        c.uid = "session-" + std::to_string(s.id) + "@" + domain;
        c.title = s.title;
        c.location = s.room.empty() ? place : s.room + ", " + place;
        c.description = s.description;
        c.url = url;
        c.starts_at = s.starts_at;
        c.ends_at = s.ends_at;
        c.stamp = stamp;
        c.cancelled = pe.e.status == "cancelled";
        items.push_back(std::move(c));
        for (const auto& t : d.talks) {
            if (t.session_id != s.id || !t.starts_at) continue;  // untimed talks are within their session's event
            registration::calendar_event ct;
            ct.uid = "talk-" + std::to_string(t.id) + "@" + domain;
            ct.title = t.title;
            ct.location = items.back().location;
            auto who = names(t);
            ct.description = who.empty() ? t.abstract : (t.abstract.empty() ? who : who + "\n\n" + t.abstract);
            ct.url = url;
            ct.starts_at = t.starts_at;
            ct.ends_at = t.ends_at;
            ct.stamp = stamp;
            ct.cancelled = items.front().cancelled;
            items.push_back(std::move(ct));
        }
    }
    auto r = http::response::text(200, registration::make_ics_calendar(items, pe.e.title));
    r.set_header("Content-Type", "text/calendar; charset=utf-8");
    r.set_header("Content-Disposition", "attachment; filename=\"" + pe.e.slug + "-programme.ics\"");
    return r;
}

http::response speaker_photo(application& a, http::request& req) {
    auto conn = a.db.acquire();
    auto id = app::to_id(req.param("id"));
    auto s = id ? repository(*conn).find_speaker(*id) : std::nullopt;
    auto e = s ? events::repository(*conn).find(s->event_id) : std::nullopt;
    if (!s || !e || s->photo.empty()) return app::error_response(a, req, 404, "not_found");
    if (e->status == "draft") {
        auto who = app::request_user(a, req);
        if (!who || !manages(*conn, *who, *e)) return app::error_response(a, req, 404, "not_found");
    }
    http::file_meta meta;
    meta.content_type = photo_content_type(s->photo);
    meta.etag = "\"" + s->photo + "\"";  // a new photo gets a new name
    meta.cache_control = e->status == "draft" ? "private, no-cache" : "public, max-age=86400";
    return http::serve_file(req, photo_path(a.cfg.storage.data_dir, s->photo), meta);
}

}  // namespace

void add_event_page_view(application& a, storage::database& db, const events::event& e, const std::string& lang,
                         json::object& data) {
    auto d = repository(db).load(e.id);
    if (d.sessions.empty()) return;
    data["programme"] = json::object{{"days", days_view(e, d, nullptr, a.texts, lang)}, {"has_speakers", !d.speakers.empty()}};
}

void register_routes(application& a) {
    auto json_limit = static_cast<std::size_t>(a.cfg.server.json_max_bytes);
    a.router.get("/events/{slug}/programme", [&a](http::request& req) { return programme_page(a, req, false); });
    a.router.get("/events/{slug}/programme/print", [&a](http::request& req) { return programme_page(a, req, true); });
    a.router.get("/events/{slug}/programme.ics", [&a](http::request& req) { return programme_ics(a, req); });
    a.router.get("/events/{slug}/speakers", [&a](http::request& req) { return speakers_page(a, req); });
    a.router.get("/speakers/{id}/photo", [&a](http::request& req) { return speaker_photo(a, req); });

    a.router.get("/api/v1/events/{id}/programme", [&a](http::request& req) { return api_programme(a, req); });
    a.router.post("/api/v1/events/{id}/speakers", [&a](http::request& req) { return api_speaker_create(a, req); }, json_limit);
    a.router.post("/api/v1/events/{id}/sessions", [&a](http::request& req) { return api_session_create(a, req); }, json_limit);
    a.router.post("/api/v1/events/{id}/talks", [&a](http::request& req) { return api_talk_create(a, req); }, json_limit);
    a.router.get("/api/v1/events/{id}/speakers", [&a](http::request& req) {
        return api_list(a, req, [&](repository repo, const api_access& acc) {
            bool mine = acc.manager;
            return app::collection(req, repo.speakers(acc.e.id), [mine](const speaker& s) { return to_json(s, mine); });
        });
    });
    a.router.get("/api/v1/events/{id}/sessions", [&a](http::request& req) {
        return api_list(a, req, [&](repository repo, const api_access& acc) {
            auto tz = acc.e.timezone;
            return app::collection(req, repo.sessions(acc.e.id), [tz](const session& s) { return to_json(s, tz); });
        });
    });
    a.router.get("/api/v1/events/{id}/talks", [&a](http::request& req) {
        return api_list(a, req, [&](repository repo, const api_access& acc) {
            auto tz = acc.e.timezone;
            // In programme order: by session time, then position.
            auto d = repo.load(acc.e.id);
            std::vector<talk> ordered;
            for (const auto& s : d.sessions)
                for (const auto& t : d.talks)
                    if (t.session_id == s.id) ordered.push_back(t);
            return app::collection(req, ordered, [tz](const talk& t) { return to_json(t, tz); });
        });
    });
    for (std::string action : {"get", "patch", "delete"}) {
        std::string method = action == "get" ? "GET" : action == "patch" ? "PATCH" : "DELETE";
        std::size_t limit = action == "patch" ? json_limit : 0;
        a.router.add(method, "/api/v1/speakers/{id}", [&a, action](http::request& req) { return api_speaker(a, req, action); }, limit);
        a.router.add(method, "/api/v1/sessions/{id}", [&a, action](http::request& req) { return api_session(a, req, action); }, limit);
        a.router.add(method, "/api/v1/talks/{id}", [&a, action](http::request& req) { return api_talk(a, req, action); }, limit);
    }
    register_admin_routes(a);
}

}  // namespace sabor::programme

#include "programme/routes.hpp"

#include "app/app.hpp"
#include "app/collection.hpp"
#include "app/routes.hpp"
#include "app/web.hpp"
#include "events/repository.hpp"
#include "events/routes.hpp"
#include "events/service.hpp"
#include "http/file_response.hpp"
#include "materials/routes.hpp"
#include "materials/service.hpp"
#include "programme/photos.hpp"
#include "programme/repository.hpp"
#include "programme/service.hpp"
#include "programme/talk_order.hpp"
#include "view/ics.hpp"
#include "util/clock.hpp"

#include <algorithm>
#include <map>

namespace sabor::programme {
namespace {

using app::access;
using app::application;
using app::call;
namespace json = boost::json;
using app::validation_failed;



// The routes' finders: a speaker, session or talk in the path -> its event.
std::optional<std::int64_t> event_of_speaker(storage::database& db, std::string_view v) {
    auto id = app::to_id(v);
    return id ? repository(db).event_of_speaker(*id) : std::nullopt;
}
std::optional<std::int64_t> event_of_session(storage::database& db, std::string_view v) {
    auto id = app::to_id(v);
    return id ? repository(db).event_of_session(*id) : std::nullopt;
}
std::optional<std::int64_t> event_of_talk(storage::database& db, std::string_view v) {
    auto id = app::to_id(v);
    return id ? repository(db).event_of_talk(*id) : std::nullopt;
}

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

json::object with_warnings(json::object o, const std::vector<warning>& ws, call& c) {
    o["warnings"] = warnings_json(ws, c.app.texts, c.lang());
    return o;
}

// ---- speakers ----

http::response api_speaker_create(call& c) {
    field_errors errors;
    speaker s;
    s.event_id = c.event_id;
    apply(s, speaker_from_json(c.body, errors), errors);
    if (!errors.empty()) return validation_failed(c.app, c.req, errors);
    storage::transaction tx(c.db());
    repository(c.db()).insert(s);
    tx.commit();
    return created(to_json(s, true), "/api/v1/speakers/" + std::to_string(s.id));
}

http::response api_speaker_get(call& c) {
    auto s = repository(c.db()).find_speaker(c.object_id);
    if (!s) return c.error(404, "not_found");
    return app::json_response(200, to_json(*s, c.manages_event()));
}

http::response api_speaker_patch(call& c) {
    repository repo(c.db());
    auto s = repo.find_speaker(c.object_id);
    if (!s) return c.error(404, "not_found");
    field_errors errors;
    apply(*s, speaker_from_json(c.body, errors), errors);
    if (!errors.empty()) return validation_failed(c.app, c.req, errors);
    storage::transaction tx(c.db());
    repo.update(*s);
    tx.commit();
    return app::json_response(200, to_json(*s, true));
}

http::response api_speaker_delete(call& c) {
    repository repo(c.db());
    auto s = repo.find_speaker(c.object_id);
    if (!s) return c.error(404, "not_found");
    storage::transaction tx(c.db());
    repo.remove_speaker(s->id);
    tx.commit();
    remove_photo(c.app.cfg.storage.data_dir, s->photo);  // after the commit
    return no_content();
}

// ---- sessions ----

http::response api_session_create(call& c) {
    auto e = events::the_event(c);
    repository repo(c.db());
    storage::transaction tx(c.db());  // the checks read the programme they guard
    auto d = repo.load(e.id);
    field_errors errors;
    session s;
    s.event_id = e.id;
    apply(s, session_from_json(c.body, errors), e, d, errors);
    if (!errors.empty()) return validation_failed(c.app, c.req, errors);
    repo.insert(s);
    tx.commit();
    d.sessions.push_back(s);
    return created(with_warnings(to_json(s, e.timezone), concerning(overlaps(d), s.id, 0), c),
                   "/api/v1/sessions/" + std::to_string(s.id));
}

http::response api_session_get(call& c) {
    auto s = repository(c.db()).find_session(c.object_id);
    if (!s) return c.error(404, "not_found");
    return app::json_response(200, to_json(*s, events::the_event(c).timezone));
}

http::response api_session_patch(call& c) {
    auto e = events::the_event(c);
    repository repo(c.db());
    storage::transaction tx(c.db());
    auto s = repo.find_session(c.object_id);
    if (!s) return c.error(404, "not_found");
    auto d = repo.load(e.id);
    field_errors errors;
    apply(*s, session_from_json(c.body, errors), e, d, errors);
    if (!errors.empty()) return validation_failed(c.app, c.req, errors);
    repo.update(*s);
    tx.commit();
    for (auto& x : d.sessions)
        if (x.id == s->id) x = *s;
    return app::json_response(200, with_warnings(to_json(*s, e.timezone), concerning(overlaps(d), s->id, 0), c));
}

http::response api_session_delete(call& c) {
    repository repo(c.db());
    storage::transaction tx(c.db());
    if (!repo.find_session(c.object_id)) return c.error(404, "not_found");
    repo.remove_session(c.object_id);
    tx.commit();
    return no_content();
}

// ---- talks ----

http::response api_talk_create(call& c) {
    auto e = events::the_event(c);
    repository repo(c.db());
    storage::transaction tx(c.db());
    auto d = repo.load(e.id);
    field_errors errors;
    talk t;
    t.event_id = e.id;
    auto p = talk_from_json(c.body, errors);
    apply(t, p, e, d, errors);
    if (!errors.empty()) return validation_failed(c.app, c.req, errors);
    t.position = 1 << 30;
    repo.insert(t);
    place_talk(repo, t, p.position, 0);  // where asked, or else by its time (at the end without one)
    tx.commit();
    t = *repo.find_talk(t.id);
    d.talks.push_back(t);
    return created(with_warnings(to_json(t, e.timezone), concerning(overlaps(d), 0, t.id), c),
                   "/api/v1/talks/" + std::to_string(t.id));
}

http::response api_talk_get(call& c) {
    auto t = repository(c.db()).find_talk(c.object_id);
    if (!t) return c.error(404, "not_found");
    return app::json_response(200, to_json(*t, events::the_event(c).timezone));
}

http::response api_talk_patch(call& c) {
    auto e = events::the_event(c);
    repository repo(c.db());
    storage::transaction tx(c.db());
    auto t = repo.find_talk(c.object_id);
    if (!t) return c.error(404, "not_found");
    auto d = repo.load(e.id);
    field_errors errors;
    auto p = talk_from_json(c.body, errors);
    auto old_session = t->session_id;
    apply(*t, p, e, d, errors);
    if (!errors.empty()) return validation_failed(c.app, c.req, errors);
    repo.update(*t);
    if (t->session_id != old_session || p.position) place_talk(repo, *t, p.position, old_session);
    tx.commit();
    t = repo.find_talk(t->id);
    d = repo.load(e.id);
    return app::json_response(200, with_warnings(to_json(*t, e.timezone), concerning(overlaps(d), 0, t->id), c));
}

http::response api_talk_delete(call& c) {
    repository repo(c.db());
    storage::transaction tx(c.db());
    auto t = repo.find_talk(c.object_id);
    if (!t) return c.error(404, "not_found");
    repo.remove_talk(t->id);
    renumber(repo, t->session_id);
    tx.commit();
    return no_content();
}

// ---- lists and the whole programme ----

http::response api_speakers(call& c) {
    bool mine = c.manages_event();
    return app::collection(c.req, repository(c.db()).speakers(c.event_id), [mine](const speaker& s) { return to_json(s, mine); });
}

http::response api_sessions(call& c) {
    auto tz = events::the_event(c).timezone;
    return app::collection(c.req, repository(c.db()).sessions(c.event_id), [tz](const session& s) { return to_json(s, tz); });
}

http::response api_talks(call& c) {
    auto tz = events::the_event(c).timezone;
    // In programme order: by session time, then position.
    auto d = repository(c.db()).load(c.event_id);
    std::vector<talk> ordered;
    for (const auto& s : d.sessions)
        for (const auto& t : d.talks)
            if (t.session_id == s.id) ordered.push_back(t);
    return app::collection(c.req, ordered, [tz](const talk& t) { return to_json(t, tz); });
}

http::response api_programme(call& c) {
    auto e = events::the_event(c);
    bool manager = c.manages_event();
    auto d = repository(c.db()).load(e.id);
    auto body = programme_json(e, d, manager);
    if (manager) body["warnings"] = warnings_json(overlaps(d), c.app.texts, c.lang());
    return app::json_response(200, body);
}

// ---- public pages ----
// Drafts reach these for their managers only (access::event_reader), as a preview.

json::object page_data(call& c, const events::event& e, const std::string& title_key) {
    auto ev = events::to_view(e, c.app.texts, c.lang());
    return json::object{{"title", c.app.texts.text(c.lang(), title_key) + ": " + e.title}, {"event", std::move(ev)}};
}

http::response programme_page(call& c, bool print) {
    auto& a = c.app;
    auto e = events::the_event(c);
    auto d = repository(c.db()).load(e.id);
    // Who may download what is the materials domain's rule, with the visitor's key.
    auto links = materials::talk_links(c.db(), e, materials::viewer_of(c), c.lang(), util::now_seconds());
    bool allowed = links.decision == materials::access::allowed;
    auto data = page_data(c, e, print ? "prog_print_title" : "prog_title");
    auto days = days_view(e, d, allowed ? &links.by_talk : nullptr, a.texts, c.lang());
    data["empty"] = days.empty();
    data["days"] = std::move(days);
    data["can_manage"] = c.manages_event();
    // Not yet: "later" where the visitor will get them here (anyone, or a registrant with
    // their key); otherwise, for registrants only, where they get them.
    bool later = links.decision == materials::access::not_yet && (links.visibility == "public" || links.registrant);
    data["materials_later"] = later;
    data["materials_elsewhere"] = !allowed && !later && (links.visibility == "registered" || links.visibility == "attendees");
    data["speakers_page"] = !d.speakers.empty();  // not has_speakers: each talk has its own
    // A page waiting for a release must not outlive it (no commit marks that moment);
    // a page with a registrant's key in its links is theirs alone.
    if (links.changes_at || !materials::key_of(c.req).empty()) c.keep = false;
    return c.page(print ? "programme/print" : "programme/show", std::move(data));
}

http::response programme_show(call& c) { return programme_page(c, false); }
http::response programme_print(call& c) { return programme_page(c, true); }

http::response speakers_page(call& c) {
    auto& a = c.app;
    auto e = events::the_event(c);
    auto d = repository(c.db()).load(e.id);
    // Who speaks, in the order of their first appearance in the programme; then the rest.
    std::vector<std::int64_t> order;
    auto days = days_view(e, d, nullptr, a.texts, c.lang());
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
    auto data = page_data(c, e, "prog_speakers_title");
    data["empty"] = speakers.empty();
    data["speakers"] = std::move(speakers);
    return c.page("programme/speakers", std::move(data));
}

http::response programme_ics(call& c) {
    auto e = events::the_event(c);
    auto d = repository(c.db()).load(e.id);
    auto host = c.app.cfg.public_base();
    auto domain = host.substr(host.find("://") == std::string::npos ? 0 : host.find("://") + 3);
    if (auto end = domain.find_first_of("/:"); end != std::string::npos) domain.resize(end);
    std::string place = e.venue;
    for (const auto* part : {&e.address, &e.city})
        if (!part->empty()) place += (place.empty() ? "" : ", ") + *part;
    auto url = host + "/events/" + e.slug + "/programme";
    auto stamp = util::now_seconds();
    std::vector<view::calendar_event> items;
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
        view::calendar_event ev;
        ev.uid = "session-" + std::to_string(s.id) + "@" + domain;
        ev.title = s.title;
        ev.location = s.room.empty() ? place : s.room + ", " + place;
        ev.description = s.description;
        ev.url = url;
        ev.starts_at = s.starts_at;
        ev.ends_at = s.ends_at;
        ev.stamp = stamp;
        ev.cancelled = e.status == events::event_status::cancelled;
        items.push_back(std::move(ev));
        for (const auto& t : d.talks) {
            if (t.session_id != s.id || !t.starts_at) continue;  // untimed talks are within their session's event
            view::calendar_event ct;
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
    auto r = http::response::text(200, view::make_ics_calendar(items, e.title));
    r.set_header("Content-Type", "text/calendar; charset=utf-8");
    r.set_header("Content-Disposition", "attachment; filename=\"" + e.slug + "-programme.ics\"");
    return r;
}

http::response speaker_photo(call& c) {
    auto s = repository(c.db()).find_speaker(c.object_id);
    if (!s || s->photo.empty()) return c.error(404, "not_found");
    bool draft = events::the_event(c).status == events::event_status::draft;
    http::file_meta meta;
    meta.content_type = photo_content_type(s->photo);
    meta.etag = "\"" + s->photo + "\"";  // a new photo gets a new name
    meta.cache_control = draft ? "private, no-cache" : "public, max-age=86400";
    return http::serve_file(c.req, photo_path(c.app.cfg.storage.data_dir, s->photo), meta);
}

}  // namespace

events::part event_part() {
    events::part p;
    p.show = [](call& c, const events::event& e, json::object& page) {
        auto d = repository(c.db()).load(e.id);
        if (d.sessions.empty()) return;
        page["programme"] = json::object{{"days", days_view(e, d, nullptr, c.app.texts, c.lang())}, {"has_speakers", !d.speakers.empty()}};
    };
    p.deletion_note = [](call& c, const events::event& e) -> std::optional<std::string> {
        repository prog(c.db());
        auto sessions = prog.count_sessions(e.id), talks = prog.count_talks(e.id), speakers = prog.count_speakers(e.id);
        if (sessions + talks + speakers == 0) return std::nullopt;
        return c.app.texts.text(c.lang(), "confirm_delete_event_programme",
                                {{"sessions", std::to_string(sessions)}, {"talks", std::to_string(talks)}, {"speakers", std::to_string(speakers)}});
    };
    p.files = [](storage::database& db, std::int64_t event_id) -> std::function<void(const std::string&)> {
        return [photos = repository(db).photos(event_id)](const std::string& data_dir) {
            for (const auto& photo : photos) remove_photo(data_dir, photo);
        };
    };
    return p;
}

void register_routes(application& a) {
    using app::route;
    // The public pages also apply the materials' visibility setting (materials::talk_links).
    route(a, "GET", "/events/{slug}/programme").allow(access::event_reader).cached({"key"}).handle(programme_show);
    route(a, "GET", "/events/{slug}/programme/print").allow(access::event_reader).cached({"key"}).handle(programme_print);
    route(a, "GET", "/events/{slug}/programme.ics").allow(access::event_reader).handle(programme_ics);
    route(a, "GET", "/events/{slug}/speakers").allow(access::event_reader).cached().handle(speakers_page);
    route(a, "GET", "/speakers/{id}/photo").allow(access::event_reader).event_of("id", event_of_speaker).handle(speaker_photo);

    route(a, "GET", "/api/v1/events/{id}/programme").allow(access::event_reader).handle(api_programme);
    route(a, "GET", "/api/v1/events/{id}/speakers").allow(access::event_reader).handle(api_speakers);
    route(a, "GET", "/api/v1/events/{id}/sessions").allow(access::event_reader).handle(api_sessions);
    route(a, "GET", "/api/v1/events/{id}/talks").allow(access::event_reader).handle(api_talks);
    route(a, "POST", "/api/v1/events/{id}/speakers").allow(access::event_manager).json().handle(api_speaker_create);
    route(a, "POST", "/api/v1/events/{id}/sessions").allow(access::event_manager).json().handle(api_session_create);
    route(a, "POST", "/api/v1/events/{id}/talks").allow(access::event_manager).json().handle(api_talk_create);

    route(a, "GET", "/api/v1/speakers/{id}").allow(access::event_reader).event_of("id", event_of_speaker).handle(api_speaker_get);
    route(a, "PATCH", "/api/v1/speakers/{id}").allow(access::event_manager).event_of("id", event_of_speaker).json().handle(api_speaker_patch);
    route(a, "DELETE", "/api/v1/speakers/{id}").allow(access::event_manager).event_of("id", event_of_speaker).handle(api_speaker_delete);
    route(a, "GET", "/api/v1/sessions/{id}").allow(access::event_reader).event_of("id", event_of_session).handle(api_session_get);
    route(a, "PATCH", "/api/v1/sessions/{id}").allow(access::event_manager).event_of("id", event_of_session).json().handle(api_session_patch);
    route(a, "DELETE", "/api/v1/sessions/{id}").allow(access::event_manager).event_of("id", event_of_session).handle(api_session_delete);
    route(a, "GET", "/api/v1/talks/{id}").allow(access::event_reader).event_of("id", event_of_talk).handle(api_talk_get);
    route(a, "PATCH", "/api/v1/talks/{id}").allow(access::event_manager).event_of("id", event_of_talk).json().handle(api_talk_patch);
    route(a, "DELETE", "/api/v1/talks/{id}").allow(access::event_manager).event_of("id", event_of_talk).handle(api_talk_delete);
    register_admin_routes(a);
}

}  // namespace sabor::programme

// Organisers' pages for the programme: the overview (days, sessions, talks, speakers, the
// overlap warnings), forms for speakers (with a photo), sessions and talks, deleting, and
// moving talks up and down.
#include "app/confirm.hpp"
#include "events/routes.hpp"
#include "app/routes.hpp"
#include "app/web.hpp"
#include "events/repository.hpp"
#include "events/service.hpp"
#include "http/multipart.hpp"
#include "materials/repository.hpp"
#include "materials/routes.hpp"
#include "materials/service.hpp"
#include "util/clock.hpp"
#include "programme/photos.hpp"
#include "programme/repository.hpp"
#include "programme/routes.hpp"
#include "programme/service.hpp"
#include "programme/talk_order.hpp"
#include "util/utf8.hpp"
#include "view/dates.hpp"

#include <set>
#include <span>

namespace sabor::programme {
namespace {

using app::access;
using app::application;
using app::call;
namespace json = boost::json;
using values = std::map<std::string, std::string>;

std::string base_path(const events::event& e) { return "/admin/events/" + std::to_string(e.id) + "/programme"; }

http::response back_to_overview(const events::event& e, std::string_view notice) {
    return http::response::redirect(base_path(e) + "?notice=" + std::string(notice));
}

// The item a form or button names is gone (deleted in another tab, or never of this event):
// back to the programme, which says so; nothing is changed.
http::response gone(const events::event& e) { return back_to_overview(e, "gone"); }

json::array options(std::span<const std::string_view> list, const std::string& selected, const view::i18n& texts,
                    const std::string& lang, const std::string& prefix) {
    json::array out;
    for (auto v : list)
        out.push_back(json::object{{"value", v}, {"label", texts.text(lang, prefix + std::string(v))}, {"selected", v == selected}});
    return out;
}

json::array speaker_options(const std::vector<speaker>& speakers, const std::string& selected) {
    json::array out;
    for (const auto& s : speakers) {
        auto id = std::to_string(s.id);
        auto label = display_name(s) + (s.organisation.empty() ? "" : " (" + s.organisation + ")");
        out.push_back(json::object{{"value", id}, {"label", label}, {"selected", id == selected}});
    }
    return out;
}

// What was typed, shown again after an error (only what is valid UTF-8 can be shown).
void overlay(values& v, const http::fields* raw) {
    if (!raw) return;
    for (const auto& [k, val] : *raw)
        if (k != "csrf_token" && util::valid_utf8(k) && k.size() <= 40) v[k] = util::valid_utf8(val) ? val : std::string{};
}

json::object to_object(const values& v) {
    json::object o;
    for (const auto& [k, val] : v) o[k] = val;
    return o;
}

json::object error_object(const field_errors& errors, application& a, const std::string& lang) {
    json::object o;
    for (const auto& [k, v] : view::localise(errors, a.texts, lang)) o[k] = v;
    return o;
}

std::string input_time(std::int64_t t, const std::string& tz) { return t ? view::format_input_local(t, tz) : std::string{}; }


// The speaker, session or talk named by the path parameter `param`, when it is of event `e`
// (one of another event does not exist here).
template <typename Find>
auto of_event(const http::request& req, std::string_view param, const events::event& e, Find find) {
    auto id = app::to_id(req.param(param));
    auto item = id ? find(*id) : std::nullopt;
    if (item && item->event_id != e.id) item.reset();
    return item;
}

constexpr auto find_speaker = [](repository& r, std::int64_t id) { return r.find_speaker(id); };
constexpr auto find_session = [](repository& r, std::int64_t id) { return r.find_session(id); };
constexpr auto find_talk = [](repository& r, std::int64_t id) { return r.find_talk(id); };

// What every item form shows: its title, where it posts, the values and the errors.
// `noun`: speaker, session, talk (the path takes its plural).
json::object form_data(call& c, const events::event& e, const std::string& noun, std::int64_t id, const values& v,
                       const field_errors& errors) {
    return json::object{{"title", c.app.texts.text(c.lang(), (id ? "prog_edit_" : "prog_new_") + noun)},
                        {"event", events::to_view(e, c.app.texts, c.lang())},
                        {"base", base_path(e)},
                        {"action", base_path(e) + "/" + noun + "s/" + (id ? std::to_string(id) : std::string("new"))},
                        {"is_new", id == 0},
                        {"v", to_object(v)},
                        {"errors", error_object(errors, c.app, c.lang())},
                        {"has_errors", !errors.empty()}};
}

// ---- the overview ----

http::response overview(call& c) {
    auto& a = c.app;
    const auto& lang = c.lang();
    auto e = events::the_event(c);
    app::csrf_token(a, c.req, c.ctx);
    repository repo(c.db());
    auto d = repo.load(e.id);
    auto links = materials::talk_links(c.db(), e, materials::viewer_of(c), lang, util::now_seconds());  // an organiser's: all of them
    auto days = days_view(e, d, &links.by_talk, a.texts, lang);
    // Up and down buttons where a move is possible.
    for (auto& day : days)
        for (auto& s : day.as_object()["sessions"].as_array()) {
            auto& talks = s.as_object()["talks"].as_array();
            for (std::size_t i = 0; i < talks.size(); ++i) {
                talks[i].as_object()["can_up"] = i > 0;
                talks[i].as_object()["can_down"] = i + 1 < talks.size();
            }
        }
    json::array speakers;
    for (const auto& s : d.speakers) {
        auto v = speaker_view(s);
        v["email"] = s.email;
        speakers.push_back(std::move(v));
    }
    auto ws = warnings_json(overlaps(d), a.texts, lang);
    json::object data{{"title", a.texts.text(lang, "prog_admin_title") + ": " + e.title},
                      {"event", events::to_view(e, a.texts, lang)},
                      {"base", base_path(e)},
                      {"materials_base", "/admin/events/" + std::to_string(e.id) + "/materials"},
                      {"days", std::move(days)},
                      {"no_sessions", d.sessions.empty()},
                      {"speakers", std::move(speakers)},
                      {"no_speakers", d.speakers.empty()},
                      {"has_warnings", !ws.empty()},
                      {"warnings", std::move(ws)}};
    static const std::set<std::string> notices{"saved", "deleted", "moved", "deleted_talk", "deleted_speaker"};
    if (auto n = c.req.query_param("notice"); n && notices.count(*n)) data["notice"] = a.texts.text(lang, "prog_notice_" + *n);
    // Only a number from the address, never its text.
    if (c.req.query_param("notice") == std::optional<std::string>("deleted_session"))
        data["notice"] = a.texts.text(lang, "prog_notice_deleted_session",
                                      {{"count", std::to_string(app::to_id(c.req.query_param("talks").value_or("")).value_or(0))}});
    if (c.req.query_param("notice") == std::optional<std::string>("gone"))
        data["warning"] = a.texts.text(lang, "prog_notice_gone");
    return c.page("programme/admin", std::move(data));
}

// ---- speakers ----

http::response speaker_form(call& c, const events::event& e, const speaker& s, const field_errors& errors,
                            const http::fields* raw, int status) {
    app::csrf_token(c.app, c.req, c.ctx);
    values v{{"honorific", s.honorific}, {"name", s.name},   {"position", s.position},
             {"organisation", s.organisation}, {"bio", s.bio}, {"email", s.email}};
    overlay(v, raw);
    json::array honorific_list;
    for (auto h : honorifics) honorific_list.push_back(json::string(h));
    auto data = form_data(c, e, "speaker", s.id, v, errors);
    data["honorifics"] = std::move(honorific_list);
    data["max_photo_mb"] = std::to_string(max_photo_bytes / (1024 * 1024));
    if (!s.photo.empty()) data["photo_url"] = "/speakers/" + std::to_string(s.id) + "/photo";
    return c.page("programme/speaker_form", std::move(data), status);
}

// The speaker form is multipart/form-data (it carries the photo): the fields, the photo's
// bytes (at most max_photo_bytes are kept; `photo_too_large` says more came), the CSRF check.
struct speaker_post {
    std::optional<http::response> refusal;
    http::fields form;
    std::string photo;
    bool has_photo = false;
    bool photo_too_large = false;
};
speaker_post read_speaker_post(call& c) {
    speaker_post r;
    auto boundary = http::boundary_from_content_type(c.req.header("content-type"));
    if (!boundary) {
        // A form without the photo.
        if (!http::parse_form(c.req.body, r.form)) r.refusal = c.error(400, "bad_form");
        else if (!app::csrf_ok(c.app, c.req, r.form)) r.refusal = c.error(403, "csrf");
        return r;
    }
    std::string* current = nullptr;
    std::size_t cap = 0;
    bool field_too_long = false;
    http::multipart_parser::handlers h;
    h.on_part_begin = [&](const http::part_info& p) {
        if (p.name == "photo" && p.has_filename) {
            current = &r.photo;
            cap = max_photo_bytes;
        } else {
            r.form.emplace_back(p.name, std::string{});
            current = &r.form.back().second;
            cap = static_cast<std::size_t>(c.app.cfg.server.form_max_bytes);
        }
        return true;
    };
    h.on_part_data = [&](std::string_view data) {
        if (current->size() + data.size() > cap) {
            (current == &r.photo ? r.photo_too_large : field_too_long) = true;
            return true;  // read on, keep nothing more
        }
        current->append(data);
        return true;
    };
    http::multipart_parser parser(*boundary, std::move(h));
    if (!parser.feed(c.req.body) || !parser.finish() || field_too_long) {
        r.refusal = c.error(400, "bad_form");
        return r;
    }
    r.has_photo = !r.photo.empty() || r.photo_too_large;
    if (!app::csrf_ok(c.app, c.req, r.form)) r.refusal = c.error(403, "csrf");
    return r;
}

http::response speaker_save(call& c, bool is_new) {
    auto& a = c.app;
    auto e = events::the_event(c);
    auto post = read_speaker_post(c);
    if (post.refusal) return *post.refusal;
    repository repo(c.db());
    speaker s;
    s.event_id = e.id;
    if (!is_new) {
        auto found = of_event(c.req, "sid", e, [&](std::int64_t id) { return find_speaker(repo, id); });
        if (!found) return gone(e);
        s = *found;
    }
    field_errors errors;
    apply(s, speaker_from_form(post.form, errors), errors);
    saved_photo photo;
    if (post.photo_too_large) errors["photo"] = {"prog_error_photo_too_large", {{"max", "2"}}};
    else if (post.has_photo && errors.empty()) {
        photo = save_photo(a.cfg.storage.data_dir, post.photo);
        if (!photo.error.empty()) errors["photo"] = {photo.error, {{"max", "2"}}};
    }
    if (!errors.empty()) return speaker_form(c, e, s, errors, &post.form, 422);
    bool remove = app::form_value(post.form, "remove_photo") == "1";
    auto old_photo = s.photo;
    try {
        storage::transaction tx(c.db());
        if (is_new) repo.insert(s);
        else repo.update(s);
        if (!photo.stored.empty()) repo.set_photo(s.id, photo.stored);
        else if (remove) repo.set_photo(s.id, "");
        tx.commit();
    } catch (...) {
        remove_photo(a.cfg.storage.data_dir, photo.stored);  // no orphan file
        throw;
    }
    if (!old_photo.empty() && (!photo.stored.empty() || remove)) remove_photo(a.cfg.storage.data_dir, old_photo);
    return back_to_overview(e, "saved");
}

http::response speaker_new(call& c) { return speaker_save(c, true); }
http::response speaker_update(call& c) { return speaker_save(c, false); }

// ---- sessions ----

http::response session_form(call& c, const events::event& e, const programme_data& d, const session& s,
                            const field_errors& errors, const http::fields* raw, int status) {
    app::csrf_token(c.app, c.req, c.ctx);
    values v{{"title", s.title},
             {"kind", s.kind},
             {"starts_at", input_time(s.starts_at, e.timezone)},
             {"ends_at", input_time(s.ends_at, e.timezone)},
             {"room", s.room},
             {"chair_id", s.chair_id ? std::to_string(s.chair_id) : std::string{}},
             {"description", s.description}};
    if (!s.id && !s.starts_at) v["starts_at"] = input_time(e.starts_at, e.timezone);
    overlay(v, raw);
    auto data = form_data(c, e, "session", s.id, v, errors);
    data["kinds"] = options(session_kinds, v["kind"], c.app.texts, c.lang(), "prog_kind_");
    data["chairs"] = speaker_options(d.speakers, v["chair_id"]);
    return c.page("programme/session_form", std::move(data), status);
}

// A posted form of a session or talk, checked against the programme read inside the
// write's transaction. `write(e, d, item, repo)` applies c.form to the item (new, or the one
// in the path) and saves it; it answers only to show the form again.
template <typename T, typename Find, typename Write>
http::response save_item(call& c, bool is_new, std::string_view param, Find find, Write write) {
    auto e = events::the_event(c);
    repository repo(c.db());
    storage::transaction tx(c.db());
    auto d = repo.load(e.id);
    T item;
    item.event_id = e.id;
    if (!is_new) {
        auto found = of_event(c.req, param, e, [&](std::int64_t id) { return find(repo, id); });
        if (!found) return gone(e);
        item = *found;
    }
    if (std::optional<http::response> again = write(e, d, item, repo)) return *again;
    tx.commit();
    return back_to_overview(e, "saved");
}

http::response session_save(call& c, bool is_new) {
    return save_item<session>(c, is_new, "sid", find_session,
                              [&](const events::event& e, const programme_data& d, session& s,
                                  repository& repo) -> std::optional<http::response> {
                                  field_errors errors;
                                  apply(s, session_from_form(c.form, e.timezone, errors), e, d, errors);
                                  if (!errors.empty()) return session_form(c, e, d, s, errors, &c.form, 422);
                                  if (s.id) repo.update(s);
                                  else repo.insert(s);
                                  return std::nullopt;
                              });
}

http::response session_new(call& c) { return session_save(c, true); }
http::response session_update(call& c) { return session_save(c, false); }

// ---- talks ----

json::array session_options(const events::event& e, const programme_data& d, const std::string& selected,
                            const std::string& lang) {
    json::array out;
    for (const auto& s : d.sessions) {
        auto id = std::to_string(s.id);
        auto label = view::format_date_time(s.starts_at, e.timezone, lang) + " · " + s.title;
        out.push_back(json::object{{"value", id}, {"label", label}, {"selected", id == selected}});
    }
    return out;
}

http::response talk_form(call& c, const events::event& e, const programme_data& d, const talk& t,
                         const field_errors& errors, const http::fields* raw, int status) {
    app::csrf_token(c.app, c.req, c.ctx);
    values v{{"session_id", t.session_id ? std::to_string(t.session_id) : std::string{}},
             {"title", t.title},
             {"abstract", t.abstract},
             {"starts_at", input_time(t.starts_at, e.timezone)},
             {"ends_at", input_time(t.ends_at, e.timezone)}};
    if (!t.session_id) {
        if (auto q = c.req.query_param("session"); q && app::to_id(*q)) v["session_id"] = *q;
    }
    std::size_t rows = std::max<std::size_t>(4, t.speakers.size() + 2);
    for (std::size_t i = 0; i < t.speakers.size(); ++i) {
        v["speaker_" + std::to_string(i)] = std::to_string(t.speakers[i].speaker_id);
        v["role_" + std::to_string(i)] = t.speakers[i].role;
    }
    overlay(v, raw);
    json::array speaker_rows;
    for (std::size_t i = 0; i < std::min<std::size_t>(rows, 12); ++i) {
        auto n = std::to_string(i);
        auto role = v.count("role_" + n) ? v["role_" + n] : std::string("speaker");
        speaker_rows.push_back(json::object{{"n", n},
                                            {"number", i + 1},
                                            {"speakers", speaker_options(d.speakers, v["speaker_" + n])},
                                            {"roles", options(speaker_roles, role, c.app.texts, c.lang(), "prog_role_")}});
    }
    auto data = form_data(c, e, "talk", t.id, v, errors);
    data["sessions"] = session_options(e, d, v["session_id"], c.lang());
    data["speaker_rows"] = std::move(speaker_rows);
    data["no_speakers"] = d.speakers.empty();
    return c.page("programme/talk_form", std::move(data), status);
}

http::response talk_save(call& c, bool is_new) {
    return save_item<talk>(c, is_new, "tid", find_talk,
                           [&](const events::event& e, const programme_data& d, talk& t,
                               repository& repo) -> std::optional<http::response> {
                               auto old_session = t.session_id;
                               field_errors errors;
                               apply(t, talk_from_form(c.form, e.timezone, errors), e, d, errors);
                               if (!errors.empty()) return talk_form(c, e, d, t, errors, &c.form, 422);
                               if (t.id) {
                                   repo.update(t);
                               } else {
                                   t.position = 1 << 30;
                                   repo.insert(t);
                               }
                               // A new or moved talk goes where its time says; one staying keeps its place.
                               if (old_session != t.session_id) place_talk(repo, t, std::nullopt, old_session);
                               return std::nullopt;
                           });
}

http::response talk_new(call& c) { return talk_save(c, true); }
http::response talk_update(call& c) { return talk_save(c, false); }

http::response talk_move(call& c) {
    auto e = events::the_event(c);
    repository repo(c.db());
    storage::transaction tx(c.db());
    auto t = of_event(c.req, "tid", e, [&](std::int64_t id) { return find_talk(repo, id); });
    if (!t) return gone(e);
    auto in_session = repo.talks_of_session(t->session_id);
    std::int64_t index = 0;
    for (std::size_t i = 0; i < in_session.size(); ++i)
        if (in_session[i].id == t->id) index = static_cast<std::int64_t>(i);
    auto dir = app::form_value(c.form, "direction");
    if (dir != "up" && dir != "down") return c.error(400, "bad_form");
    repo.set_order(reorder(in_session, t->id, dir == "up" ? index - 1 : index + 1));
    tx.commit();
    return back_to_overview(e, "moved");
}

// ---- deleting ----

// Titles joined for a sentence, at most a few (the rest as a count would only repeat it).
std::string titles_of(const std::vector<std::string>& titles) {
    std::string out;
    for (std::size_t i = 0; i < titles.size() && i < 5; ++i) out += (i ? "; " : "") + ("„" + titles[i] + "“");
    if (titles.size() > 5) out += "; …";
    return out;
}

// How many of the event's materials are attached to these talks (they stay, for the whole event).
std::size_t materials_of(storage::database& db, std::int64_t event_id, const std::set<std::int64_t>& talk_ids) {
    std::size_t n = 0;
    for (const auto& m : materials::repository(db).list(event_id))
        if (m.talk_id && talk_ids.count(*m.talk_id)) ++n;
    return n;
}

// What deleting a session or a speaker takes with it, said before it is done; empty when
// the item goes alone (a session without talks, a speaker on no talk and chairing nothing),
// which is deleted at once. A talk always goes alone: its speakers stay, its materials stay
// with the event.
std::vector<std::string> what_goes_with(application& a, const std::string& lang, storage::database& db,
                                        const programme_data& d, std::string_view what, std::int64_t id) {
    std::vector<std::string> out;
    auto n = [](std::size_t v) { return std::to_string(v); };
    if (what == "sessions") {
        std::vector<std::string> titles;
        std::set<std::int64_t> ids;
        for (const auto& t : d.talks)
            if (t.session_id == id) titles.push_back(t.title), ids.insert(t.id);
        if (titles.empty()) return out;
        out.push_back(a.texts.text(lang, "confirm_session_talks", {{"count", n(titles.size())}, {"titles", titles_of(titles)}}));
        out.push_back(a.texts.text(lang, "confirm_session_speakers_stay"));
        if (auto m = materials_of(db, d.sessions.empty() ? 0 : d.sessions.front().event_id, ids))
            out.push_back(a.texts.text(lang, "confirm_materials_stay", {{"count", n(m)}}));
    } else if (what == "speakers") {
        std::vector<std::string> talks, chaired;
        for (const auto& t : d.talks)
            for (const auto& ts : t.speakers)
                if (ts.speaker_id == id) talks.push_back(t.title);
        for (const auto& s : d.sessions)
            if (s.chair_id == id) chaired.push_back(s.title);
        if (talks.empty() && chaired.empty()) return out;
        if (!talks.empty())
            out.push_back(a.texts.text(lang, "confirm_speaker_talks", {{"count", n(talks.size())}, {"titles", titles_of(talks)}}));
        if (!chaired.empty())
            out.push_back(a.texts.text(lang, "confirm_speaker_chairs", {{"count", n(chaired.size())}, {"titles", titles_of(chaired)}}));
        out.push_back(a.texts.text(lang, "confirm_speaker_photo"));
    }
    if (!out.empty()) out.push_back(a.texts.text(lang, "confirm_cannot_undo"));
    return out;
}

http::response remove_item(call& c, std::string_view what) {
    auto& a = c.app;
    const auto& lang = c.lang();
    auto e = events::the_event(c);
    repository repo(c.db());
    std::string_view param = what == "talks" ? "tid" : "sid";
    std::string photo, title;
    bool found = false;
    std::size_t with = 0;  // talks that went with a session
    storage::transaction tx(c.db());
    auto d = repo.load(e.id);
    auto id = app::to_id(c.req.param(param)).value_or(0);
    if (what == "speakers") {
        if (auto s = of_event(c.req, param, e, [&](std::int64_t id) { return find_speaker(repo, id); })) {
            found = true;
            photo = s->photo;
            title = display_name(*s);
        }
    } else if (what == "sessions") {
        if (auto s = of_event(c.req, param, e, [&](std::int64_t id) { return find_session(repo, id); })) {
            found = true;
            title = s->title;
            for (const auto& t : d.talks) with += t.session_id == s->id;
        }
    } else if (auto t = of_event(c.req, param, e, [&](std::int64_t id) { return find_talk(repo, id); })) {
        found = true;
        title = t->title;
    }
    // Gone already (another organiser, another tab): back to the programme, which says so.
    if (!found) return gone(e);
    // More than the item itself would go: ask first, saying what.
    if (!app::confirmed(c.form)) {
        if (auto points = what_goes_with(a, lang, c.db(), d, what, id); !points.empty()) {
            app::confirmation q;
            auto kind = std::string(what.substr(0, what.size() - 1));  // session, speaker
            q.title = a.texts.text(lang, "confirm_delete_" + kind + "_title");
            q.subject = title;
            q.points = std::move(points);
            q.action = base_path(e) + "/" + std::string(what) + "/" + std::to_string(id) + "/delete";
            q.confirm_label = a.texts.text(lang, "confirm_delete_" + kind + "_yes");
            q.back_url = base_path(e);
            q.back_label = a.texts.text(lang, "confirm_keep");
            q.event = events::to_view(e, a.texts, lang);
            q.page_is = json::object{{"programme_admin", true}};
            return app::confirm_page(a, c.req, c.ctx, q);
        }
    }
    if (what == "speakers") {
        repo.remove_speaker(id);
    } else if (what == "sessions") {
        repo.remove_session(id);
    } else {
        auto t = find_talk(repo, id);
        repo.remove_talk(id);
        renumber(repo, t->session_id);
    }
    tx.commit();
    remove_photo(a.cfg.storage.data_dir, photo);
    // Says what went: a session with how many talks.
    if (what == "sessions") return http::response::redirect(base_path(e) + "?notice=deleted_session&talks=" + std::to_string(with));
    return back_to_overview(e, what == "speakers" ? "deleted_speaker" : "deleted_talk");
}

http::response speaker_remove(call& c) { return remove_item(c, "speakers"); }
http::response session_remove(call& c) { return remove_item(c, "sessions"); }
http::response talk_remove(call& c) { return remove_item(c, "talks"); }

// An item's form: an empty one (`is_new`), or the one in the path when it is of this event.
template <typename T, typename Find, typename Show>
http::response item_page(call& c, bool is_new, std::string_view param, Find find, Show show) {
    auto e = events::the_event(c);
    repository repo(c.db());
    auto d = repo.load(e.id);
    if (is_new) return show(c, e, d, T{});
    auto item = of_event(c.req, param, e, [&](std::int64_t id) { return find(repo, id); });
    if (!item) return c.error(404, "not_found");
    return show(c, e, d, *item);
}

http::response show_speaker(call& c, const events::event& e, const programme_data&, const speaker& s) {
    // Back from a photo refused by its size before it was read (see too_large_pages).
    field_errors errors;
    if (c.req.query_param("refused") == std::optional<std::string>("photo_too_large"))
        errors["photo"] = {"prog_error_photo_too_large", {{"max", "2"}}};
    return speaker_form(c, e, s, errors, nullptr, 200);
}
http::response show_session(call& c, const events::event& e, const programme_data& d, const session& s) {
    return session_form(c, e, d, s, {}, nullptr, 200);
}
http::response show_talk(call& c, const events::event& e, const programme_data& d, const talk& t) {
    return talk_form(c, e, d, t, {}, nullptr, 200);
}

http::response speaker_new_form(call& c) { return item_page<speaker>(c, true, "sid", find_speaker, show_speaker); }
http::response speaker_edit_form(call& c) { return item_page<speaker>(c, false, "sid", find_speaker, show_speaker); }
http::response session_new_form(call& c) { return item_page<session>(c, true, "sid", find_session, show_session); }
http::response session_edit_form(call& c) { return item_page<session>(c, false, "sid", find_session, show_session); }
http::response talk_new_form(call& c) { return item_page<talk>(c, true, "tid", find_talk, show_talk); }
http::response talk_edit_form(call& c) { return item_page<talk>(c, false, "tid", find_talk, show_talk); }

}  // namespace

void register_admin_routes(application& a) {
    // A photo far over its limit, told by the Content-Length before it is read: back to the
    // speaker's form with the reason (what was typed cannot be shown again: it was not read).
    a.too_large_pages.push_back([](const http::request& req) -> std::optional<http::response> {
        constexpr std::string_view prefix = "/admin/events/", middle = "/programme/speakers/";
        std::string_view p = req.path;
        auto at = p.find(middle);
        if (req.method != "POST" || !p.starts_with(prefix) || at == std::string_view::npos) return std::nullopt;
        auto id = app::to_id(p.substr(prefix.size(), at - prefix.size()));
        auto item = p.substr(at + middle.size());
        if (!id || (item != "new" && !app::to_id(item))) return std::nullopt;
        return http::response::redirect(std::string(p) + "?refused=photo_too_large");
    });
    using app::route;
    const std::string base = "/admin/events/{id}/programme";
    // The speaker, session or talk in a path ({sid}, {tid}) must be of the event {id}: one of
    // another event is "gone" from this programme (each handler's of_event).
    route(a, "GET", base).allow(access::event_manager).handle(overview);
    // The speaker's form carries a photo: multipart, parsed (with its CSRF token) by speaker_save.
    auto speaker_limit = max_photo_bytes + static_cast<std::size_t>(a.cfg.server.form_max_bytes);
    route(a, "GET", base + "/speakers/new").allow(access::event_manager).handle(speaker_new_form);
    route(a, "GET", base + "/speakers/{sid}").allow(access::event_manager).handle(speaker_edit_form);
    route(a, "POST", base + "/speakers/new").allow(access::event_manager).multipart(speaker_limit).handle(speaker_new);
    route(a, "POST", base + "/speakers/{sid}").allow(access::event_manager).multipart(speaker_limit).handle(speaker_update);
    route(a, "POST", base + "/speakers/{sid}/delete").allow(access::event_manager).form().handle(speaker_remove);
    route(a, "GET", base + "/sessions/new").allow(access::event_manager).handle(session_new_form);
    route(a, "GET", base + "/sessions/{sid}").allow(access::event_manager).handle(session_edit_form);
    route(a, "POST", base + "/sessions/new").allow(access::event_manager).form().handle(session_new);
    route(a, "POST", base + "/sessions/{sid}").allow(access::event_manager).form().handle(session_update);
    route(a, "POST", base + "/sessions/{sid}/delete").allow(access::event_manager).form().handle(session_remove);
    route(a, "GET", base + "/talks/new").allow(access::event_manager).handle(talk_new_form);
    route(a, "GET", base + "/talks/{tid}").allow(access::event_manager).handle(talk_edit_form);
    route(a, "POST", base + "/talks/new").allow(access::event_manager).form().handle(talk_new);
    route(a, "POST", base + "/talks/{tid}").allow(access::event_manager).form().handle(talk_update);
    route(a, "POST", base + "/talks/{tid}/delete").allow(access::event_manager).form().handle(talk_remove);
    route(a, "POST", base + "/talks/{tid}/move").allow(access::event_manager).form().handle(talk_move);
}

}  // namespace sabor::programme

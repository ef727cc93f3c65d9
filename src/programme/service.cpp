#include "programme/service.hpp"

#include "accounts/repository.hpp"
#include "mail/message.hpp"
#include "util/utf8.hpp"
#include "view/dates.hpp"
#include "view/i18n.hpp"
#include "view/json_fields.hpp"
#include "view/text.hpp"

#include <algorithm>
#include <charconv>
#include <set>

namespace sabor::programme {
namespace {

namespace json = boost::json;
using util::trim;
using view::json_type;

struct text_rule {
    std::string_view name;
    std::size_t max;
    bool multiline;
};
// Free-text fields and their limits (in characters).
constexpr text_rule speaker_rules[] = {{"honorific", 40, false},    {"name", 200, false}, {"position", 200, false},
                                       {"organisation", 200, false}, {"bio", 4000, true},  {"email", 254, false}};
constexpr text_rule session_rules[] = {
    {"title", 200, false}, {"kind", 20, false}, {"room", 100, false}, {"description", 4000, true}};
constexpr text_rule talk_rules[] = {{"title", 300, false}, {"abstract", 8000, true}};
constexpr std::size_t max_talk_speakers = 30;

template <std::size_t N>
const text_rule* rule_for(const text_rule (&rules)[N], std::string_view name) {
    for (const auto& r : rules)
        if (r.name == name) return &r;
    return nullptr;
}

template <std::size_t N>
bool one_of(const std::array<std::string_view, N>& values, std::string_view v) {
    return std::find(values.begin(), values.end(), v) != values.end();
}

// Checks one text value; stores it trimmed, or an error for the field.
void take_text(std::map<std::string, std::string>& out, const text_rule& rule, std::string_view value,
               field_errors& errors) {
    std::string name(rule.name);
    if (!util::valid_utf8(value)) {
        errors[name] = {"error_invalid_utf8", {}};
        return;
    }
    if (util::has_control_chars(value, rule.multiline)) {
        errors[name] = {"error_control_chars", {}};
        return;
    }
    auto v = trim(value);
    if (util::utf8_length(v) > rule.max) {
        errors[name] = {"error_too_long", {{"max", std::to_string(rule.max)}}};
        return;
    }
    out[name] = std::move(v);
}

template <std::size_t N>
void take_texts(const view::json_fields& in, const text_rule (&rules)[N], std::map<std::string, std::string>& out,
                field_errors& errors) {
    for (const auto& r : rules)
        if (auto v = in.text(r.name)) take_text(out, r, *v, errors);
}

// An unknown key longer than this is reported under "?" (as one that is not UTF-8).
constexpr std::size_t longest_echoed_key = 100;

// A body's table: the text fields of `rules`, then `more`, then the GET shape's read-only fields.
template <std::size_t N>
std::vector<view::json_field> table(const text_rule (&rules)[N], std::initializer_list<view::json_field> more) {
    std::vector<view::json_field> t;
    for (const auto& r : rules) t.push_back({.name = r.name, .type = view::json_type::text});
    t.insert(t.end(), more);
    for (auto n : {"id", "event_id", "created_at", "updated_at", "photo_url"}) t.push_back({.name = n, .read_only = true});
    return t;
}

void take_time(const view::json_fields& in, const char* name, std::optional<std::int64_t>& target, field_errors& errors) {
    auto v = in.text(name);
    if (!v) return;
    if (auto t = view::parse_iso8601(*v)) target = *t;
    else errors[name] = {"error_bad_time", {}};
}

std::optional<std::int64_t> json_id(const json::value& v) {
    if (v.is_int64() && v.get_int64() > 0) return v.get_int64();
    if (v.is_uint64() && v.get_uint64() > 0 && v.get_uint64() < (1ull << 62)) return static_cast<std::int64_t>(v.get_uint64());
    return std::nullopt;
}

// One entry of "speaker_ids" (an id) or of "speakers" ({"id", "role"?}); nothing when malformed.
std::optional<talk_speaker> speaker_item(const json::value& item, bool with_role) {
    talk_speaker ts;
    if (!with_role) {
        auto id = json_id(item);
        if (!id) return std::nullopt;
        ts.speaker_id = *id;
        return ts;
    }
    const auto* o = item.if_object();
    auto id = o && o->contains("id") ? json_id(o->at("id")) : std::nullopt;
    const auto* role = o ? o->if_contains("role") : nullptr;
    if (!id || (role && !role->is_string()) || (o && o->size() > (role ? 2u : 1u))) return std::nullopt;
    ts.speaker_id = *id;
    if (role) ts.role = std::string(role->get_string());
    return ts;
}

std::optional<std::int64_t> form_id(std::string_view s) {
    std::int64_t v = 0;
    auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
    if (ec != std::errc{} || end != s.data() + s.size() || v <= 0) return std::nullopt;
    return v;
}

// N of a form field named prefix + N (0..99), the rows of a talk's speakers.
std::optional<int> row_number(std::string_view k, std::string_view prefix) {
    if (!k.starts_with(prefix)) return std::nullopt;
    auto rest = k.substr(prefix.size());
    int n = 0;
    auto [end, ec] = std::from_chars(rest.data(), rest.data() + rest.size(), n);
    if (rest.empty() || ec != std::errc{} || end != rest.data() + rest.size() || n < 0 || n > 99) return std::nullopt;
    return n;
}

// A form's datetime-local value: "" = unset (0), nullopt = unreadable.
std::optional<std::int64_t> form_time(std::string_view v, const std::string& tz) {
    auto s = trim(v);
    if (s.empty()) return 0;
    return view::parse_local(s, tz);
}

std::string local_date(std::int64_t t, const std::string& tz) { return view::format_input_local(t, tz).substr(0, 10); }
std::string local_hhmm(std::int64_t t, const std::string& tz) { return view::format_input_local(t, tz).substr(11, 5); }

void fail(field_errors& errors, const std::string& field, std::string key,
          std::vector<std::pair<std::string, std::string>> args = {}) {
    if (!errors.count(field)) errors[field] = {std::move(key), std::move(args)};
}

template <typename T>
const T* by_id(const std::vector<T>& items, std::int64_t id) {
    for (const auto& x : items)
        if (x.id == id) return &x;
    return nullptr;
}

bool overlap(std::int64_t a0, std::int64_t a1, std::int64_t b0, std::int64_t b1) { return a0 < b1 && b0 < a1; }

std::string room_key(const std::string& room) { return util::to_lower_utf8(trim(room)); }

}  // namespace

// ---- input ----

speaker_patch speaker_from_json(const json::object& body, field_errors& errors) {
    static const auto fields = table(speaker_rules, {});
    speaker_patch p;
    view::json_fields in(body, fields, errors, {}, longest_echoed_key);
    take_texts(in, speaker_rules, p.text, errors);
    return p;
}

session_patch session_from_json(const json::object& body, field_errors& errors) {
    static const auto fields = table(session_rules, {
        {.name = "starts_at", .type = json_type::text, .error = "error_bad_time"},
        {.name = "ends_at", .type = json_type::text, .error = "error_bad_time"},
        {.name = "chair_id", .type = json_type::integer, .nullable = true, .error = "prog_error_must_be_id"},
    });
    session_patch p;
    view::json_fields in(body, fields, errors, {}, longest_echoed_key);
    take_texts(in, session_rules, p.text, errors);
    take_time(in, "starts_at", p.starts_at, errors);
    take_time(in, "ends_at", p.ends_at, errors);
    if (in.is_null("chair_id")) p.chair_id = 0;
    else if (auto* v = in.get("chair_id")) {
        if (auto id = json_id(*v)) p.chair_id = *id;
        else errors["chair_id"] = {"prog_error_must_be_id", {}};
    }
    return p;
}

talk_patch talk_from_json(const json::object& body, field_errors& errors) {
    static const auto fields = table(talk_rules, {
        {.name = "starts_at", .type = json_type::text, .nullable = true, .error = "error_bad_time"},
        {.name = "ends_at", .type = json_type::text, .nullable = true, .error = "error_bad_time"},
        {.name = "session_id", .type = json_type::integer, .error = "prog_error_must_be_id"},
        {.name = "position", .type = json_type::integer, .error = "prog_error_position"},
        {.name = "speaker_ids", .type = json_type::list, .error = "prog_error_id_list"},
        {.name = "speakers", .type = json_type::list, .error = "prog_error_speaker_list"},
    });
    talk_patch p;
    if (body.contains("speaker_ids") && body.contains("speakers")) errors["speakers"] = {"prog_error_speakers_twice", {}};
    view::json_fields in(body, fields, errors, {}, longest_echoed_key);
    take_texts(in, talk_rules, p.text, errors);
    // A talk's times may be cleared (null): it then follows its session.
    for (auto [name, target] : {std::pair{"starts_at", &p.starts_at}, std::pair{"ends_at", &p.ends_at}}) {
        if (in.is_null(name)) *target = 0;
        else take_time(in, name, *target, errors);
    }
    if (auto* v = in.get("session_id")) {
        if (auto id = json_id(*v)) p.session_id = *id;
        else errors["session_id"] = {"prog_error_must_be_id", {}};
    }
    if (auto* v = in.get("position")) {
        if (v->is_uint64()) p.position = std::int64_t{1} << 40;  // beyond the signed range: "last"
        else if (v->get_int64() >= 0) p.position = v->get_int64();
        else errors["position"] = {"prog_error_position", {}};
    }
    for (std::string k : {"speaker_ids", "speakers"}) {
        const auto* items = in.list(k);
        if (!items) continue;
        std::vector<talk_speaker> list;
        bool ok = true;
        for (const auto& item : *items) {
            auto ts = speaker_item(item, k == "speakers");
            if (!ts) {
                ok = false;
                break;
            }
            if (k == "speakers" && !one_of(speaker_roles, ts->role)) {
                errors[k] = {"prog_error_unknown_role", {}};
                ok = false;
                break;
            }
            list.push_back(std::move(*ts));
        }
        if (!ok) {
            fail(errors, k, k == "speakers" ? "prog_error_speaker_list" : "prog_error_id_list");
            continue;
        }
        p.speakers = std::move(list);
    }
    return p;
}

speaker_patch speaker_from_form(const http::fields& form, field_errors& errors) {
    speaker_patch p;
    for (const auto& [k, v] : form)
        if (const auto* rule = rule_for(speaker_rules, k)) take_text(p.text, *rule, v, errors);
    return p;
}

session_patch session_from_form(const http::fields& form, const std::string& timezone, field_errors& errors) {
    session_patch p;
    for (const auto& [k, v] : form) {
        if (const auto* rule = rule_for(session_rules, k)) {
            take_text(p.text, *rule, v, errors);
        } else if (k == "starts_at" || k == "ends_at") {
            auto t = form_time(v, timezone);
            if (!t) errors[k] = {"error_bad_time", {}};
            else if (*t) (k == "starts_at" ? p.starts_at : p.ends_at) = *t;
        } else if (k == "chair_id") {
            if (trim(v).empty()) p.chair_id = 0;
            else if (auto id = form_id(trim(v))) p.chair_id = *id;
            else errors[k] = {"prog_error_unknown_speaker", {}};
        }
    }
    return p;
}

talk_patch talk_from_form(const http::fields& form, const std::string& timezone, field_errors& errors) {
    talk_patch p;
    std::map<int, std::string> ids, roles;  // by N
    for (const auto& [k, v] : form) {
        if (const auto* rule = rule_for(talk_rules, k)) {
            take_text(p.text, *rule, v, errors);
        } else if (k == "starts_at" || k == "ends_at") {
            auto t = form_time(v, timezone);
            if (!t) errors[k] = {"error_bad_time", {}};
            else (k == "starts_at" ? p.starts_at : p.ends_at) = *t;
        } else if (k == "session_id") {
            if (auto id = form_id(trim(v))) p.session_id = *id;
            else errors[k] = {"prog_error_unknown_session", {}};
        } else if (auto n = row_number(k, "speaker_")) {
            ids[*n] = trim(v);
        } else if (auto n = row_number(k, "role_")) {
            roles[*n] = trim(v);
        }
    }
    std::vector<talk_speaker> list;
    for (const auto& [n, id_text] : ids) {
        if (id_text.empty()) continue;
        auto id = form_id(id_text);
        auto role = roles.count(n) && !roles[n].empty() ? roles[n] : std::string("speaker");
        if (!id) fail(errors, "speakers", "prog_error_unknown_speaker");
        else if (!one_of(speaker_roles, role)) fail(errors, "speakers", "prog_error_unknown_role");
        else list.push_back({*id, role});
    }
    p.speakers = std::move(list);
    return p;
}

// ---- checks ----

void apply(speaker& s, const speaker_patch& p, field_errors& errors) {
    for (const auto& [k, v] : p.text) {
        if (k == "honorific") s.honorific = v;
        else if (k == "name") s.name = v;
        else if (k == "position") s.position = v;
        else if (k == "organisation") s.organisation = v;
        else if (k == "bio") s.bio = v;
        else if (k == "email") s.email = v;
    }
    if (s.name.empty()) fail(errors, "name", "error_required");
    if (!s.email.empty() && !(accounts::plausible_email(s.email) && mail::safe_address(s.email)))
        fail(errors, "email", "error_bad_address");
}

void apply(session& s, const session_patch& p, const events::event& e, const programme_data& d, field_errors& errors) {
    for (const auto& [k, v] : p.text) {
        if (k == "title") s.title = v;
        else if (k == "kind") s.kind = v;
        else if (k == "room") s.room = v;
        else if (k == "description") s.description = v;
    }
    if (p.starts_at) s.starts_at = *p.starts_at;
    if (p.ends_at) s.ends_at = *p.ends_at;
    if (p.chair_id) s.chair_id = *p.chair_id;
    if (s.title.empty()) fail(errors, "title", "error_required");
    if (!one_of(session_kinds, s.kind)) fail(errors, "kind", "error_unknown_value");
    if (s.chair_id && !by_id(d.speakers, s.chair_id)) fail(errors, "chair_id", "prog_error_unknown_speaker");
    if (!s.starts_at) fail(errors, "starts_at", "error_required");
    if (!s.ends_at) fail(errors, "ends_at", "error_required");
    if (s.starts_at && s.ends_at && s.ends_at <= s.starts_at) fail(errors, "ends_at", "error_end_before_start");
    // Within the event's days (by the calendar of the event's zone): registration before the
    // opening hour or a dinner after the last talk are fine, another day is a mistake.
    auto first = local_date(e.starts_at, e.timezone), last = local_date(e.ends_at, e.timezone);
    std::vector<std::pair<std::string, std::string>> days{{"first", first}, {"last", last}};
    if (s.starts_at && local_date(s.starts_at, e.timezone) < first) fail(errors, "starts_at", "prog_error_outside_event", days);
    if (s.ends_at && local_date(s.ends_at, e.timezone) > last) fail(errors, "ends_at", "prog_error_outside_event", days);
    if (s.starts_at && local_date(s.starts_at, e.timezone) > last) fail(errors, "starts_at", "prog_error_outside_event", days);
}

void apply(talk& t, const talk_patch& p, const events::event& e, const programme_data& d, field_errors& errors) {
    for (const auto& [k, v] : p.text) {
        if (k == "title") t.title = v;
        else if (k == "abstract") t.abstract = v;
    }
    if (p.session_id) t.session_id = *p.session_id;
    if (p.starts_at) t.starts_at = *p.starts_at;
    if (p.ends_at) t.ends_at = *p.ends_at;
    if (p.speakers) t.speakers = *p.speakers;
    if (t.title.empty()) fail(errors, "title", "error_required");
    const session* s = t.session_id ? by_id(d.sessions, t.session_id) : nullptr;
    if (!t.session_id) fail(errors, "session_id", "error_required");
    else if (!s) fail(errors, "session_id", "prog_error_unknown_session");
    std::set<std::int64_t> seen;
    for (const auto& ts : t.speakers) {
        if (!by_id(d.speakers, ts.speaker_id)) fail(errors, "speakers", "prog_error_unknown_speaker");
        else if (!seen.insert(ts.speaker_id).second) fail(errors, "speakers", "prog_error_speaker_twice");
    }
    if (t.speakers.size() > max_talk_speakers)
        fail(errors, "speakers", "error_too_many", {{"max", std::to_string(max_talk_speakers)}});
    if (t.starts_at && !t.ends_at) fail(errors, "ends_at", "prog_error_both_times");
    if (!t.starts_at && t.ends_at) fail(errors, "starts_at", "prog_error_both_times");
    if (t.starts_at && t.ends_at && t.ends_at <= t.starts_at) fail(errors, "ends_at", "error_end_before_start");
    if (s && t.starts_at && t.ends_at && (t.starts_at < s->starts_at || t.ends_at > s->ends_at))
        fail(errors, "starts_at", "prog_error_outside_session",
             {{"from", local_hhmm(s->starts_at, e.timezone)}, {"to", local_hhmm(s->ends_at, e.timezone)}});
}

// ---- warnings ----

std::vector<warning> overlaps(const programme_data& d) {
    std::vector<warning> out;
    const auto& ss = d.sessions;
    for (std::size_t i = 0; i < ss.size(); ++i)
        for (std::size_t j = i + 1; j < ss.size(); ++j) {
            const auto &a = ss[i], &b = ss[j];
            if (room_key(a.room) != room_key(b.room) || !overlap(a.starts_at, a.ends_at, b.starts_at, b.ends_at)) continue;
            warning w;
            w.key = a.room.empty() ? "prog_warn_sessions_overlap" : "prog_warn_sessions_room";
            w.args = {{"first", a.title}, {"second", b.title}, {"room", a.room}};
            w.session_ids = {a.id, b.id};
            out.push_back(std::move(w));
        }
    const auto& ts = d.talks;
    // A session moved or shortened after its talks were timed.
    for (const auto& t : ts) {
        const auto* s = by_id(d.sessions, t.session_id);
        if (s && t.starts_at && (t.starts_at < s->starts_at || t.ends_at > s->ends_at))
            out.push_back({"prog_warn_talk_outside", {{"first", t.title}, {"second", s->title}}, {s->id}, {t.id}});
    }
    auto span = [&](const talk& t) -> std::pair<std::int64_t, std::int64_t> {
        if (t.starts_at) return {t.starts_at, t.ends_at};
        const auto* s = by_id(d.sessions, t.session_id);
        return s ? std::pair{s->starts_at, s->ends_at} : std::pair<std::int64_t, std::int64_t>{0, 0};
    };
    for (std::size_t i = 0; i < ts.size(); ++i)
        for (std::size_t j = i + 1; j < ts.size(); ++j) {
            const auto &a = ts[i], &b = ts[j];
            bool same_session = a.session_id == b.session_id;
            if (same_session && a.starts_at && b.starts_at && overlap(a.starts_at, a.ends_at, b.starts_at, b.ends_at)) {
                out.push_back({"prog_warn_talks_overlap", {{"first", a.title}, {"second", b.title}}, {a.session_id}, {a.id, b.id}});
                continue;
            }
            // Untimed talks of one session follow each other: they cannot clash.
            if (same_session && (!a.starts_at || !b.starts_at)) continue;
            auto [a0, a1] = span(a);
            auto [b0, b1] = span(b);
            if (!overlap(a0, a1, b0, b1)) continue;
            for (const auto& x : a.speakers)
                for (const auto& y : b.speakers)
                    if (x.speaker_id == y.speaker_id) {
                        const auto* sp = by_id(d.speakers, x.speaker_id);
                        out.push_back({"prog_warn_speaker_busy",
                                       {{"name", sp ? display_name(*sp) : std::string{}}, {"first", a.title}, {"second", b.title}},
                                       {a.session_id, b.session_id},
                                       {a.id, b.id}});
                    }
        }
    return out;
}

std::vector<warning> concerning(const std::vector<warning>& all, std::int64_t session_id, std::int64_t talk_id) {
    std::vector<warning> out;
    for (const auto& w : all) {
        bool hit = (session_id && std::find(w.session_ids.begin(), w.session_ids.end(), session_id) != w.session_ids.end()) ||
                   (talk_id && std::find(w.talk_ids.begin(), w.talk_ids.end(), talk_id) != w.talk_ids.end());
        if (hit) out.push_back(w);
    }
    return out;
}

json::array warnings_json(const std::vector<warning>& ws, const view::i18n& texts, const std::string& lang) {
    json::array out;
    for (const auto& w : ws) {
        json::array sessions(w.session_ids.begin(), w.session_ids.end()), talks(w.talk_ids.begin(), w.talk_ids.end());
        out.push_back(json::object{{"code", w.key.substr(std::string_view("prog_warn_").size())},
                                   {"message", texts.text(lang, w.key, w.args)},
                                   {"session_ids", std::move(sessions)},
                                   {"talk_ids", std::move(talks)}});
    }
    return out;
}

// ---- order ----

std::size_t placement(const std::vector<talk>& in_session, const talk& t) {
    if (!t.starts_at) return in_session.size();
    std::size_t at = 0;
    bool any_timed = false;
    for (std::size_t i = 0; i < in_session.size(); ++i) {
        if (!in_session[i].starts_at) continue;
        any_timed = true;
        if (in_session[i].starts_at <= t.starts_at) at = i + 1;
    }
    return any_timed ? at : in_session.size();
}

std::vector<std::int64_t> reorder(const std::vector<talk>& in_session, std::int64_t talk_id, std::int64_t index) {
    std::vector<std::int64_t> ids;
    for (const auto& t : in_session)
        if (t.id != talk_id) ids.push_back(t.id);
    auto at = static_cast<std::size_t>(std::clamp<std::int64_t>(index, 0, static_cast<std::int64_t>(ids.size())));
    ids.insert(ids.begin() + static_cast<std::ptrdiff_t>(at), talk_id);
    return ids;
}

// ---- shapes ----

std::string display_name(const speaker& s) { return s.honorific.empty() ? s.name : s.honorific + " " + s.name; }

json::object to_json(const speaker& s, bool with_private) {
    json::object o{{"id", s.id},
                   {"event_id", s.event_id},
                   {"honorific", s.honorific},
                   {"name", s.name},
                   {"position", s.position},
                   {"organisation", s.organisation},
                   {"bio", s.bio},
                   {"photo_url", s.photo.empty() ? json::value(nullptr) : json::value("/speakers/" + std::to_string(s.id) + "/photo")}};
    if (with_private) o["email"] = s.email;
    return o;
}

namespace {
json::value time_or_null(std::int64_t t, const std::string& tz) {
    return t ? json::value(view::format_iso_local(t, tz)) : json::value(nullptr);
}
}  // namespace

json::object to_json(const session& s, const std::string& timezone) {
    return json::object{{"id", s.id},
                        {"event_id", s.event_id},
                        {"title", s.title},
                        {"kind", s.kind},
                        {"starts_at", view::format_iso_local(s.starts_at, timezone)},
                        {"ends_at", view::format_iso_local(s.ends_at, timezone)},
                        {"room", s.room},
                        {"chair_id", s.chair_id ? json::value(s.chair_id) : json::value(nullptr)},
                        {"description", s.description}};
}

json::object to_json(const talk& t, const std::string& timezone) {
    json::array ids, speakers;
    for (const auto& ts : t.speakers) {
        ids.push_back(ts.speaker_id);
        speakers.push_back(json::object{{"id", ts.speaker_id}, {"role", ts.role}});
    }
    return json::object{{"id", t.id},
                        {"event_id", t.event_id},
                        {"session_id", t.session_id},
                        {"title", t.title},
                        {"abstract", t.abstract},
                        {"starts_at", time_or_null(t.starts_at, timezone)},
                        {"ends_at", time_or_null(t.ends_at, timezone)},
                        {"position", t.position},
                        {"speaker_ids", std::move(ids)},
                        {"speakers", std::move(speakers)}};
}

namespace {

// Sessions grouped by their local day, in order; each with its talks in order.
struct day_group {
    std::string date;
    std::vector<const session*> sessions;
};
std::vector<day_group> group_days(const events::event& e, const programme_data& d) {
    std::vector<const session*> sorted;
    for (const auto& s : d.sessions) sorted.push_back(&s);
    std::stable_sort(sorted.begin(), sorted.end(), [](const session* a, const session* b) {
        return a->starts_at != b->starts_at ? a->starts_at < b->starts_at : a->ends_at < b->ends_at;
    });
    std::vector<day_group> days;
    for (const auto* s : sorted) {
        auto date = local_date(s->starts_at, e.timezone);
        if (days.empty() || days.back().date != date) days.push_back({date, {}});
        days.back().sessions.push_back(s);
    }
    return days;
}

std::vector<const talk*> talks_in(const programme_data& d, std::int64_t session_id) {
    std::vector<const talk*> out;
    for (const auto& t : d.talks)
        if (t.session_id == session_id) out.push_back(&t);
    std::stable_sort(out.begin(), out.end(), [](const talk* a, const talk* b) {
        return a->position != b->position ? a->position < b->position : a->id < b->id;
    });
    return out;
}

}  // namespace

json::object programme_json(const events::event& e, const programme_data& d, bool with_private) {
    json::array days;
    for (const auto& g : group_days(e, d)) {
        json::array sessions;
        for (const auto* s : g.sessions) {
            auto sj = to_json(*s, e.timezone);
            const auto* chair = s->chair_id ? by_id(d.speakers, s->chair_id) : nullptr;
            sj["chair"] = chair ? json::value(to_json(*chair, with_private)) : json::value(nullptr);
            json::array talks;
            for (const auto* t : talks_in(d, s->id)) {
                auto tj = to_json(*t, e.timezone);
                json::array speakers;
                for (const auto& ts : t->speakers)
                    if (const auto* sp = by_id(d.speakers, ts.speaker_id)) {
                        auto o = to_json(*sp, with_private);
                        o["role"] = ts.role;
                        speakers.push_back(std::move(o));
                    }
                tj["speakers"] = std::move(speakers);
                talks.push_back(std::move(tj));
            }
            sj["talks"] = std::move(talks);
            sessions.push_back(std::move(sj));
        }
        days.push_back(json::object{{"date", g.date}, {"sessions", std::move(sessions)}});
    }
    return json::object{{"event_id", e.id}, {"timezone", e.timezone}, {"days", std::move(days)}};
}

std::string initials(std::string_view name) {
    std::string out;
    int words = 0;
    bool at_start = true;
    for (std::size_t i = 0; i < name.size() && words < 2;) {
        auto c = static_cast<unsigned char>(name[i]);
        std::size_t len = c < 0x80 ? 1 : c < 0xe0 ? 2 : c < 0xf0 ? 3 : 4;
        if (c == ' ') {
            at_start = true;
        } else if (at_start) {
            out.append(name.substr(i, len));
            ++words;
            at_start = false;
        }
        i += len;
    }
    return out;
}

json::object speaker_view(const speaker& s) {
    auto o = to_json(s, false);
    o["display_name"] = display_name(s);
    std::string affiliation = s.position;
    if (!s.organisation.empty()) affiliation += (affiliation.empty() ? "" : ", ") + s.organisation;
    o["affiliation"] = affiliation;
    o["bio_html"] = view::render_description(s.bio);
    o["initials"] = initials(s.name);
    return o;
}

json::array days_view(const events::event& e, const programme_data& d, const std::map<std::int64_t, json::array>* materials,
                      const view::i18n& texts, const std::string& lang) {
    json::array days;
    int n = 0;
    for (const auto& g : group_days(e, d)) {
        json::array sessions;
        for (const auto* s : g.sessions) {
            json::object sv{{"id", s->id},
                            {"title", s->title},
                            {"kind", s->kind},
                            {"kind_label", texts.text(lang, "prog_kind_" + s->kind)},
                            {"is_break", s->kind == "break"},
                            {"time", view::format_time_range(s->starts_at, s->ends_at, e.timezone, lang)},
                            {"starts", local_hhmm(s->starts_at, e.timezone)},
                            {"room", s->room},
                            {"description_html", view::render_description(s->description)}};
            if (const auto* chair = s->chair_id ? by_id(d.speakers, s->chair_id) : nullptr) {
                bool moderated = s->kind == "panel" || s->kind == "discussion";
                // The label inside the chair's own object: templates read it within {{#chair}}.
                auto cv = speaker_view(*chair);
                cv["chair_label"] = texts.text(lang, moderated ? "prog_role_moderator" : "prog_chair");
                sv["chair"] = std::move(cv);
            }
            json::array talks;
            for (const auto* t : talks_in(d, s->id)) {
                json::object tv{{"id", t->id}, {"title", t->title}, {"abstract_html", view::render_description(t->abstract)}};
                // Always set: mustache would otherwise show the session's time for an untimed talk.
                tv["time"] = t->starts_at ? view::format_time_range(t->starts_at, t->ends_at, e.timezone, lang)
                                          : std::string{};
                json::array speakers;
                for (const auto& ts : t->speakers)
                    if (const auto* sp = by_id(d.speakers, ts.speaker_id)) {
                        auto o = speaker_view(*sp);
                        o["role"] = ts.role;
                        if (ts.role != "speaker") o["role_label"] = texts.text(lang, "prog_role_" + ts.role);
                        speakers.push_back(std::move(o));
                    }
                tv["has_speakers"] = !speakers.empty();
                tv["speakers"] = std::move(speakers);
                if (materials) {
                    auto it = materials->find(t->id);
                    tv["has_materials"] = it != materials->end() && !it->second.empty();
                    tv["materials"] = it != materials->end() ? it->second : json::array{};
                }
                talks.push_back(std::move(tv));
            }
            sv["has_talks"] = !talks.empty();
            sv["talks"] = std::move(talks);
            sessions.push_back(std::move(sv));
        }
        ++n;
        auto date = view::parse_local(g.date + "T12:00", e.timezone).value_or(0);
        days.push_back(json::object{{"date", g.date},
                                    {"number", n},
                                    {"label", texts.text(lang, "prog_day_n", {{"n", std::to_string(n)}})},
                                    {"date_label", view::format_date(date, e.timezone, lang)},
                                    {"sessions", std::move(sessions)}});
    }
    return days;
}

}  // namespace sabor::programme

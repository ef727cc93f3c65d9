#include "events/service.hpp"

#include "accounts/repository.hpp"
#include "mail/message.hpp"
#include "util/utf8.hpp"
#include "view/dates.hpp"
#include "view/i18n.hpp"
#include "view/json_fields.hpp"
#include "view/text.hpp"

#include <algorithm>
#include <charconv>

namespace sabor::events {
namespace {

struct text_rule {
    std::string_view name;
    std::size_t max;
    bool multiline;
};
// Free-text fields and their limits (in characters).
constexpr text_rule text_rules[] = {
    {"title", 200, false},           {"kind", 40, false},
    {"timezone", 64, false},         {"venue", 200, false},
    {"address", 300, false},         {"city", 100, false},
    {"registration_mode", 40, false}, {"materials_visibility", 40, false},
    {"description", 20000, true},    {"funding_programme", 300, false},
    {"funding_project_code", 100, false}, {"funding_project_title", 500, false},
    {"funding_statement", 2000, true},
    {"contact_email", 254, false},   {"contact_phone", 40, false},
};

const text_rule* rule_for(std::string_view name) {
    for (const auto& r : text_rules)
        if (r.name == name) return &r;
    return nullptr;
}

using util::trim;

// Checks one text value; stores it trimmed, or an error for the field.
void take_text(event_patch& p, std::string_view name, std::string_view value, field_errors& errors) {
    const auto* rule = rule_for(name);
    if (!util::valid_utf8(value)) {
        errors[std::string(name)] = {"error_invalid_utf8", {}};
        return;
    }
    if (util::has_control_chars(value, rule->multiline)) {
        errors[std::string(name)] = {"error_control_chars", {}};
        return;
    }
    auto v = trim(value);
    if (util::utf8_length(v) > rule->max) {
        errors[std::string(name)] = {"error_too_long", {{"max", std::to_string(rule->max)}}};
        return;
    }
    p.text[std::string(name)] = std::move(v);
}

void take_names(std::optional<std::vector<std::string>>& out, std::string_view field,
                const std::vector<std::string>& names, field_errors& errors) {
    std::vector<std::string> clean;
    for (const auto& n : names) {
        if (!util::valid_utf8(n)) {
            errors[std::string(field)] = {"error_invalid_utf8", {}};
            return;
        }
        if (util::has_control_chars(n, false)) {
            errors[std::string(field)] = {"error_control_chars", {}};
            return;
        }
        auto t = trim(n);
        if (t.empty()) continue;
        if (util::utf8_length(t) > 200) {
            errors[std::string(field)] = {"error_too_long", {{"max", "200"}}};
            return;
        }
        clean.push_back(std::move(t));
    }
    if (clean.size() > 30) {
        errors[std::string(field)] = {"error_too_many", {{"max", "30"}}};
        return;
    }
    out = std::move(clean);
}

// Digits with the usual separators: "+359 82 123 456", "(082) 12-34-56".
bool plausible_phone(std::string_view v) {
    int digits = 0;
    for (char c : v) {
        if (c >= '0' && c <= '9') ++digits;
        else if (c != ' ' && c != '+' && c != '(' && c != ')' && c != '-') return false;
    }
    return digits >= 3;
}

template <std::size_t N>
bool one_of(const std::array<std::string_view, N>& values, std::string_view v) {
    return std::find(values.begin(), values.end(), v) != values.end();
}

}  // namespace

event_patch patch_from_json(const boost::json::object& body, field_errors& errors) {
    using view::json_type;
    static const std::vector<view::json_field> fields = [] {
        std::vector<view::json_field> t;
        for (const auto& r : text_rules) t.push_back({.name = r.name, .type = json_type::text});
        for (auto n : {"starts_at", "ends_at"}) t.push_back({.name = n, .type = json_type::text, .error = "error_bad_time"});
        t.push_back({.name = "capacity", .type = json_type::integer, .error = "error_capacity"});
        for (auto n : {"organisers", "partners"}) t.push_back({.name = n, .type = json_type::list});
        for (auto n : {"public_participants", "waitlist"}) t.push_back({.name = n, .type = json_type::boolean});
        for (auto n : {"registration_opens_at", "registration_closes_at"})
            t.push_back({.name = n, .type = json_type::text, .nullable = true, .error = "error_bad_time"});
        for (auto n : {"id", "slug", "status", "url", "created_at", "updated_at"}) t.push_back({.name = n, .read_only = true});
        return t;
    }();
    event_patch p;
    view::json_fields in(body, fields, errors);
    for (const auto& r : text_rules)
        if (auto v = in.text(r.name)) take_text(p, r.name, *v, errors);
    auto time = [&](const char* name, std::optional<std::int64_t>& target) {
        if (in.is_null(name)) target = 0;  // only the registration window may be cleared
        else if (auto v = in.text(name)) {
            if (auto t = view::parse_iso8601(*v)) target = *t;
            else errors[name] = {"error_bad_time", {}};
        }
    };
    time("starts_at", p.starts_at);
    time("ends_at", p.ends_at);
    time("registration_opens_at", p.registration_opens_at);
    time("registration_closes_at", p.registration_closes_at);
    // One beyond the signed range is refused as a negative one would be.
    if (auto* v = in.get("capacity")) p.capacity = v->is_int64() ? v->get_int64() : -1;
    for (auto [name, target] : {std::pair{"organisers", &p.organisers}, std::pair{"partners", &p.partners}}) {
        const auto* list = in.list(name);
        if (!list) continue;
        std::vector<std::string> names;
        for (const auto& n : *list) {
            if (!n.is_string()) {
                errors[name] = {"error_must_be_list", {}};
                break;
            }
            names.emplace_back(n.get_string());
        }
        if (names.size() == list->size()) take_names(*target, name, names, errors);
    }
    p.public_participants = in.boolean("public_participants");
    p.waitlist = in.boolean("waitlist");
    return p;
}

event_patch patch_from_form(const std::vector<std::pair<std::string, std::string>>& form, const std::string& timezone,
                            field_errors& errors) {
    event_patch p;
    auto tz = timezone;
    for (const auto& [k, v] : form)
        if (k == "timezone" && view::valid_timezone(v)) tz = v;
    // A checkbox is sent only when ticked; the event form always carries this marker.
    bool has_marker = false;
    for (const auto& [k, v] : form) has_marker = has_marker || k == "public_participants_present";
    if (has_marker) {
        p.public_participants = false;
        p.waitlist = false;
    }
    for (const auto& [k, v] : form) {
        if (k == "public_participants") p.public_participants = v == "1" || v == "on";
        if (k == "waitlist") p.waitlist = v == "1" || v == "on";
        if (k == "registration_opens_at" || k == "registration_closes_at") {
            auto& target = k == "registration_opens_at" ? p.registration_opens_at : p.registration_closes_at;
            if (trim(v).empty()) target = 0;
            else if (auto t = view::parse_local(v, tz)) target = *t;
            else errors[k] = {"error_bad_time", {}};
            continue;
        }
        if (rule_for(k)) {
            take_text(p, k, v, errors);
        } else if (k == "starts_at" || k == "ends_at") {
            if (trim(v).empty()) continue;  // "required" is decided by apply()
            auto t = view::parse_local(v, tz);
            if (!t) {
                errors[k] = {"error_bad_time", {}};
                continue;
            }
            (k == "starts_at" ? p.starts_at : p.ends_at) = *t;
        } else if (k == "capacity") {
            auto s = trim(v);
            std::int64_t n = 0;
            if (s.empty()) {
                p.capacity = 0;
                continue;
            }
            auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), n);
            if (ec != std::errc{} || end != s.data() + s.size()) {
                errors[k] = {"error_capacity", {}};
                continue;
            }
            p.capacity = n;
        } else if (k == "organisers" || k == "partners") {
            std::vector<std::string> lines;
            std::size_t start = 0;
            while (start <= v.size()) {
                auto nl = v.find('\n', start);
                if (nl == std::string::npos) nl = v.size();
                auto line = v.substr(start, nl - start);
                if (!line.empty() && line.back() == '\r') line.pop_back();
                lines.push_back(line);
                start = nl + 1;
            }
            take_names(k == "organisers" ? p.organisers : p.partners, k, lines, errors);
        }
        // Other form fields (csrf_token, buttons) are not event data.
    }
    return p;
}

void apply(event& e, const event_patch& p, field_errors& errors) {
    for (const auto& [k, v] : p.text) {
        if (k == "title") e.title = v;
        else if (k == "kind") e.kind = v;
        else if (k == "timezone") e.timezone = v;
        else if (k == "venue") e.venue = v;
        else if (k == "address") e.address = v;
        else if (k == "city") e.city = v;
        else if (k == "registration_mode") e.registration_mode = v;
        else if (k == "materials_visibility") e.materials_visibility = v;
        else if (k == "description") e.description = v;
        else if (k == "funding_programme") e.funding_programme = v;
        else if (k == "funding_project_code") e.funding_project_code = v;
        else if (k == "funding_project_title") e.funding_project_title = v;
        else if (k == "funding_statement") e.funding_statement = v;
        else if (k == "contact_email") e.contact_email = v;
        else if (k == "contact_phone") e.contact_phone = v;
    }
    if (p.starts_at) e.starts_at = *p.starts_at;
    if (p.ends_at) e.ends_at = *p.ends_at;
    if (p.capacity) e.capacity = *p.capacity;
    if (p.public_participants) e.public_participants = *p.public_participants;
    if (p.waitlist) e.waitlist = *p.waitlist;
    if (p.registration_opens_at) e.registration_opens_at = *p.registration_opens_at;
    if (p.registration_closes_at) e.registration_closes_at = *p.registration_closes_at;
    if (p.organisers) e.organisers = *p.organisers;
    if (p.partners) e.partners = *p.partners;

    auto fail = [&](const char* field, const char* key) {
        if (!errors.count(field)) errors[field] = {key, {}};
    };
    if (e.title.empty()) fail("title", "error_required");
    if (!one_of(kinds, e.kind)) fail("kind", "error_unknown_kind");
    if (!one_of(registration_modes, e.registration_mode)) fail("registration_mode", "error_unknown_value");
    if (!one_of(visibilities, e.materials_visibility)) fail("materials_visibility", "error_unknown_value");
    if (!view::valid_timezone(e.timezone)) fail("timezone", "error_unknown_value");
    if (e.capacity < 0 || e.capacity > 100000) fail("capacity", "error_capacity");
    if (e.starts_at == 0) fail("starts_at", "error_required");
    if (e.ends_at == 0) fail("ends_at", "error_required");
    if (e.starts_at && e.ends_at && e.ends_at <= e.starts_at) fail("ends_at", "error_end_before_start");
    if (e.registration_opens_at && e.registration_closes_at && e.registration_closes_at <= e.registration_opens_at)
        fail("registration_closes_at", "error_end_before_start");
    if (!e.contact_email.empty() && (!accounts::plausible_email(e.contact_email) || !mail::safe_address(e.contact_email)))
        fail("contact_email", "error_bad_address");
    if (!e.contact_phone.empty() && !plausible_phone(e.contact_phone)) fail("contact_phone", "error_bad_phone");
}

std::string phone_uri(std::string_view phone) {
    std::string out = "tel:";
    for (char c : phone)
        if ((c >= '0' && c <= '9') || (c == '+' && out.size() == 4)) out += c;
    return out;
}

bool accepting_registrations(const event& e, std::int64_t now) {
    return e.status == event_status::published && e.ends_at >= now &&
           (e.registration_mode == "open" || e.registration_mode == "moderated") &&
           (!e.registration_opens_at || now >= e.registration_opens_at) &&
           (!e.registration_closes_at || now <= e.registration_closes_at);
}

availability availability_of(const event& e, std::int64_t confirmed, std::int64_t now) {
    availability av{e.capacity, confirmed, availability_state::open};
    bool full = e.capacity > 0 && confirmed >= e.capacity;
    if (e.status != event_status::published || e.ends_at < now || e.registration_mode == "closed" ||
        (e.registration_closes_at && now > e.registration_closes_at))
        av.state = availability_state::closed;
    else if (e.registration_opens_at && now < e.registration_opens_at)
        av.state = availability_state::not_open;
    else if (full)
        av.state = e.waitlist ? availability_state::waitlist : availability_state::full;
    return av;
}

boost::json::object to_json(const availability& av) {
    return boost::json::object{
        {"capacity", av.capacity > 0 ? boost::json::value(av.capacity) : boost::json::value(nullptr)},
        {"confirmed", av.confirmed},
        {"seats_left", av.capacity > 0 ? boost::json::value(av.seats_left()) : boost::json::value(nullptr)},
        {"state", to_string(av.state)},
    };
}

boost::json::object availability_view(const availability& av, const event& e, const view::i18n& texts,
                                      const std::string& lang) {
    std::string text;
    if (av.state == availability_state::closed) text = texts.text(lang, "availability_closed");
    else if (av.state == availability_state::not_open)
        text = texts.text(lang, "availability_not_open",
                          {{"date", view::format_date_time(e.registration_opens_at, e.timezone, lang)}});
    else if (av.state == availability_state::full) text = texts.text(lang, "availability_full");
    else if (av.state == availability_state::waitlist) text = texts.text(lang, "availability_waitlist");
    else if (av.capacity > 0)
        text = av.seats_left() == 1 ? texts.text(lang, "availability_seats_left_one")
                                    : texts.text(lang, "availability_seats_left", {{"count", std::to_string(av.seats_left())}});
    boost::json::object v{{"state", to_string(av.state)}, {"text", text}};
    for (auto name : availability_states) v["is_" + std::string(name)] = to_string(av.state) == name;
    if (av.state == availability_state::waitlist) v["hint"] = texts.text(lang, "availability_waitlist_hint");
    return v;
}

boost::json::object to_json(const event& e, const std::string& public_base) {
    boost::json::array organisers(e.organisers.begin(), e.organisers.end());
    boost::json::array partners(e.partners.begin(), e.partners.end());
    return boost::json::object{
        {"id", e.id},
        {"slug", e.slug},
        {"url", public_base + "/events/" + e.slug},
        {"title", e.title},
        {"kind", e.kind},
        {"status", to_string(e.status)},
        {"starts_at", view::format_iso_local(e.starts_at, e.timezone)},
        {"ends_at", view::format_iso_local(e.ends_at, e.timezone)},
        {"timezone", e.timezone},
        {"venue", e.venue},
        {"address", e.address},
        {"city", e.city},
        {"capacity", e.capacity},
        {"registration_mode", e.registration_mode},
        {"materials_visibility", e.materials_visibility},
        {"public_participants", e.public_participants},
        {"waitlist", e.waitlist},
        {"registration_opens_at", e.registration_opens_at ? boost::json::value(view::format_iso_local(e.registration_opens_at, e.timezone))
                                                          : boost::json::value(nullptr)},
        {"registration_closes_at", e.registration_closes_at ? boost::json::value(view::format_iso_local(e.registration_closes_at, e.timezone))
                                                            : boost::json::value(nullptr)},
        {"description", e.description},
        {"organisers", std::move(organisers)},
        {"partners", std::move(partners)},
        {"funding_programme", e.funding_programme},
        {"funding_project_code", e.funding_project_code},
        {"funding_project_title", e.funding_project_title},
        {"funding_statement", e.funding_statement},
        {"contact_email", e.contact_email},
        {"contact_phone", e.contact_phone},
    };
}

boost::json::object to_view(const event& e, const view::i18n& texts, const std::string& lang) {
    auto v = to_json(e, "");
    v["when"] = view::format_range(e.starts_at, e.ends_at, e.timezone, lang);
    v["date"] = view::format_date(e.starts_at, e.timezone, lang);
    // A new event has no times yet (0): its form starts empty, not at 01.01.1970.
    v["starts_input"] = e.starts_at ? view::format_input_local(e.starts_at, e.timezone) : "";
    v["ends_input"] = e.ends_at ? view::format_input_local(e.ends_at, e.timezone) : "";
    v["opens_input"] = e.registration_opens_at ? view::format_input_local(e.registration_opens_at, e.timezone) : "";
    v["closes_input"] = e.registration_closes_at ? view::format_input_local(e.registration_closes_at, e.timezone) : "";
    v["description_html"] = view::render_description(e.description);
    v["kind_label"] = texts.text(lang, "kind_" + e.kind);
    v["status_label"] = texts.text(lang, "status_" + std::string(to_string(e.status)));
    v["mode_label"] = texts.text(lang, "mode_" + e.registration_mode);
    v["is_draft"] = e.status == event_status::draft;
    v["is_published"] = e.status == event_status::published;
    v["is_cancelled"] = e.status == event_status::cancelled;
    v["has_funding"] = e.has_funding();
    v["has_organisers"] = !e.organisers.empty();
    v["has_partners"] = !e.partners.empty();
    v["capacity_label"] = e.capacity > 0 ? std::to_string(e.capacity) : texts.text(lang, "capacity_unlimited");
    std::string organisers_text, partners_text;
    for (const auto& o : e.organisers) organisers_text += o + "\n";
    for (const auto& p : e.partners) partners_text += p + "\n";
    v["organisers_text"] = organisers_text;
    std::string line;
    for (const auto& o : e.organisers) line += (line.empty() ? "" : "; ") + o;
    v["organisers_line"] = line;
    v["partners_text"] = partners_text;
    v["contact_phone_uri"] = e.contact_phone.empty() ? std::string{} : phone_uri(e.contact_phone);
    v["has_contact"] = !e.contact_email.empty() || !e.contact_phone.empty();
    return v;
}


std::string where_text(const event& e) {
    std::string out;
    for (const auto* part : {&e.venue, &e.address, &e.city}) {
        if (part->empty()) continue;
        if (!out.empty()) out += ", ";
        out += *part;
    }
    return out;
}

}  // namespace sabor::events

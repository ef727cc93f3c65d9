#include "registration/scheduled.hpp"

#include "mail/unsubscribe.hpp"
#include "events/mail_contact.hpp"
#include "events/repository.hpp"
#include "mail/composer.hpp"
#include "mail/message.hpp"
#include "mail/outbox.hpp"
#include "registration/checkin.hpp"
#include "registration/repository.hpp"
#include "registration/service.hpp"
#include "util/crypto.hpp"
#include "util/utf8.hpp"
#include "view/dates.hpp"
#include "view/json_fields.hpp"
#include "view/text.hpp"
#include "view/placeholders.hpp"

#include <boost/json.hpp>

#include <algorithm>
#include <iostream>

namespace sabor::registration {
namespace json = boost::json;

std::int64_t default_offset_minutes(scheduled_kind kind) { return kind == scheduled_kind::reminder ? 24 * 60 : 2 * 60; }

void check_placeholder_text(const std::string& v, std::size_t max, bool multiline, view::placeholder_names allowed,
                            const std::string& key, field_errors& errors) {
    if (!util::valid_utf8(v)) return void(errors[key] = {"error_invalid_utf8", {}});
    if (util::has_control_chars(v, multiline)) return void(errors[key] = {"error_control_chars", {}});
    if (util::trim(v, " \t\r\n").empty()) return void(errors[key] = {"error_required", {}});
    if (util::utf8_length(v) > max) return void(errors[key] = {"error_too_long", {{"max", std::to_string(max)}}});
    if (auto bad = view::unknown_placeholder(v, allowed))
        errors[key] = {"error_unknown_placeholder", {{"placeholder", *bad}}};
}

std::optional<std::string> bad_placeholder(std::string_view text) {
    return view::unknown_placeholder(text, scheduled_placeholders);
}

std::string fill_placeholders(std::string_view text, const view::placeholder_values& values) {
    try {
        return view::placeholder_text(text, scheduled_placeholders).fill(values);
    } catch (const view::placeholder_error&) {
        return std::string(text);  // checked when saved; shown as written rather than lost
    }
}

bool uses_placeholder(std::string_view text, std::string_view name) {
    try {
        return view::placeholder_text(text, scheduled_placeholders).uses(name);
    } catch (const view::placeholder_error&) {
        return false;
    }
}

void check_message(const scheduled_message& m, field_errors& errors) {
    check_placeholder_text(m.subject, max_subject, false, scheduled_placeholders, m.prefix() + "_subject", errors);
    check_placeholder_text(m.body, max_body, true, scheduled_placeholders, m.prefix() + "_body", errors);
    if (m.offset_minutes < 0 || m.offset_minutes > max_offset_minutes)
        errors[m.prefix() + "_offset"] = {"error_offset_range", {{"max", std::to_string(max_offset_minutes / 60)}}};
}

void apply_json(scheduled_message& m, const json::value& v, field_errors& errors) {
    if (!v.is_object()) return void(errors[m.prefix()] = {"error_must_be_object", {}});
    using view::json_type;
    // Errors under "<kind>_<field>", as the page's form names them; the read-only fields of
    // GET may come back as read.
    static constexpr view::json_field fields[] = {
        {.name = "enabled", .type = json_type::boolean},
        {.name = "offset_minutes", .type = json_type::integer, .reported_as = "offset"},
        {.name = "subject", .type = json_type::text},
        {.name = "body", .type = json_type::text},
        {.name = "kind", .ignored = true},
        {.name = "sent_at", .ignored = true},
        {.name = "due_at", .ignored = true},
    };
    view::json_fields in(v.get_object(), fields, errors, m.prefix() + "_");
    if (auto x = in.boolean("enabled")) m.enabled = *x;
    if (auto x = in.integer("offset_minutes")) m.offset_minutes = *x;  // its range: check_message
    if (auto x = in.text("subject")) m.subject = *x;
    if (auto x = in.text("body")) m.body = *x;
}

json::object to_json(const scheduled_message& m, std::int64_t due, const std::string& tz) {
    auto sent = m.sent_at.empty() ? std::optional<std::int64_t>{} : view::parse_iso8601(m.sent_at);
    return json::object{{"kind", to_string(m.kind)},
                        {"enabled", m.enabled},
                        {"offset_minutes", m.offset_minutes},
                        {"subject", m.subject},
                        {"body", m.body},
                        {"due_at", view::format_iso_local(due, tz)},
                        {"sent_at", sent ? json::value(view::format_iso_local(*sent, tz)) : json::value(nullptr)}};
}

std::int64_t due_at(const scheduled_message& m, std::int64_t starts_at, std::int64_t ends_at) {
    return m.kind == scheduled_kind::reminder ? starts_at - m.offset_minutes * 60 : ends_at + m.offset_minutes * 60;
}

std::vector<due_message> due_messages(storage::database& db, std::int64_t now) {
    std::vector<due_message> out;
    for (auto& p : scheduled_repository(db).pending()) {
        if (p.event_status != events::event_status::published) continue;  // drafts wait; cancelled events send nothing
        if (now < due_at(p.m, p.starts_at, p.ends_at)) continue;
        auto action = p.m.kind == scheduled_kind::reminder && now >= p.ends_at ? due_action::skip : due_action::send;
        out.push_back({std::move(p), action});
    }
    return out;
}

namespace {

// Queues the message to every recipient and marks it sent, in one transaction.
int send_one(storage::database& db, const mail::composer& composer, const std::string& public_base, const std::string& secret,
             const due_message& d, std::int64_t now) {
    storage::transaction tx(db);
    scheduled_repository repo(db);
    // Read again under the write lock: another process may have sent or changed it.
    auto m = repo.find(d.p.m.id);
    auto e = m ? events::repository(db).find(m->event_id) : std::nullopt;
    if (!m || !e || !m->enabled || !m->sent_at.empty() || e->status != events::event_status::published) return 0;
    if (now < due_at(*m, e->starts_at, e->ends_at)) return 0;
    int queued = 0;
    if (d.action == due_action::send && !(m->kind == scheduled_kind::reminder && now >= e->ends_at)) {
        mail::outbox box(db);
        repository regs(db);
        bool with_link = uses_placeholder(m->subject, "manage_url") || uses_placeholder(m->body, "manage_url");
        // The same for every recipient (the date once per language): the loop holds the write lock.
        std::map<std::string, std::string> dates, days;
        auto venue = events::where_text(*e);
        auto event_url = public_base + "/events/" + e->slug;
        // The reminder brings what the confirmation brought: the check-in card and the calendar file.
        bool reminder = m->kind == scheduled_kind::reminder;
        auto ics = reminder ? event_ics(*e, public_base) : std::string{};
        for (const auto& r : repo.confirmed_recipients(e->id)) {
            // Only the personal link's hash is kept: the message carries a new one, which
            // replaces the old one only once the message is queued.
            std::string manage, token;
            if (with_link) {
                token = util::random_token(24);
                manage = manage_url(public_base, token);
            }
            auto date = dates.find(r.locale);
            if (date == dates.end())
                date = dates.emplace(r.locale, view::format_range(e->starts_at, e->ends_at, e->timezone, r.locale)).first;
            auto day = days.find(r.locale);
            if (day == days.end())
                day = days.emplace(r.locale, view::relative_day(e->starts_at, now, e->timezone, r.locale)).first;
            std::map<std::string, std::string, std::less<>> values{
                {"name", r.name},
                {"organisation", r.organisation},
                {"event_title", e->title},
                {"event_date", date->second},
                {"event_day", day->second},
                {"venue", venue},
                {"event_url", event_url},
                {"manage_url", manage}};
            auto text = fill_placeholders(m->body, values);
            mail::outgoing o;
            o.kind = "scheduled_message";
            o.locale = r.locale;
            o.event_id = e->id;
            o.to_address = r.email;
            o.to_name = r.name;
            o.data = json::object{{"message_subject", fill_placeholders(m->subject, values)},
                                  {"message_text", text},
                                  // Escaped by render_description: the organiser's text is never HTML.
                                  {"message_html", view::render_description(text)},
                                  {"event_title", e->title},
                                  {"event_url", values["event_url"]}};
            events::add_mail_contact(o, *e);
            if (reminder) {
                add_checkin_card(o, public_base, secret, r.registration_id);
                o.attachments.push_back({"event.ics", "text/calendar; method=PUBLISH", ics});
            }
            mail::make_bulk(o, public_base, secret);
            try {
                composer.enqueue(box, o);
                if (with_link) regs.add_link(r.registration_id, util::token_hash(token));
                ++queued;
            } catch (const mail::build_error& err) {
                // One unusable address must not hold back everyone else's message.
                std::cerr << "scheduled message " << m->id << ": skipped registration " << r.registration_id << ": "
                          << err.what() << std::endl;
            }
        }
    }
    repo.mark_sent(m->id, view::format_iso_utc(now));
    tx.commit();
    return queued;
}

}  // namespace

int send_due(storage::database& db, const mail::composer& composer, const std::string& public_base, const std::string& secret,
             std::int64_t now) {
    int queued = 0;
    for (const auto& d : due_messages(db, now)) queued += send_one(db, composer, public_base, secret, d, now);
    return queued;
}

}  // namespace sabor::registration

#include "registration/service.hpp"

#include "accounts/repository.hpp"
#include "contacts/invitations.hpp"
#include "events/mail_contact.hpp"
#include "mail/composer.hpp"
#include "mail/message.hpp"
#include "registration/checkin.hpp"
#include "view/ics.hpp"
#include "registration/notices.hpp"
#include "registration/repository.hpp"
#include "util/crypto.hpp"
#include "util/utf8.hpp"
#include "view/dates.hpp"
#include "view/json_fields.hpp"

#include <boost/json.hpp>

#include <algorithm>

namespace sabor::registration {
namespace {

struct text_field {
    std::string_view name;
    std::string input::*member;
    std::size_t max;
};
constexpr text_field text_fields[] = {
    {"name", &input::name, 200},
    {"email", &input::email, 254},
    {"organisation", &input::organisation, 200},
    {"position", &input::position, 200},
    {"organisation_type", &input::organisation_type, 40},
    {"town", &input::town, 100},
    {"phone", &input::phone, 40},
};

// Spaces and tabs only: line breaks in a value are refused before, not trimmed away.
std::string trim(std::string_view s) { return util::trim(s, " \t"); }

bool truthy(std::string_view v) { return v == "1" || v == "on" || v == "true" || v == "yes"; }

// The seat a new or returning registrant gets, decided from counts read inside the transaction.
registration_status seat_for(repository& repo, const events::event& e) {
    if (e.registration_mode == "moderated") return registration_status::pending;
    if (e.capacity == 0) return registration_status::confirmed;
    return repo.count(e.id, registration_status::confirmed) < e.capacity ? registration_status::confirmed
                                                                          : registration_status::waitlisted;
}

// Queues one message about a registration, in the caller's transaction.
void queue_mail(context& c, const events::event& e, const registration& r, const std::string& kind,
                const std::string& token, repository& repo, const boost::json::object& extra = {}) {
    mail::outgoing o;
    o.kind = kind;
    o.locale = r.locale;
    o.event_id = e.id;
    o.to_address = r.email;
    o.to_name = r.name;
    o.data = mail_data(c.public_base, e, r.name, r.locale, token.empty() ? std::string{} : manage_url(c.public_base, token));
    events::add_mail_contact(o, e);
    // No door to show a code at once the event is cancelled.
    if (r.status == registration_status::confirmed && kind != "event_cancelled") add_checkin_card(o, c.public_base, c.secret, r.id);
    if (kind == "registration_waitlisted") o.data["position"] = std::to_string(repo.waitlist_position(r));
    if (kind == "registration_confirmed" || kind == "registration_promoted" || kind == "registration_approved")
        o.attachments.push_back({"event.ics", "text/calendar; method=PUBLISH", event_ics(e, c.public_base)});
    for (const auto& [k, v] : extra) o.data[k] = v;
    c.mail.enqueue(c.db, o);
}

// A registration not yet stored, from what was checked by validate().
registration new_registration(const events::event& e, const input& in) {
    registration r;
    r.event_id = e.id;
    r.email = in.email;
    r.consent = in.consent;
    apply_details(r, in);
    r.locale = in.locale;
    return r;
}

// One more personal link for a message that needs it (only hashes are stored, so the
// link cannot be mailed twice); the links in earlier mails keep working.
std::string new_link(repository& repo, std::int64_t id) {
    auto token = util::random_token(24);
    repo.add_link(id, util::token_hash(token));
    return token;
}

// `out` refused, for this reason.
outcome refuse(outcome& out, refusal why) {
    out.what = outcome::refused;
    out.why = why;
    return out;
}

}  // namespace

boost::json::object mail_data(const std::string& public_base, const events::event& e, const std::string& name,
                              const std::string& locale, const std::string& manage_link) {
    return boost::json::object{
        {"name", name},
        {"event_title", e.title},
        {"event_when", view::format_range(e.starts_at, e.ends_at, e.timezone, locale)},
        {"event_where", events::where_text(e)},
        {"event_url", public_base + "/events/" + e.slug},
        {"manage_url", manage_link},
    };
}

std::string manage_url(const std::string& public_base, const std::string& token) { return public_base + "/r/" + token; }

std::string event_ics(const events::event& e, const std::string& public_base) {
    view::calendar_event ce;
    auto scheme_end = public_base.find("://");
    auto host = public_base.substr(scheme_end == std::string::npos ? 0 : scheme_end + 3);
    // A stable UID per event, so calendars update the entry rather than add another.
    ce.uid = "event-" + std::to_string(e.id) + "@" + host.substr(0, host.find_first_of(":/"));
    ce.title = e.title;
    ce.location = events::where_text(e);
    ce.url = public_base + "/events/" + e.slug;
    ce.description = ce.url;
    ce.starts_at = e.starts_at;
    ce.ends_at = e.ends_at;
    ce.stamp = e.starts_at;
    ce.cancelled = e.status == events::event_status::cancelled;
    return view::make_ics(ce);
}

input input_from_json(const boost::json::object& body, field_errors& errors) {
    using view::json_type;
    static constexpr view::json_field fields[] = {
        {.name = "name", .type = json_type::text},
        {.name = "email", .type = json_type::text},
        {.name = "organisation", .type = json_type::text},
        {.name = "position", .type = json_type::text},
        {.name = "organisation_type", .type = json_type::text},
        {.name = "town", .type = json_type::text},
        {.name = "phone", .type = json_type::text},
        {.name = "consent", .type = json_type::boolean},
        {.name = "public_listing", .type = json_type::boolean},
        {.name = "locale", .type = json_type::text, .error = "error_unknown_value"},
        {.name = "answers"},  // checked against the event's questions by validate()
        {.name = "invitation", .type = json_type::text},
    };
    static_assert(std::size(text_fields) == 7);  // each of them in the table above
    view::json_fields read(body, fields, errors);
    input in;
    for (const auto& f : text_fields)
        if (auto v = read.text(f.name)) in.*(f.member) = std::move(*v);
    in.consent = read.boolean("consent").value_or(in.consent);
    in.public_listing = read.boolean("public_listing").value_or(in.public_listing);
    if (auto v = read.text("locale")) {
        if (*v == "bg" || *v == "en") in.locale = *v;
        else errors["locale"] = {"error_unknown_value", {}};
    }
    if (auto* v = read.get("answers")) in.answers_json = *v;
    if (auto v = read.text("invitation")) in.invitation = std::move(*v);
    return in;
}

input input_from_form(const std::vector<std::pair<std::string, std::string>>& form, field_errors&) {
    input in;
    in.form = form;
    in.from_form = true;
    for (const auto& [k, v] : form) {
        auto it = std::find_if(std::begin(text_fields), std::end(text_fields), [&](const text_field& f) { return f.name == k; });
        if (it != std::end(text_fields)) in.*(it->member) = v;
        else if (k == "consent") in.consent = truthy(v);
        else if (k == "public_listing") in.public_listing = truthy(v);
        else if (k == "website") in.honeypot_filled = !v.empty();
        else if (k == "invitation") in.invitation = v;
    }
    return in;
}

void validate(input& in, field_errors& errors, const form_settings& settings) {
    for (const auto& f : text_fields) {
        auto& v = in.*(f.member);
        if (errors.count(std::string(f.name))) continue;
        if (!util::valid_utf8(v)) {
            errors[std::string(f.name)] = {"error_invalid_utf8", {}};
            v.clear();
            continue;
        }
        if (util::has_control_chars(v, false)) {
            errors[std::string(f.name)] = {"error_control_chars", {}};
            continue;
        }
        v = trim(v);
        if (util::utf8_length(v) > f.max) errors[std::string(f.name)] = {"error_too_long", {{"max", std::to_string(f.max)}}};
    }
    if (!errors.count("name") && in.name.empty()) errors["name"] = {"error_required", {}};
    for (auto field : configurable_fields) {
        auto member = std::find_if(std::begin(text_fields), std::end(text_fields),
                                    [&](const text_field& f) { return f.name == field; })->member;
        std::string key(field);
        if (!settings.shown(field)) (in.*member).clear();  // a hidden field is not asked, so not kept
        else if (settings.required(field) && !in.walk_in && (in.*member).empty() && !errors.count(key))
            errors[key] = {"error_required", {}};
    }
    if (in.check_answers)
        in.answers = in.from_form ? answers_from_form(settings, in.form, errors)
                                  : answers_from_json(settings, &in.answers_json, errors);
    if (!errors.count("email") && in.walk_in && in.email.empty()) {
        // A walk-in without an address: fine at the desk.
    } else if (!errors.count("email")) {
        in.email = accounts::normalise_email(in.email);
        if (in.email.empty()) errors["email"] = {"error_required", {}};
        else if (!accounts::plausible_email(in.email) || !mail::safe_address(in.email)) errors["email"] = {"error_bad_address", {}};
    }
    if (!in.organisation_type.empty() && !errors.count("organisation_type") &&
        std::find(organisation_types.begin(), organisation_types.end(), in.organisation_type) == organisation_types.end())
        errors["organisation_type"] = {"error_unknown_value", {}};
    if (!in.consent && !in.walk_in && !errors.count("consent")) errors["consent"] = {"error_consent_required", {}};
}

void apply_details(registration& r, const input& in) {
    r.name = in.name;
    r.organisation = in.organisation;
    r.position = in.position;
    r.organisation_type = in.organisation_type;
    r.town = in.town;
    r.phone = in.phone;
    r.public_listing = in.public_listing;
    if (in.check_answers) r.answers = boost::json::serialize(in.answers);
}

std::optional<outcome> closed_for(const events::event& e, const input& in, std::int64_t now) {
    outcome out;
    if (e.status != events::event_status::published)
        return refuse(out, e.status == events::event_status::cancelled ? refusal::event_cancelled : refusal::not_found);
    if (e.ends_at < now) return refuse(out, refusal::event_over);
    if (e.registration_mode == "closed") return refuse(out, refusal::registration_closed);
    // Invitation-only events take registrations through a personal link only.
    if (e.registration_mode == "invitation" && in.invitation.empty()) return refuse(out, refusal::invitation_only);
    if (e.registration_opens_at && now < e.registration_opens_at) return refuse(out, refusal::registration_not_open);
    if (e.registration_closes_at && now > e.registration_closes_at) return refuse(out, refusal::registration_deadline);
    return std::nullopt;
}

outcome register_for(context& c, const events::event& e, const input& in, std::int64_t now) {
    if (auto refused = closed_for(e, in, now)) return *refused;
    storage::transaction tx(c.db);  // BEGIN IMMEDIATE: the seat is decided under the write lock
    auto out = register_in_transaction(c, e, in);
    if (out.what != outcome::refused) tx.commit();  // a refusal rolls back
    return out;
}

outcome register_in_transaction(context& c, const events::event& e, const input& in) {
    outcome out;
    repository repo(c.db);
    // A forged, foreign or used invitation link is refused (read under the write lock, so
    // one link cannot register twice).
    std::optional<std::int64_t> invitation_id;
    if (!in.invitation.empty()) {
        auto check = contacts::usable_invitation(c.db, e.id, in.invitation);
        if (!check.id)
            return refuse(out, check.refused == contacts::invitation_refusal::used ? refusal::invitation_used
                                                                                   : refusal::invitation_invalid);
        invitation_id = check.id;
    }
    if (auto existing = repo.find_by_email(e.id, in.email);
        existing && is_live(existing->status)) {
        if (invitation_id) contacts::link_registration(c.db, *invitation_id, existing->id);
        // Mail their personal link again (one more: only hashes are kept; the earlier links
        // keep working), at most once an hour: anyone may ask this for any address.
        if (!repo.link_mailed_within_hour(e.id, existing->email)) {
            auto token = new_link(repo, existing->id);
            queue_mail(c, e, *existing, "registration_link", token, repo);
        }
        out.what = outcome::already_registered;
        out.reg = *existing;
        return out;
    } else if (existing) {
        // Registering again after cancelling: the same row comes back to life.
        repo.remove(existing->id);
    }
    auto r = new_registration(e, in);
    r.status = seat_for(repo, e);
    if (r.status == registration_status::waitlisted && !e.waitlist) return refuse(out, refusal::event_full);  // rolls back
    auto token = util::random_token(24);
    r.id = repo.insert(r, util::token_hash(token));
    if (invitation_id) contacts::link_registration(c.db, *invitation_id, r.id);
    r = *repo.find(r.id);
    std::string kind = r.status == registration_status::confirmed    ? "registration_confirmed"
                       : r.status == registration_status::waitlisted ? "registration_waitlisted"
                                                                     : "registration_received";
    queue_mail(c, e, r, kind, token, repo);
    if (r.status == registration_status::pending) notify_request(c, e, r);  // the event's managers, in this same transaction
    out.what = outcome::created;
    out.reg = std::move(r);
    out.token = std::move(token);
    return out;
}

registration add_walk_in(context& c, const events::event& e, const input& in) {
    repository repo(c.db);
    if (!in.email.empty())
        if (auto existing = repo.find_by_email(e.id, in.email)) {
            if (existing->status != registration_status::confirmed) {
                repo.set_status(existing->id, registration_status::confirmed);
                existing->status = registration_status::confirmed;
            }
            repo.set_checked_in(existing->id, true);
            return *repo.find(existing->id);
        }
    auto r = new_registration(e, in);
    r.status = registration_status::confirmed;
    r.source = "desk";
    auto token = util::random_token(24);
    r.id = repo.insert(r, util::token_hash(token));
    repo.set_checked_in(r.id, true);
    r = *repo.find(r.id);
    if (!r.email.empty()) queue_mail(c, e, r, "registration_confirmed", token, repo);
    return r;
}

int promote_waiting(context& c, const events::event& e) {
    repository repo(c.db);
    int promoted = 0;
    while (e.capacity == 0 || repo.count(e.id, registration_status::confirmed) < e.capacity) {
        auto next = repo.first_waitlisted(e.id);
        if (!next) break;
        repo.set_status(next->id, registration_status::confirmed);
        next->status = registration_status::confirmed;
        queue_mail(c, e, *next, "registration_promoted", new_link(repo, next->id), repo);
        ++promoted;
    }
    return promoted;
}

void cancel(context& c, const events::event& e, registration& r) {
    repository repo(c.db);
    bool freed = r.status == registration_status::confirmed;
    repo.set_status(r.id, registration_status::cancelled);
    r.status = registration_status::cancelled;
    queue_mail(c, e, r, "registration_cancelled", "", repo);
    if (freed) promote_waiting(c, e);
}

std::optional<refusal> set_status(context& c, const events::event& e, registration& r, registration_status status,
                                  bool beyond_capacity) {
    // Nobody is put back to "waiting for a decision".
    if (status == registration_status::pending) return refusal::unknown_value;
    if (status == r.status) return std::nullopt;
    repository repo(c.db);
    if (status == registration_status::cancelled) {
        cancel(c, e, r);
        return std::nullopt;
    }
    if (status == registration_status::confirmed && !beyond_capacity && e.capacity > 0 &&
        repo.count(e.id, registration_status::confirmed) >= e.capacity)
        return refusal::event_full;
    bool freed = r.status == registration_status::confirmed;
    auto before = r.status;
    repo.set_status(r.id, status);
    r.status = status;
    if (status == registration_status::confirmed)
        queue_mail(c, e, r, before == registration_status::waitlisted ? "registration_promoted" : "registration_approved",
                   new_link(repo, r.id), repo);
    else if (status == registration_status::rejected)
        queue_mail(c, e, r, "registration_rejected", "", repo);
    else if (status == registration_status::waitlisted)
        queue_mail(c, e, r, "registration_waitlisted", new_link(repo, r.id), repo);
    if (freed) promote_waiting(c, e);
    return std::nullopt;
}

int notify_event_cancelled(context& c, const events::event& e, const std::string& message) {
    repository repo(c.db);
    int told = 0;
    for (auto& r : repo.expecting(e.id)) {
        // A link in the mail, so the person can still see their registration.
        queue_mail(c, e, r, "event_cancelled", new_link(repo, r.id), repo, boost::json::object{{"message", message}});
        ++told;
    }
    return told;
}

boost::json::object to_json(const registration& r) {
    return boost::json::object{{"id", r.id},
                               {"event_id", r.event_id},
                               {"name", r.name},
                               {"email", r.email},
                               {"organisation", r.organisation},
                               {"position", r.position},
                               {"organisation_type", r.organisation_type},
                               {"town", r.town},
                               {"phone", r.phone},
                               {"consent", r.consent},
                               {"public_listing", r.public_listing},
                               {"status", to_string(r.status)},
                               {"created_at", r.created_at},
                               {"checked_in_at", r.checked_in_at.empty() ? boost::json::value(nullptr)
                                                                         : boost::json::value(r.checked_in_at)},
                               {"answers", [&r] {
                                    boost::json::error_code ec;
                                    auto v = boost::json::parse(r.answers, ec);
                                    return ec || !v.is_object() ? boost::json::value(boost::json::object{}) : v;
                                }()},
                               {"source", r.source}};
}

}  // namespace sabor::registration

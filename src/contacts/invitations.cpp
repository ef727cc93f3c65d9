#include "contacts/invitations.hpp"

#include "contacts/repository.hpp"
#include "contacts/service.hpp"
#include "mail/unsubscribe.hpp"
#include "events/mail_contact.hpp"
#include "events/repository.hpp"
#include "mail/composer.hpp"
#include "mail/outbox.hpp"
#include "util/crypto.hpp"
#include "util/utf8.hpp"
#include "view/dates.hpp"
#include "view/json_fields.hpp"
#include "view/placeholders.hpp"

#include <boost/json.hpp>

#include <map>

namespace sabor::contacts {
namespace json = boost::json;
namespace {

constexpr std::size_t max_subject = 200;
constexpr std::size_t max_body = 20000;

// Blank lines separate paragraphs; the HTML part shows each in a <p>, line breaks kept by CSS.
json::array paragraphs(const std::string& body) {
    json::array out;
    std::size_t start = 0;
    while (start < body.size()) {
        auto end = body.find("\n\n", start);
        if (end == std::string::npos) end = body.size();
        auto p = util::trim(std::string_view(body).substr(start, end - start), "\n");
        if (!p.empty()) out.emplace_back(p);
        start = end + 2;
    }
    return out;
}

using values_t = std::map<std::string, std::string, std::less<>>;

// What stays the same for every recipient of a campaign.
struct campaign_frame {
    view::placeholder_text subject, body;
    values_t values;  // event_title, event_date, venue, event_url
    json::object data;  // the same, for the mail templates
};

campaign_frame make_frame(const invite_context& c, const events::event& e, const campaign& camp) {
    campaign_frame f{view::placeholder_text(camp.subject, invitation_placeholders),
                     view::placeholder_text(camp.body, invitation_placeholders), {}, {}};
    auto when = view::format_range(e.starts_at, e.ends_at, e.timezone, camp.locale);
    auto url = c.public_base + "/events/" + e.slug;
    f.values = {{"event_title", e.title}, {"event_date", when}, {"venue", events::where_text(e)}, {"event_url", url}};
    f.data = json::object{{"event_title", e.title}, {"event_when", when}, {"event_where", events::where_text(e)}, {"event_url", url}};
    return f;
}

// Queues one invitation message in the caller's transaction; returns the outbox id.
std::int64_t queue_message(invite_context& c, mail::outbox& box, const events::event& e, const campaign& camp,
                           const campaign_frame& f, const std::string& email, const std::string& name, const contact* who,
                           const std::string& token) {
    auto link = invitation_url(c.public_base, token);
    values_t v = f.values;
    v["name"] = name;
    v["link"] = link;
    v["decline_link"] = link + "/decline";
    if (who) {
        v["organisation"] = who->organisation;
        v["position"] = who->position;
        v["town"] = who->town;
    }
    auto body = f.body.fill(v);
    mail::outgoing o;
    o.kind = "invitation";
    o.locale = camp.locale;
    o.event_id = e.id;
    o.to_address = email;
    o.to_name = name;
    o.data = f.data;
    o.data["subject"] = f.subject.fill(v);
    o.data["paragraphs"] = paragraphs(body);
    o.data["body"] = std::move(body);
    o.data["name"] = name;
    o.data["link"] = link;
    o.data["decline_url"] = link + "/decline";
    events::add_mail_contact(o, e);
    mail::make_bulk(o, c.public_base, c.secret);
    return c.mail.enqueue(box, o);
}

}  // namespace

std::string invitation_url(const std::string& public_base, const std::string& token) { return public_base + "/i/" + token; }

campaign campaign_from_json(const boost::json::object& body, field_errors& errors, std::int64_t now) {
    using view::json_type;
    static constexpr view::json_field fields[] = {
        {.name = "subject", .type = json_type::text},
        {.name = "body", .type = json_type::text},
        {.name = "organisation_type", .type = json_type::text},
        {.name = "town", .type = json_type::text},
        {.name = "tag", .type = json_type::text},
        {.name = "tags", .type = json_type::list},
        {.name = "all", .type = json_type::boolean},
        {.name = "locale", .type = json_type::text, .error = "error_unknown_value"},
        {.name = "send_at", .type = json_type::text, .nullable = true, .error = "error_bad_time"},
    };
    campaign c;
    c.send_at = view::format_iso_utc(now);
    view::json_fields in(body, fields, errors);
    c.subject = in.text("subject").value_or("");
    c.body = in.text("body").value_or("");
    c.filter.organisation_type = in.text("organisation_type").value_or("");
    c.filter.town = in.text("town").value_or("");
    if (auto tag = in.text("tag")) c.filter.tags.push_back(std::move(*tag));
    if (const auto* tags = in.list("tags"))
        for (const auto& t : *tags) {
            if (!t.is_string()) {
                errors["tags"] = {"error_must_be_list", {}};
                break;
            }
            c.filter.tags.emplace_back(t.get_string());
        }
    if (auto all = in.boolean("all")) c.filter.all = *all;
    if (auto locale = in.text("locale")) {
        if (*locale == "bg" || *locale == "en") c.locale = *locale;
        else errors["locale"] = {"error_unknown_value", {}};
    }
    if (auto send_at = in.text("send_at")) {  // null: now
        if (auto t = view::parse_iso8601(*send_at)) c.send_at = view::format_iso_utc(std::max(*t, now));
        else errors["send_at"] = {"error_bad_time", {}};
    }
    return c;
}

void validate(campaign& c, field_errors& errors) {
    auto check = [&](const char* name, std::string& v, std::size_t max, bool multiline) {
        if (errors.count(name)) return;
        if (!util::valid_utf8(v)) {
            errors[name] = {"error_invalid_utf8", {}};
            return;
        }
        if (multiline) {
            std::string no_cr;  // CRLF from a textarea becomes LF
            for (char ch : v)
                if (ch != '\r') no_cr += ch;
            v = std::move(no_cr);
        }
        if (util::has_control_chars(v, multiline)) {
            errors[name] = {"error_control_chars", {}};
            return;
        }
        v = util::trim(v, multiline ? " \t\n" : " \t");
        if (v.empty()) errors[name] = {"error_required", {}};
        else if (util::utf8_length(v) > max) errors[name] = {"error_too_long", {{"max", std::to_string(max)}}};
        else if (auto bad = view::unknown_placeholder(v, invitation_placeholders)) errors[name] = {"error_unknown_placeholder", {{"placeholder", *bad}}};
    };
    check("subject", c.subject, max_subject, false);
    check("body", c.body, max_body, true);
    std::string tag_errors;
    for (auto& t : c.filter.tags)
        if (auto bad = check_tag(t); bad && !errors.count("tags")) errors["tags"] = {*bad, {{"max", std::to_string(max_tag_length)}}};
    if (!errors.count("tags") && !errors.count("tag") && c.filter.tags.empty() && !c.filter.all)
        errors["tag"] = {"error_invitation_no_recipients_filter", {}};
    for (auto* f : {&c.filter.organisation_type, &c.filter.town}) {
        const char* name = f == &c.filter.town ? "town" : "organisation_type";
        if (errors.count(name)) continue;
        if (!util::valid_utf8(*f) || util::has_control_chars(*f, false)) errors[name] = {"error_control_chars", {}};
        else if (util::utf8_length(*f) > 100) errors[name] = {"error_too_long", {{"max", "100"}}};
        *f = util::trim(*f, " \t");
    }
    if (!errors.count("organisation_type")) {
        if (auto code = organisation_type_code(c.filter.organisation_type)) c.filter.organisation_type = *code;
        else errors["organisation_type"] = {"error_unknown_value", {}};
    }
}

queue_result queue_campaign(invite_context& c, const events::event& e, campaign& camp, std::int64_t now) {
    repository repo(c.db);
    mail::outbox box(c.db);  // one prepared insert for the whole campaign
    auto frame = make_frame(c, e, camp);
    auto now_iso = view::format_iso_utc(now);
    queue_result r;
    for (auto& rec : repo.recipients(camp.filter, e.id)) {
        if (rec.suppressed) {
            ++r.skipped_unsubscribed;
            continue;
        }
        if (rec.invited) {
            ++r.skipped_invited;
            continue;
        }
        auto token = util::random_token(24);
        invitation inv;
        inv.campaign_id = camp.id;
        inv.event_id = e.id;
        inv.contact_id = rec.c.id;
        inv.email = rec.c.email;
        inv.name = rec.c.name;
        inv.created_at = now_iso;
        inv.outbox_id = queue_message(c, box, e, camp, frame, rec.c.email, rec.c.name, &rec.c, token);
        repo.insert_invitation(inv, util::token_hash(token));
        ++r.invited;
    }
    repo.set_campaign_queued(camp.id, r.skipped_unsubscribed, r.skipped_invited, now_iso);
    camp.status = campaign_status::queued;
    camp.queued_at = now_iso;
    camp.skipped_unsubscribed = r.skipped_unsubscribed;
    camp.skipped_invited = r.skipped_invited;
    return r;
}

int run_due_campaigns(invite_context& c, std::int64_t now) {
    int done = 0;
    for (auto id : repository(c.db).due_campaigns(view::format_iso_utc(now))) {
        storage::transaction tx(c.db);
        repository repo(c.db);
        auto camp = repo.find_campaign(id);
        if (!camp || camp->status != campaign_status::scheduled) continue;  // another process took it
        events::repository events(c.db);
        auto e = events.find(camp->event_id);
        if (!e || e->status != events::event_status::published) {
            // A cancelled (or unpublished) event gets no invitations.
            repo.set_campaign_cancelled(id);
            tx.commit();
            continue;
        }
        try {
            queue_campaign(c, *e, *camp, now);
        } catch (const view::placeholder_error&) {
            repo.set_campaign_cancelled(id);  // cannot happen for a checked campaign; never loop on it
        }
        tx.commit();
        ++done;
    }
    return done;
}

resend_result resend_unanswered(invite_context& c, const events::event& e, std::int64_t campaign_id, std::int64_t now) {
    repository repo(c.db);
    mail::outbox box(c.db);
    resend_result r;
    std::map<std::int64_t, std::pair<campaign, campaign_frame>> frames;
    for (const auto& inv : repo.unanswered(e.id, campaign_id)) {
        if (repo.suppressed(inv.email) || (inv.contact_id && [&] {
                auto ct = repo.find(*inv.contact_id);
                return ct && !ct->unsubscribed_at.empty();
            }())) {
            ++r.skipped_unsubscribed;
            continue;
        }
        // Pressing "resend" again and again must not flood anyone (issue 12).
        if (repo.invitation_sent_since(inv.id, view::format_iso_utc(now - 3600))) {
            ++r.skipped_recent;
            continue;
        }
        auto it = frames.find(inv.campaign_id);
        if (it == frames.end()) {
            auto camp = repo.find_campaign(inv.campaign_id);
            if (!camp) continue;
            auto frame = make_frame(c, e, *camp);
            it = frames.emplace(inv.campaign_id, std::make_pair(std::move(*camp), std::move(frame))).first;
        }
        std::optional<contact> who = inv.contact_id ? repo.find(*inv.contact_id) : std::nullopt;
        auto token = util::random_token(24);
        auto outbox_id = queue_message(c, box, e, it->second.first, it->second.second, inv.email, inv.name,
                                       who ? &*who : nullptr, token);
        repo.set_invitation_message(inv.id, util::token_hash(token), outbox_id, view::format_iso_utc(now));
        ++r.resent;
    }
    return r;
}

std::optional<preview> preview_campaign(invite_context& c, const events::event& e, const campaign& camp, const std::string&) {
    repository repo(c.db);
    auto recipients = repo.recipients(camp.filter, e.id);
    preview p;
    const contact* first = nullptr;
    for (const auto& r : recipients) {
        if (r.suppressed || r.invited) continue;
        ++p.recipients;
        if (!first) first = &r.c;
    }
    if (!first) return std::nullopt;
    auto frame = make_frame(c, e, camp);
    values_t v = frame.values;
    v["name"] = first->name;
    v["organisation"] = first->organisation;
    v["position"] = first->position;
    v["town"] = first->town;
    v["link"] = invitation_url(c.public_base, "…");
    v["decline_link"] = invitation_url(c.public_base, "…") + "/decline";
    p.email = first->email;
    p.name = first->name;
    p.subject = frame.subject.fill(v);
    p.body = frame.body.fill(v);
    return p;
}

invitation_check usable_invitation(storage::database& db, std::int64_t event_id, const std::string& token) {
    invitation_check out;
    auto inv = token.size() > 200 ? std::nullopt : repository(db).find_invitation_by_token(util::token_hash(token));
    if (!inv || inv->event_id != event_id) out.refused = invitation_refusal::invalid;
    else if (inv->registration_id) out.refused = invitation_refusal::used;
    else out.id = inv->id;
    return out;
}

void link_registration(storage::database& db, std::int64_t invitation_id, std::int64_t registration_id) {
    repository(db).set_invitation_registration(invitation_id, registration_id);
}

std::optional<std::int64_t> invitation_of_link(storage::database& db, std::string_view token) {
    if (token.size() > 200) return std::nullopt;
    return repository(db).invitation_of_link(util::token_hash(std::string(token)));
}

boost::json::object to_json(const invitation& i) {
    auto opt = [](const std::optional<std::int64_t>& v) { return v ? json::value(*v) : json::value(nullptr); };
    auto status = i.status();
    return json::object{{"id", i.id},
                        {"campaign_id", i.campaign_id},
                        {"event_id", i.event_id},
                        {"contact_id", opt(i.contact_id)},
                        {"email", i.email},
                        {"name", i.name},
                        {"status", to_string(status)},
                        {"mail_status", i.mail_status ? to_string(*i.mail_status) : ""},
                        {"reason", status == invitation_status::failed ? json::value(i.mail_error) : json::value(nullptr)},
                        {"sent_at", i.sent_at.empty() ? json::value(nullptr) : json::value(i.sent_at)},
                        {"registration_id", opt(i.registration_id)},
                        {"declined_at", i.declined_at.empty() ? json::value(nullptr) : json::value(i.declined_at)},
                        {"created_at", i.created_at}};
}

boost::json::object to_json(const campaign& c, const campaign_counts& n) {
    json::object filter{{"tags", json::array(c.filter.tags.begin(), c.filter.tags.end())},
                        {"all", c.filter.all},
                        {"organisation_type", c.filter.organisation_type},
                        {"town", c.filter.town}};
    return json::object{{"id", c.id},
                        {"event_id", c.event_id},
                        {"subject", c.subject},
                        {"body", c.body},
                        {"filter", std::move(filter)},
                        {"locale", c.locale},
                        {"send_at", c.send_at},
                        {"status", to_string(c.status)},
                        {"queued_at", c.queued_at.empty() ? json::value(nullptr) : json::value(c.queued_at)},
                        {"counts", json::object{{"invited", n.invited},
                                                {"queued", n.queued},
                                                {"sent", n.sent},
                                                {"failed", n.failed},
                                                {"registered", n.registered},
                                                {"declined", n.declined},
                                                {"skipped_unsubscribed", c.skipped_unsubscribed},
                                                {"skipped_already_invited", c.skipped_invited}}},
                        {"created_at", c.created_at}};
}

}  // namespace sabor::contacts

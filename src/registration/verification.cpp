#include "registration/verification.hpp"

#include "events/mail_contact.hpp"
#include "events/repository.hpp"
#include "mail/composer.hpp"
#include "registration/requests.hpp"
#include "util/crypto.hpp"
#include "view/dates.hpp"

#include <boost/json.hpp>

namespace sabor::registration {
namespace json = boost::json;

std::string verify_url(const std::string& public_base, const std::string& token) { return public_base + "/v/" + token; }

std::string input_to_stored(const input& in) {
    return json::serialize(json::object{{"name", in.name},
                                        {"email", in.email},
                                        {"organisation", in.organisation},
                                        {"position", in.position},
                                        {"organisation_type", in.organisation_type},
                                        {"town", in.town},
                                        {"phone", in.phone},
                                        {"consent", in.consent},
                                        {"public_listing", in.public_listing},
                                        {"locale", in.locale},
                                        {"answers", in.answers},
                                        {"invitation", in.invitation}});
}

std::optional<input> input_from_stored(const std::string& stored) {
    json::error_code ec;
    auto v = json::parse(stored, ec);
    if (ec || !v.is_object()) return std::nullopt;
    const auto& o = v.get_object();
    auto text = [&o](const char* key) {
        auto* p = o.if_contains(key);
        return p && p->is_string() ? std::string(p->get_string()) : std::string{};
    };
    auto flag = [&o](const char* key) {
        auto* p = o.if_contains(key);
        return p && p->is_bool() && p->get_bool();
    };
    input in;
    in.name = text("name");
    in.email = text("email");
    in.organisation = text("organisation");
    in.position = text("position");
    in.organisation_type = text("organisation_type");
    in.town = text("town");
    in.phone = text("phone");
    in.invitation = text("invitation");
    in.consent = flag("consent");
    in.public_listing = flag("public_listing");
    in.locale = text("locale") == "en" ? "en" : "bg";
    if (auto* a = o.if_contains("answers"); a && a->is_object()) in.answers = a->get_object();
    in.check_answers = true;  // keep the answers as they were checked when sent
    if (in.name.empty() || in.email.empty()) return std::nullopt;
    return in;
}

request_result request_verification(context& c, const events::event& e, const input& in, std::int64_t now) {
    request_result out;
    out.token = util::random_token(24);  // 192 bits
    out.expires_at = now + verification_lifetime_seconds;
    storage::transaction tx(c.db);
    request_repository repo(c.db);
    repo.remove_expired(view::format_iso_utc(now));
    repo.remove_for(e.id, in.email);
    registration_request r;
    r.event_id = e.id;
    r.email = in.email;
    r.input = input_to_stored(in);
    r.locale = in.locale;
    r.created_at = view::format_iso_utc(now);
    r.expires_at = view::format_iso_utc(out.expires_at);
    repo.insert(r, util::token_hash(out.token));

    mail::outgoing o;
    o.kind = "registration_verify";
    o.locale = in.locale;
    o.event_id = e.id;
    o.to_address = in.email;
    o.to_name = in.name;
    o.data = json::object{
        {"name", in.name},
        {"event_title", e.title},
        {"event_when", view::format_range(e.starts_at, e.ends_at, e.timezone, in.locale)},
        {"event_where", events::where_text(e)},
        {"event_url", c.public_base + "/events/" + e.slug},
        {"verify_url", verify_url(c.public_base, out.token)},
        {"expires_when", view::format_date_time(out.expires_at, e.timezone, in.locale)},
    };
    events::add_mail_contact(o, e);
    c.mail.enqueue(c.db, o);
    tx.commit();
    return out;
}

namespace {

pending read_request(storage::database& db, const std::string& token, std::int64_t now) {
    pending p;
    if (token.empty() || token.size() > 100) return p;
    auto r = request_repository(db).find_by_token(util::token_hash(token));
    if (!r) return p;
    auto in = input_from_stored(r->input);
    auto expires = view::parse_iso8601(r->expires_at);
    if (!in || !expires) return p;  // a damaged row is treated as no request
    p.id = r->id;
    p.event_id = r->event_id;
    p.in = std::move(*in);
    p.expires_at = *expires;
    p.what = now > *expires ? pending::expired : pending::found;
    return p;
}

}  // namespace

pending find_request(storage::database& db, const std::string& token, std::int64_t now) {
    return read_request(db, token, now);
}

confirm_result confirm_request(context& c, const std::string& token, std::int64_t now) {
    confirm_result out;
    storage::transaction tx(c.db);  // the seat is decided here, under the write lock
    auto p = read_request(c.db, token, now);
    out.what = p.what;
    if (p.what != pending::found) return out;
    out.event = events::repository(c.db).find(p.event_id);
    if (!out.event) {
        out.what = pending::unknown;
        return out;
    }
    if (auto refused = closed_for(*out.event, p.in, now)) {
        out.registered = *refused;
        return out;
    }
    out.registered = register_in_transaction(c, *out.event, p.in);
    if (out.registered.what == outcome::refused) return out;  // rolls back: the request stays
    request_repository(c.db).remove(p.id);
    tx.commit();
    return out;
}

}  // namespace sabor::registration

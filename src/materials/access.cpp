#include "materials/access.hpp"

#include "materials/repository.hpp"
#include "registration/repository.hpp"
#include "util/signed_token.hpp"
#include "view/dates.hpp"


namespace sabor::materials {

std::string access_key(const std::string& secret, std::int64_t id) {
    return util::sign_id(secret, util::token_purpose::materials, id, 32);
}

std::optional<std::int64_t> verify_access_key(const std::string& secret, std::string_view key) {
    if (key.size() > 64) return std::nullopt;  // no genuine key is that long: not worth a MAC
    return util::verify_id(secret, util::token_purpose::materials, key, 32);
}

viewer registrant(const std::string& secret, std::int64_t registration_id) {
    viewer v;
    v.registration_id = registration_id;
    v.key = access_key(secret, registration_id);
    return v;
}

std::int64_t release_time(const release_setting& s, const events::event& e) {
    if (s.release_at.empty()) return 0;
    if (s.release_at == "event_start") return e.starts_at;
    return view::parse_iso8601(s.release_at).value_or(0);
}

access decide(storage::database& db, const events::event& e, const release_setting& s, const viewer& v, std::int64_t now) {
    if (v.organiser) return access::allowed;
    if (e.status == events::event_status::draft) return access::hidden;
    if (s.visibility == "organisers") return access::organisers_only;
    if (now < release_time(s, e)) return access::not_yet;
    if (s.visibility == "public") return access::allowed;
    std::optional<registration::registration> r;
    if (v.registration_id) r = registration::repository(db).find(*v.registration_id);
    bool confirmed = r && r->event_id == e.id && r->status == registration::registration_status::confirmed;
    if (s.visibility == "registered") return confirmed ? access::allowed : access::needs_registration;
    if (s.visibility == "attendees") {
        if (confirmed && !r->checked_in_at.empty()) return access::allowed;
        return access::needs_attendance;
    }
    return access::hidden;  // an unknown setting shows nothing
}

download_visit download_access(storage::database& db, const events::event& e, const viewer& who, std::int64_t now) {
    download_visit d;
    d.who = who;
    d.setting = repository(db).release(e.id);
    d.decision = decide(db, e, d.setting, d.who, now);
    return d;
}

bool audience_may_download(const events::event& e, const release_setting& s, bool attendees_only, std::int64_t now) {
    if (e.status == events::event_status::draft || now < release_time(s, e)) return false;
    if (s.visibility == "public" || s.visibility == "registered") return true;
    return s.visibility == "attendees" && attendees_only;
}

}  // namespace sabor::materials

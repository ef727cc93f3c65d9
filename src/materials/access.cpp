#include "materials/access.hpp"

#include "materials/repository.hpp"
#include "materials/service.hpp"
#include "registration/repository.hpp"
#include "util/clock.hpp"
#include "util/crypto.hpp"
#include "view/dates.hpp"

#include <charconv>

namespace sabor::materials {

std::string access_key(const std::string& secret, std::int64_t id) {
    auto n = std::to_string(id);
    return n + "-" + util::hmac_hex(secret, "materials:" + n).substr(0, 32);
}

std::optional<std::int64_t> verify_access_key(const std::string& secret, std::string_view key) {
    auto dash = key.find('-');
    if (dash == std::string_view::npos || dash == 0 || key.size() > 64) return std::nullopt;
    std::int64_t id = 0;
    auto [end, ec] = std::from_chars(key.data(), key.data() + dash, id);
    if (ec != std::errc{} || end != key.data() + dash || id <= 0) return std::nullopt;
    if (!util::constant_time_equal(key, access_key(secret, id))) return std::nullopt;
    return id;
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

download_visit download_access(app::application& a, storage::database& db, const http::request& req,
                               const events::event& e) {
    download_visit d;
    d.who = viewer_of(a, db, req, e);
    d.setting = repository(db).release(e.id);
    d.decision = decide(db, e, d.setting, d.who, util::now_seconds());
    return d;
}

bool audience_may_download(const events::event& e, const release_setting& s, bool attendees_only, std::int64_t now) {
    if (e.status == events::event_status::draft || now < release_time(s, e)) return false;
    if (s.visibility == "public" || s.visibility == "registered") return true;
    return s.visibility == "attendees" && attendees_only;
}

}  // namespace sabor::materials

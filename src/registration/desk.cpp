#include "registration/desk.hpp"

#include "registration/repository.hpp"

namespace sabor::registration {

namespace json = boost::json;

desk_seats seats_of(storage::database& db, const events::event& e) {
    return desk_seats{repository(db).count(e.id, registration_status::confirmed), e.capacity};
}

json::object desk_row(storage::database& db, const registration& r, const desk_seats& seats, const view::i18n& texts,
                      const std::string& lang) {
    auto j = to_json(r);
    const bool confirmed = r.status == registration_status::confirmed;
    j["status_label"] = texts.text(lang, "regstatus_" + std::string(to_string(r.status)));
    j["is_confirmed"] = confirmed;
    j["checked_in"] = !r.checked_in_at.empty();
    j["can_check_in"] = confirmed;
    if (!confirmed) {
        std::vector<std::pair<std::string, std::string>> values;
        if (r.status == registration_status::waitlisted) values.emplace_back("position", std::to_string(repository(db).waitlist_position(r)));
        j["status_hint"] = texts.text(lang, "desk_hint_" + std::string(to_string(r.status)), values);
        j["can_admit"] = seats.free();
        j["can_admit_over_capacity"] = !seats.free();
        j["seats_hint"] = seats.free() ? texts.text(lang, "desk_seat_free")
                                       : texts.text(lang, "desk_no_seat", {{"confirmed", std::to_string(seats.confirmed)},
                                                                           {"capacity", std::to_string(seats.capacity)}});
    }
    return j;
}

std::string desk_path(std::int64_t event_id, const std::string& q) {
    std::string out = "/admin/events/" + std::to_string(event_id) + "/checkin";
    if (q.empty()) return out;
    out += "?q=";
    static constexpr char hex[] = "0123456789ABCDEF";
    for (unsigned char ch : q) {
        if ((ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') || (ch >= '0' && ch <= '9') || ch == '-' || ch == '.' ||
            ch == '_' || ch == '~') {
            out += static_cast<char>(ch);
        } else {
            out += '%';
            out += hex[ch >> 4];
            out += hex[ch & 15];
        }
    }
    return out;
}

std::optional<refusal> admit_at_desk(context& c, const events::event& e, registration& r, bool over_capacity) {
    repository repo(c.db);
    if (r.status != registration_status::confirmed) {
        if (!seats_of(c.db, e).free() && !over_capacity) return refusal::desk_no_seat;
        if (auto refused = set_status(c, e, r, registration_status::confirmed, true)) return refused;
    }
    repo.set_checked_in(r.id, true);
    return std::nullopt;
}

}  // namespace sabor::registration

#include "registration/card_routes.hpp"

#include "app/routes.hpp"
#include "events/repository.hpp"
#include "events/service.hpp"
#include "registration/checkin.hpp"
#include "registration/repository.hpp"

#include <boost/json.hpp>

namespace sabor::registration {
namespace {

using app::access;
using app::call;

// The registration a card's code opens: its signature checked, and the event not a draft.
std::optional<std::int64_t> card_registration(const std::string& secret, storage::database& db, std::string_view code) {
    auto id = verify_checkin_code(secret, std::string(code));
    auto r = id ? repository(db).find(*id) : std::nullopt;
    auto e = r ? events::repository(db).find(r->event_id) : std::nullopt;
    if (!e || e->status == events::event_status::draft) return std::nullopt;
    return r->id;
}

http::response card_page(call& c) {
    auto& a = c.app;
    auto r = repository(c.db()).find(c.object_id);
    auto e = r ? events::repository(c.db()).find(r->event_id) : std::nullopt;
    if (!e) return c.error(404, "not_found");  // gone since the link was checked
    bool active = r->status == registration_status::confirmed && e->status != events::event_status::cancelled;
    boost::json::object reg{{"name", r->name},
                            {"organisation", r->organisation},
                            {"status", to_string(r->status)},
                            {"status_label", a.texts.text(c.lang(), "regstatus_" + std::string(to_string(r->status)))},
                            {"checked_in", !r->checked_in_at.empty()},
                            {"qr", active ? qr_data_uri(checkin_url(a.cfg.public_base(), a.secret, r->id)) : ""}};
    boost::json::object data{{"title", a.texts.text(c.lang(), "card_title") + ": " + e->title},
                             {"event", events::to_view(*e, a.texts, c.lang())},
                             {"registration", std::move(reg)},
                             {"active", active}};
    // Not kept, not sent on as a Referer: a personal link's route (app/routes, app/app.cpp).
    return c.page("registration/card", std::move(data));
}

}  // namespace

void register_card_routes(app::application& a) {
    app::route(a, "GET", "/card/{code}")
        .allow(access::personal_link)
        .link("code", [&a](storage::database& db, std::string_view code) { return card_registration(a.secret, db, code); }, "bad_link")
        .handle(card_page);
}

}  // namespace sabor::registration

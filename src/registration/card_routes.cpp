#include "registration/card_routes.hpp"

#include "events/repository.hpp"
#include "events/service.hpp"
#include "registration/checkin.hpp"
#include "registration/repository.hpp"

#include <boost/json.hpp>

namespace sabor::registration {

void register_card_routes(app::application& a) {
    a.router.get("/card/{code}", [&a](http::request& req) {
        auto ctx = app::page_context(a, req);
        auto id = verify_checkin_code(a.secret, std::string(req.param("code")));
        if (!id) return app::error_response(a, req, 404, "bad_link");
        auto conn = a.db.acquire();
        auto r = repository(*conn).find(*id);
        auto e = r ? events::repository(*conn).find(r->event_id) : std::nullopt;
        if (!e || e->status == "draft") return app::error_response(a, req, 404, "bad_link");
        bool active = r->status == "confirmed" && e->status != "cancelled";
        boost::json::object reg{{"name", r->name},
                                {"organisation", r->organisation},
                                {"status", r->status},
                                {"status_label", a.texts.text(ctx.lang, "regstatus_" + r->status)},
                                {"checked_in", !r->checked_in_at.empty()},
                                {"qr", active ? qr_data_uri(checkin_url(a.cfg.public_base(), a.secret, r->id)) : ""}};
        boost::json::object data{{"title", a.texts.text(ctx.lang, "card_title") + ": " + e->title},
                                 {"event", events::to_view(*e, a.texts, ctx.lang)},
                                 {"registration", std::move(reg)},
                                 {"active", active}};
        auto res = app::render_page(a, ctx, "registration/card", std::move(data));
        // The code in the address is the participant's: not kept, not sent on as a Referer.
        res.set_header("Cache-Control", "no-store");
        res.set_header("Referrer-Policy", "no-referrer");
        return res;
    });
}

}  // namespace sabor::registration

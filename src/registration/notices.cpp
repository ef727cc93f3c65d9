#include "registration/notices.hpp"

#include "app/app.hpp"
#include "app/routes.hpp"
#include "app/web.hpp"
#include "events/repository.hpp"
#include "mail/composer.hpp"
#include "registration/notices_repository.hpp"
#include "registration/repository.hpp"
#include "util/clock.hpp"
#include "view/dates.hpp"

#include <boost/json.hpp>

#include <map>

namespace sabor::registration {

namespace json = boost::json;

namespace {

std::string approve_url(const std::string& public_base, std::int64_t event_id) {
    return public_base + "/admin/events/" + std::to_string(event_id) + "/registrations?status=pending";
}

std::string settings_url(const std::string& public_base) { return public_base + "/admin/notifications"; }

json::object request_json(const registration& r) {
    return json::object{{"name", r.name},         {"email", r.email}, {"organisation", r.organisation},
                        {"position", r.position}, {"town", r.town}};
}

// "2031-08-11T06:00" in the site's zone: the date and the hour.
std::pair<std::string, int> local_day_hour(std::int64_t now, const std::string& tz) {
    auto local = view::format_input_local(now, tz);
    return {local.substr(0, 10), std::stoi(local.substr(11, 2))};
}

// The digest's requests grouped by event (ids come ordered by event), each group with its
// approve link.
json::array requests_by_event(storage::database& db, const std::vector<std::int64_t>& ids, const std::string& locale,
                              const std::string& public_base) {
    repository regs(db);
    events::repository events(db);
    json::array by_event;
    std::int64_t current = 0;
    for (auto id : ids) {
        auto r = regs.find(id);
        if (!r) continue;
        if (r->event_id != current) {
            auto e = events.find(r->event_id);
            if (!e) continue;
            current = e->id;
            by_event.push_back(json::object{{"event_title", e->title},
                                            {"event_when", view::format_range(e->starts_at, e->ends_at, e->timezone, locale)},
                                            {"approve_url", approve_url(public_base, e->id)},
                                            {"requests", json::array{}}});
        }
        by_event.back().as_object()["requests"].as_array().push_back(request_json(*r));
    }
    return by_event;
}

}  // namespace

void notify_request(context& c, const events::event& e, const registration& r) {
    notices_repository notices(c.db);
    for (const auto& m : notices.managers_of(e.id)) {
        if (m.setting.mode == notice_daily) {
            notices.add_digest_item(m.user_id, r.id);
            continue;
        }
        mail::outgoing o;
        o.kind = "registration_request_manager";
        o.locale = m.setting.locale;
        o.event_id = e.id;
        o.to_address = m.email;
        o.to_name = m.name;
        o.data = request_json(r);
        o.data["manager_name"] = m.name;
        o.data["event_title"] = e.title;
        o.data["event_when"] = view::format_range(e.starts_at, e.ends_at, e.timezone, m.setting.locale);
        o.data["approve_url"] = approve_url(c.public_base, e.id);
        o.data["settings_url"] = settings_url(c.public_base);
        c.mail.enqueue(c.db, o);
    }
}

int send_request_digests(storage::database& db, const mail::composer& mail, const std::string& public_base,
                         const std::string& timezone, std::int64_t now) {
    auto [day, hour] = local_day_hour(now, timezone);
    if (hour < digest_hour) return 0;
    int queued = 0;
    for (const auto& due : notices_repository(db).digest_due(day)) {
        storage::transaction tx(db);  // BEGIN IMMEDIATE: read again under the write lock
        notices_repository notices(db);
        auto s = notices.setting(due.user_id);
        if (s.mode != notice_daily || s.digest_day >= day) continue;  // another round was first
        auto ids = notices.digest_items(due.user_id);
        notices.clear_digest_items(due.user_id);
        if (ids.empty()) {  // nothing new: no mail, and the day stays open for later requests
            tx.commit();
            continue;
        }
        mail::outgoing o;
        o.kind = "registration_requests_digest";
        o.locale = s.locale;
        o.to_address = due.email;
        o.to_name = due.name;
        o.data = json::object{{"manager_name", due.name},
                              {"count", std::to_string(ids.size())},
                              {"events", requests_by_event(db, ids, s.locale, public_base)},
                              {"settings_url", settings_url(public_base)}};
        mail.enqueue(db, o);
        notices.set_digest_day(due.user_id, day);
        ++queued;
        tx.commit();
    }
    return queued;
}

namespace {

using app::access;
using app::call;

http::response settings_page(call& c, const notice_setting& s, const std::string& notice, const std::string& error,
                             int status) {
    app::csrf_token(c.app, c.req, c.ctx);
    json::object data{{"title", c.app.texts.text(c.lang(), "notices_title")},
                      {"each", s.mode != notice_daily},
                      {"daily", s.mode == notice_daily},
                      {"notice", notice},
                      {"error", error}};
    return c.page("admin/notifications", std::move(data), status);
}

http::response settings_view(call& c) {
    auto s = notices_repository(c.db()).setting(c.user().id);
    return settings_page(c, s, c.req.query_param("saved") ? c.app.texts.text(c.lang(), "notices_saved") : "", "", 200);
}

http::response settings_save(call& c) {
    auto user_id = c.user().id;
    storage::transaction tx(c.db());
    notices_repository notices(c.db());
    auto s = notices.setting(user_id);
    auto mode = app::form_value(c.form, "mode");
    if (mode != notice_each && mode != notice_daily)
        return settings_page(c, s, "", c.app.texts.text(c.lang(), "notices_error_mode"), 422);
    const auto now = util::now_seconds();
    if (mode == notice_daily && s.mode != notice_daily) {
        // Until now they were told of each request: the first digest lists what comes after
        // this, on the next morning (or this morning's, when it is still early).
        auto [day, hour] = local_day_hour(now, c.app.cfg.i18n.timezone);
        s.digest_day = hour >= digest_hour ? day : "";
    }
    if (mode == notice_each) notices.clear_digest_items(user_id);  // from now on told one by one
    s.mode = mode;
    s.locale = c.lang() == "en" ? "en" : "bg";
    notices.save(user_id, s, view::format_iso_utc(now));
    tx.commit();
    return http::response::redirect("/admin/notifications?saved=1");
}

}  // namespace

void register_notice_routes(app::application& a) {
    using app::route;
    route(a, "GET", "/admin/notifications").allow(access::organiser).handle(settings_view);
    route(a, "POST", "/admin/notifications").allow(access::organiser).form().handle(settings_save);
}

}  // namespace sabor::registration

#include "registration/scheduled_routes.hpp"

#include "app/app.hpp"
#include "app/routes.hpp"
#include "app/web.hpp"
#include "events/repository.hpp"
#include "events/routes.hpp"
#include "storage/audit_log.hpp"
#include "registration/scheduled.hpp"
#include "util/clock.hpp"
#include "util/utf8.hpp"
#include "view/json_fields.hpp"
#include "view/dates.hpp"

#include <boost/json.hpp>

#include <cmath>
#include <cstdlib>

namespace sabor::registration {
namespace {

using app::access;
using app::application;
using app::call;
namespace json = boost::json;

// The event's messages, one per kind: the saved one, or the default (off) in the site's language.
std::vector<scheduled_message> messages_of(application& a, storage::database& db, const events::event& e) {
    auto saved = scheduled_repository(db).for_event(e.id);
    std::vector<scheduled_message> out;
    for (auto kind : {scheduled_kind::reminder, scheduled_kind::thanks}) {
        auto it = std::find_if(saved.begin(), saved.end(), [&](const scheduled_message& m) { return m.kind == kind; });
        if (it != saved.end()) {
            out.push_back(*it);
            continue;
        }
        scheduled_message m;
        m.event_id = e.id;
        m.kind = kind;
        m.offset_minutes = default_offset_minutes(kind);
        auto lang = a.cfg.i18n.default_locale;
        m.subject = a.texts.text(lang, "scheduled_default_" + m.prefix() + "_subject");
        m.body = a.texts.text(lang, "scheduled_default_" + m.prefix() + "_body");
        out.push_back(std::move(m));
    }
    return out;
}

json::object list_json(const events::event& e, const std::vector<scheduled_message>& ms) {
    json::array items;
    for (const auto& m : ms) items.push_back(to_json(m, due_at(m, e.starts_at, e.ends_at), e.timezone));
    return json::object{{"items", std::move(items)}, {"total", ms.size()}};
}

void save_all(storage::database& db, const std::vector<scheduled_message>& ms) {
    scheduled_repository repo(db);
    auto now = view::format_iso_utc(util::now_seconds());
    for (const auto& m : ms) repo.save(m, now);
}

std::string hours_text(std::int64_t minutes) {
    if (minutes % 60 == 0) return std::to_string(minutes / 60);
    char buf[32];
    std::snprintf(buf, sizeof buf, "%.2f", static_cast<double>(minutes) / 60.0);
    std::string s = buf;
    while (s.back() == '0') s.pop_back();
    return s;
}

// "24", "1,5" or "1.5" hours as minutes; nothing when not a number.
std::optional<std::int64_t> minutes_from_hours(std::string v) {
    v = util::trim(v);
    for (auto& c : v)
        if (c == ',') c = '.';
    if (v.empty() || v.size() > 12) return std::nullopt;
    char* end = nullptr;
    double h = std::strtod(v.c_str(), &end);
    if (end != v.c_str() + v.size() || !std::isfinite(h)) return std::nullopt;
    return static_cast<std::int64_t>(std::llround(h * 60));
}

http::response messages_page(call& c, const events::event& e, const std::vector<scheduled_message>& ms,
                             const http::fields* raw, const std::map<std::string, std::string>& errors, int status,
                             const std::string& notice) {
    auto& a = c.app;
    app::csrf_token(a, c.req, c.ctx);
    json::array blocks;
    for (const auto& m : ms) {
        auto due = due_at(m, e.starts_at, e.ends_at);
        auto value = [&](const std::string& field, const std::string& stored) {
            return raw ? app::form_value(*raw, m.prefix() + "_" + field) : stored;
        };
        auto sent = m.sent_at.empty() ? std::optional<std::int64_t>{} : view::parse_iso8601(m.sent_at);
        std::string state = sent ? a.texts.text(c.lang(), "messages_status_sent") + " " +
                                       view::format_date_time(*sent, e.timezone, c.lang())
                            : m.enabled ? a.texts.text(c.lang(), "messages_status_due") + " " +
                                              view::format_date_time(due, e.timezone, c.lang())
                                        : a.texts.text(c.lang(), "messages_status_off");
        auto err = [&](const std::string& field) {
            auto it = errors.find(m.prefix() + "_" + field);
            return it == errors.end() ? std::string{} : it->second;
        };
        blocks.push_back(json::object{
            {"kind", to_string(m.kind)},
            {"legend", a.texts.text(c.lang(), "messages_" + m.prefix())},
            {"offset_label", a.texts.text(c.lang(), "messages_offset_" + m.prefix())},
            {"enabled", raw ? !app::form_value(*raw, m.prefix() + "_enabled").empty() : m.enabled},
            {"offset_hours", value("offset_hours", hours_text(m.offset_minutes))},
            {"subject", value("subject", m.subject)},
            {"body", value("body", m.body)},
            {"state", state},
            {"is_sent", sent.has_value()},
            {"error_offset", err("offset")},
            {"error_subject", err("subject")},
            {"error_body", err("body")}});
    }
    json::array placeholders;
    for (auto p : scheduled_placeholders) placeholders.push_back(json::string("{{" + std::string(p) + "}}"));
    json::object data{{"title", a.texts.text(c.lang(), "messages_title") + ": " + e.title},
                      {"event", events::to_view(e, a.texts, c.lang())},
                      {"blocks", std::move(blocks)},
                      {"placeholders", std::move(placeholders)},
                      {"has_errors", !errors.empty()},
                      {"notice", notice.empty() ? std::string{} : a.texts.text(c.lang(), notice)}};
    return c.page("admin/messages", std::move(data), status);
}


http::response page(call& c) {
    auto e = events::the_event(c);
    auto notice = c.req.query_param("saved") ? std::string("notice_messages_saved") : std::string{};
    return messages_page(c, e, messages_of(c.app, c.db(), e), nullptr, {}, 200, notice);
}

http::response save(call& c) {
    auto& a = c.app;
    const auto& form = c.form;
    storage::transaction tx(c.db());
    auto e = events::the_event(c);
    auto ms = messages_of(a, c.db(), e);
    field_errors errors;
    for (auto& msg : ms) {
        auto field = [&](const std::string& name) { return app::form_value(form, msg.prefix() + "_" + name); };
        msg.enabled = !field("enabled").empty();
        if (auto minutes = minutes_from_hours(field("offset_hours"))) msg.offset_minutes = *minutes;
        else errors[msg.prefix() + "_offset"] = {"error_must_be_number", {}};
        msg.subject = util::trim(field("subject"));
        msg.body = field("body");
        // Browsers send CR LF; the text is kept with LF only.
        for (auto pos = msg.body.find("\r\n"); pos != std::string::npos; pos = msg.body.find("\r\n", pos))
            msg.body.erase(pos, 1);
        msg.body = util::trim(msg.body);
        field_errors own;
        check_message(msg, own);
        for (auto& [k, v] : own) errors.try_emplace(k, v);
    }
    if (!errors.empty())
        return messages_page(c, e, ms, &form, view::localise(errors, a.texts, c.lang()), 422, "");
    save_all(c.db(), ms);
    storage::audit(c.db(), c.user().id, "event.scheduled_messages", e.id, e.id, "");
    tx.commit();
    return http::response::redirect("/admin/events/" + std::to_string(e.id) + "/messages?saved=1");
}

http::response api_list(call& c) {
    auto e = events::the_event(c);
    return app::json_response(200, list_json(e, messages_of(c.app, c.db(), e)));
}

// {"reminder": {...}, "thanks": {...}}: each optional, and within each the fields sent
// change, the others keep their values.
http::response api_put(call& c) {
    auto& a = c.app;
    const auto& body = c.body;
    storage::transaction tx(c.db());
    auto e = events::the_event(c);
    auto ms = messages_of(a, c.db(), e);
    field_errors errors;
    std::vector<view::json_field> fields;  // one object a kind of message
    for (const auto& m : ms) fields.push_back({.name = to_string(m.kind), .type = view::json_type::object});
    view::json_fields in(body, fields, errors);
    for (auto& m : ms)
        if (auto* v = in.get(to_string(m.kind))) apply_json(m, *v, errors);
    for (const auto& m : ms)
        if (body.contains(m.prefix())) {
            field_errors own;
            check_message(m, own);
            for (auto& [k, v] : own) errors.try_emplace(k, v);
        }
    if (!errors.empty())
        return app::validation_failed(a, c.req, errors);
    std::vector<scheduled_message> changed;
    for (const auto& m : ms)
        if (body.contains(m.prefix())) changed.push_back(m);
    save_all(c.db(), changed);
    storage::audit(c.db(), c.user().id, "event.scheduled_messages", e.id, e.id, c.req.body.substr(0, 500));
    tx.commit();
    return app::json_response(200, list_json(e, messages_of(a, c.db(), e)));
}

}  // namespace

void register_scheduled_routes(application& a) {
    using app::route;
    route(a, "GET", "/admin/events/{id}/messages").allow(access::event_manager).handle(page);
    route(a, "POST", "/admin/events/{id}/messages").allow(access::event_manager).form().handle(save);
    route(a, "GET", "/api/v1/events/{id}/scheduled-messages").allow(access::event_manager).handle(api_list);
    route(a, "PUT", "/api/v1/events/{id}/scheduled-messages").allow(access::event_manager).json(64 * 1024)
        .handle(api_put);
}

}  // namespace sabor::registration

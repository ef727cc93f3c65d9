// The organiser's settings for an event's registration form: which standard fields are
// asked, the event's own questions, the privacy text. A page under /admin and the API.
#include "app/app.hpp"
#include "app/routes.hpp"
#include "app/web.hpp"
#include "events/repository.hpp"
#include "events/routes.hpp"
#include "registration/admin.hpp"
#include "storage/audit_log.hpp"
#include "registration/form.hpp"
#include "util/utf8.hpp"

#include <boost/json.hpp>

namespace sabor::registration {
namespace {

using app::access;
using app::application;
using app::call;
namespace json = boost::json;

constexpr int blank_rows = 3;  // empty question rows offered on the page for new questions

http::response settings_page(call& c, const events::event& e, const form_settings& s, const http::fields* raw,
                             const std::map<std::string, std::string>& errors, int status, const std::string& notice) {
    auto& a = c.app;
    auto& ctx = c.ctx;
    app::csrf_token(a, c.req, ctx);
    json::array fields;
    for (auto f : configurable_fields) {
        auto mode = s.mode(f);
        fields.push_back(json::object{{"name", f},
                                      {"label", a.texts.text(ctx.lang, "label_" + std::string(f))},
                                      {"hidden", mode == "hidden"},
                                      {"optional", mode == "optional"},
                                      {"required", mode == "required"}});
    }
    json::array rows;
    auto type_options = [&](const std::string& selected) {
        json::array out;
        for (auto t : question_types)
            out.push_back(json::object{{"value", t}, {"label", a.texts.text(ctx.lang, "qtype_" + std::string(t))},
                                       {"selected", t == selected}});
        return out;
    };
    int n = 0;
    if (raw) {
        // After an error: the rows as the organiser sent them, so nothing typed is lost.
        std::map<int, json::object> by_row;
        for (const auto& [k, v] : *raw) {
            if (k.rfind("q_", 0) != 0 || !util::valid_utf8(v)) continue;
            auto us = k.rfind('_');
            int i = std::atoi(k.c_str() + us + 1);
            if (i > 0 && i <= 100) by_row[i][k.substr(2, us - 2)] = v;
        }
        for (auto& [i, row] : by_row) {
            auto str = [&row](const char* key) {
                auto* p = row.if_contains(key);
                return p && p->is_string() ? std::string(p->get_string()) : std::string{};
            };
            ++n;
            rows.push_back(json::object{{"n", n}, {"key", str("key")}, {"label", str("label")}, {"options", str("options")},
                                        {"position", str("position")}, {"required", !str("required").empty()},
                                        {"types", type_options(str("type"))}});
        }
    } else {
        for (const auto& q : s.questions) {
            std::string options;
            for (const auto& o : q.options) options += (options.empty() ? "" : "\n") + o;
            ++n;
            rows.push_back(json::object{{"n", n}, {"key", q.key}, {"label", q.label}, {"options", options},
                                        {"position", std::to_string(n)}, {"required", q.required}, {"types", type_options(q.type)}});
        }
        for (int i = 0; i < blank_rows; ++i) {
            ++n;
            rows.push_back(json::object{{"n", n}, {"key", ""}, {"label", ""}, {"options", ""}, {"position", std::to_string(n)},
                                        {"required", false}, {"types", type_options("text")}});
        }
    }
    json::object errs;
    for (const auto& [k, v] : errors) errs[k] = v;
    std::string first_error = errors.empty() ? std::string{} : errors.begin()->second;
    json::object data{{"title", a.texts.text(ctx.lang, "form_settings_title") + ": " + e.title},
                      {"event", events::to_view(e, a.texts, ctx.lang)},
                      {"fields", std::move(fields)},
                      {"rows", std::move(rows)},
                      {"privacy_text", raw ? app::form_value(*raw, "privacy_text") : s.privacy_text},
                      {"verify_email", raw ? !app::form_value(*raw, "verify_email").empty() : s.verify_email},
                      {"errors", std::move(errs)},
                      {"error", first_error},
                      {"notice", notice.empty() ? std::string{} : a.texts.text(ctx.lang, notice)}};
    return c.page("admin/registration_form", std::move(data), status);
}


http::response page_get(call& c) {
    auto e = events::the_event(c);
    auto notice = c.req.query_param("saved") ? std::string("notice_form_saved") : std::string{};
    return settings_page(c, e, parse_form_settings(e.registration_form), nullptr, {}, 200, notice);
}

http::response page_post(call& c) {
    storage::transaction tx(c.db());
    auto e = events::the_event(c);
    auto previous = parse_form_settings(e.registration_form);
    field_errors errors;
    auto s = settings_from_form(c.form, previous, errors);
    if (!errors.empty())
        return settings_page(c, e, previous, &c.form, view::localise(errors, c.app.texts, c.lang()), 422, "");
    events::repository(c.db()).set_registration_form(e.id, to_stored(s));
    storage::audit(c.db(), c.user().id, "event.registration_form", e.id, e.id, "");
    tx.commit();
    return http::response::redirect("/admin/events/" + std::to_string(e.id) + "/form?saved=1");
}

http::response api_get(call& c) {
    return app::json_response(200, to_json(parse_form_settings(events::the_event(c).registration_form)));
}

http::response api_put(call& c) {
    storage::transaction tx(c.db());
    auto e = events::the_event(c);
    field_errors errors;
    auto s = settings_from_json(json::value(c.body), parse_form_settings(e.registration_form), errors);
    if (!errors.empty()) return app::validation_failed(c.app, c.req, errors);
    events::repository(c.db()).set_registration_form(e.id, to_stored(s));
    storage::audit(c.db(), c.user().id, "event.registration_form", e.id, e.id, "");
    tx.commit();
    return app::json_response(200, to_json(s));
}

}  // namespace

void register_form_routes(application& a) {
    using app::route;
    route(a, "GET", "/admin/events/{id}/form").allow(access::event_manager).handle(page_get);
    route(a, "POST", "/admin/events/{id}/form").allow(access::event_manager).form().handle(page_post);
    route(a, "GET", "/api/v1/events/{id}/registration-form").allow(access::event_manager).handle(api_get);
    route(a, "PUT", "/api/v1/events/{id}/registration-form").allow(access::event_manager).json(64 * 1024).handle(api_put);
}

}  // namespace sabor::registration

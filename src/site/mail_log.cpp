#include "site/mail_log.hpp"

#include "accounts/repository.hpp"
#include "app/routes.hpp"
#include "app/web.hpp"
#include "mail/composer.hpp"
#include "mail/outbox.hpp"
#include "util/clock.hpp"

#include <chrono>

namespace sabor::site {
namespace {

using mail::composer;
using mail::outbox;
using mail::outbox_row;
using mail::outgoing;
using mail::safe_address;
using mail::message_status;
using mail::parse_status;
using mail::to_string;

using app::access;
using app::application;
using app::call;
namespace json = boost::json;

using util::now_seconds;

json::object row_json(const outbox_row& r) {
    return json::object{{"id", r.id},           {"kind", r.kind},
                        {"to", r.to_address},   {"to_name", r.to_name},
                        {"subject", r.subject}, {"message_id", r.message_id},
                        {"status", to_string(r.status)},   {"attempts", r.attempts},
                        {"next_attempt_at", r.next_attempt_at}, {"last_error", r.last_error},
                        {"created_at", r.created_at}, {"sent_at", r.sent_at}};
}

// Queues the test message in its own transaction; nothing when the address is refused.
std::optional<std::int64_t> queue_test(storage::database& db, const composer& mail, const std::string& to,
                                       const std::string& lang, const accounts::user& by) {
    auto address = accounts::normalise_email(to);
    if (!accounts::plausible_email(address) || !safe_address(address)) return std::nullopt;
    outgoing o;
    o.kind = "test";
    o.locale = lang;
    o.to_address = address;
    o.data = json::object{{"sent_by", by.name + " <" + by.email + ">"}};
    storage::transaction tx(db);
    auto id = mail.enqueue(db, o);
    tx.commit();
    return id;
}

http::response admin_page(call& c) {
    auto& a = c.app;
    const auto& lang = c.lang();
    app::csrf_token(a, c.req, c.ctx);
    auto status = c.req.query_param("status").value_or("");
    if (!parse_status(status)) status.clear();  // no such status: all
    outbox box(c.db());
    auto counts = box.counts();
    std::int64_t total = 0;
    json::array items;
    for (const auto& r : box.list(status, 200, 0, &total)) {
        auto j = row_json(r);
        j["status_label"] = a.texts.text(lang, "mail_status_" + std::string(to_string(r.status)));
        j["can_resend"] = r.status == message_status::sent || r.status == message_status::failed;
        items.push_back(std::move(j));
    }
    json::object data{{"title", a.texts.text(lang, "mail_title")},
                      {"messages", std::move(items)},
                      {"empty", total == 0},
                      {"counts", json::object{{"queued", counts.queued + counts.sending}, {"sent", counts.sent}, {"failed", counts.failed}}},
                      {"delivery", a.cfg.mail.smtp_url.empty() ? a.texts.text(lang, "mail_delivery_files")
                                                               : a.texts.text(lang, "mail_delivery_smtp")}};
    if (auto n = c.req.query_param("notice"); n && (*n == "test_queued" || *n == "resent"))
        data["notice"] = a.texts.text(lang, "notice_" + *n);
    if (auto e = c.req.query_param("error"); e && (*e == "bad_address" || *e == "cannot_resend"))
        data["error"] = a.texts.text(lang, "error_" + *e);
    return c.page("admin/mail", std::move(data));
}

http::response send_test(call& c) {
    if (!queue_test(c.db(), c.app.mail, app::form_value(c.form, "to"), c.lang(), c.user()))
        return http::response::redirect("/admin/mail?error=bad_address");
    return http::response::redirect("/admin/mail?notice=test_queued");
}

http::response resend(call& c) {
    auto id = app::to_id(c.req.param("id"));
    // Refused (still waiting, or gone): back to the list with the reason, not a bare error page.
    if (!id || !outbox(c.db()).resend(*id, now_seconds())) return http::response::redirect("/admin/mail?error=cannot_resend");
    return http::response::redirect("/admin/mail?notice=resent");
}

http::response api_list(call& c) {
    auto status = c.req.query_param("status").value_or("");
    std::int64_t total = 0;
    json::array items;
    for (const auto& r : outbox(c.db()).list(status, app::query_int(c.req, "limit", 100, 1, 1000),
                                             app::query_int(c.req, "offset", 0, 0, 1'000'000'000), &total))
        items.push_back(row_json(r));
    return app::json_response(200, json::object{{"items", std::move(items)}, {"total", total}});
}

http::response api_test(call& c) {
    const auto& lang = c.lang();
    auto& texts = c.app.texts;
    auto to = c.body.if_contains("to");
    if (!to || !to->is_string())
        return app::json_error(422, "validation", texts.text(lang, "error_validation"), {{"to", texts.text(lang, "error_required")}});
    auto id = queue_test(c.db(), c.app.mail, std::string(to->get_string()), lang, c.user());
    if (!id)
        return app::json_error(422, "validation", texts.text(lang, "error_validation"), {{"to", texts.text(lang, "error_bad_address")}});
    return app::json_response(202, json::object{{"id", *id}, {"status", to_string(message_status::queued)}});
}

http::response api_resend(call& c) {
    auto id = app::to_id(c.req.param("id"));
    if (!id || !outbox(c.db()).resend(*id, now_seconds()))
        return app::json_error(409, "cannot_resend", c.app.texts.text(c.lang(), "error_cannot_resend"));
    return app::json_response(200, json::object{{"id", *id}, {"status", to_string(message_status::queued)}});
}

}  // namespace

void register_mail_routes(application& a) {
    a.metrics.add_gauge("sabor_mail_queue_depth", "Messages waiting to be sent.", [&a] {
        auto conn = a.db.acquire();
        auto c = outbox(*conn).counts();
        return static_cast<double>(c.queued + c.sending);
    });
    a.metrics.add_gauge("sabor_mail_sent", "Messages sent (outbox rows marked sent).", [&a] {
        auto conn = a.db.acquire();
        return static_cast<double>(outbox(*conn).counts().sent);
    });
    a.metrics.add_gauge("sabor_mail_failed", "Messages that failed for good.", [&a] {
        auto conn = a.db.acquire();
        return static_cast<double>(outbox(*conn).counts().failed);
    });
    using app::route;

    route(a, "GET", "/admin/mail").allow(access::admin).handle(admin_page);
    route(a, "POST", "/admin/mail/test").allow(access::admin).form().handle(send_test);
    route(a, "POST", "/admin/mail/{id}/resend").allow(access::admin).form().handle(resend);

    route(a, "GET", "/api/v1/mail").allow(access::admin).handle(api_list);
    route(a, "POST", "/api/v1/mail/test").allow(access::admin).json(4096).handle(api_test);
    route(a, "POST", "/api/v1/mail/{id}/resend").allow(access::admin).raw(1024).handle(api_resend);
}

}  // namespace sabor::site

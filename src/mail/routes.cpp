#include "util/clock.hpp"
#include "mail/routes.hpp"

#include "accounts/repository.hpp"
#include "app/web.hpp"
#include "mail/composer.hpp"
#include "mail/outbox.hpp"

#include <chrono>

namespace sabor::mail {
namespace {

using app::application;
namespace json = boost::json;

using util::now_seconds;

json::object row_json(const outbox_row& r) {
    return json::object{{"id", r.id},           {"kind", r.kind},
                        {"to", r.to_address},   {"to_name", r.to_name},
                        {"subject", r.subject}, {"message_id", r.message_id},
                        {"status", r.status},   {"attempts", r.attempts},
                        {"next_attempt_at", r.next_attempt_at}, {"last_error", r.last_error},
                        {"created_at", r.created_at}, {"sent_at", r.sent_at}};
}

// Queues the test message in its own transaction; an empty string when the address is refused.
std::optional<std::int64_t> queue_test(application& a, const std::string& to, const std::string& lang,
                                       const accounts::user& by) {
    auto address = accounts::normalise_email(to);
    if (!accounts::plausible_email(address) || !safe_address(address)) return std::nullopt;
    outgoing o;
    o.kind = "test";
    o.locale = lang;
    o.to_address = address;
    o.data = json::object{{"sent_by", by.name + " <" + by.email + ">"}};
    auto conn = a.db.acquire();
    storage::transaction tx(*conn);
    auto id = a.mail.enqueue(*conn, o);
    tx.commit();
    return id;
}

bool require_admin_page(application& a, http::request& req, app::web_ctx& ctx, std::optional<http::response>& refusal) {
    if (!ctx.user) {
        refusal = http::response::redirect("/login?next=" + req.path);
        return false;
    }
    if (!ctx.user->is_admin()) {
        refusal = app::error_response(a, req, 403, "admin_only");
        return false;
    }
    return true;
}

http::response admin_page(application& a, http::request& req) {
    auto ctx = app::page_context(a, req);
    std::optional<http::response> refusal;
    if (!require_admin_page(a, req, ctx, refusal)) return *refusal;
    app::csrf_token(a, req, ctx);
    auto status = req.query_param("status").value_or("");
    if (status != "queued" && status != "sending" && status != "sent" && status != "failed") status.clear();
    auto conn = a.db.acquire();
    outbox box(*conn);
    auto c = box.counts();
    std::int64_t total = 0;
    json::array items;
    for (const auto& r : box.list(status, 200, 0, &total)) {
        auto j = row_json(r);
        j["status_label"] = a.texts.text(ctx.lang, "mail_status_" + r.status);
        j["can_resend"] = r.status == "sent" || r.status == "failed";
        items.push_back(std::move(j));
    }
    json::object data{{"title", a.texts.text(ctx.lang, "mail_title")},
                      {"messages", std::move(items)},
                      {"empty", total == 0},
                      {"counts", json::object{{"queued", c.queued + c.sending}, {"sent", c.sent}, {"failed", c.failed}}},
                      {"delivery", a.cfg.mail.smtp_url.empty() ? a.texts.text(ctx.lang, "mail_delivery_files")
                                                               : a.texts.text(ctx.lang, "mail_delivery_smtp")}};
    if (auto n = req.query_param("notice"); n && (*n == "test_queued" || *n == "resent"))
        data["notice"] = a.texts.text(ctx.lang, "notice_" + *n);
    if (auto e = req.query_param("error"); e && (*e == "bad_address" || *e == "cannot_resend"))
        data["error"] = a.texts.text(ctx.lang, "error_" + *e);
    return app::render_page(a, ctx, "admin/mail", std::move(data));
}

}  // namespace

void register_routes(application& a) {
    auto form_limit = static_cast<std::size_t>(a.cfg.server.form_max_bytes);

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

    a.router.get("/admin/mail", [&a](http::request& req) { return admin_page(a, req); });

    a.router.post("/admin/mail/test", [&a](http::request& req) {
        auto ctx = app::page_context(a, req);
        std::optional<http::response> refusal;
        if (!require_admin_page(a, req, ctx, refusal)) return *refusal;
        http::fields form;
        if (auto refusal = app::read_form(a, req, form)) return *refusal;
        if (!queue_test(a, app::form_value(form, "to"), ctx.lang, *ctx.user))
            return http::response::redirect("/admin/mail?error=bad_address");
        return http::response::redirect("/admin/mail?notice=test_queued");
    }, form_limit);

    a.router.post("/admin/mail/{id}/resend", [&a](http::request& req) {
        auto ctx = app::page_context(a, req);
        std::optional<http::response> refusal;
        if (!require_admin_page(a, req, ctx, refusal)) return *refusal;
        http::fields form;
        if (auto refusal = app::read_form(a, req, form)) return *refusal;
        auto id = app::to_id(req.param("id"));
        auto conn = a.db.acquire();
        // Refused (still waiting, or gone): back to the list with the reason, not a bare error page.
        if (!id || !outbox(*conn).resend(*id, now_seconds())) return http::response::redirect("/admin/mail?error=cannot_resend");
        return http::response::redirect("/admin/mail?notice=resent");
    }, form_limit);

    a.router.get("/api/v1/mail", [&a](http::request& req) {
        auto auth = app::require_api_admin(a, req);
        if (auth.refusal) return *auth.refusal;
        auto status = req.query_param("status").value_or("");
        auto conn = a.db.acquire();
        std::int64_t total = 0;
        json::array items;
        for (const auto& r : outbox(*conn).list(status, app::query_int(req, "limit", 100, 1, 1000),
                                                app::query_int(req, "offset", 0, 0, 1'000'000'000), &total))
            items.push_back(row_json(r));
        return app::json_response(200, json::object{{"items", std::move(items)}, {"total", total}});
    });

    a.router.post("/api/v1/mail/test", [&a](http::request& req) {
        auto auth = app::require_api_admin(a, req);
        if (auth.refusal) return *auth.refusal;
        std::optional<http::response> refusal;
        auto body = app::parse_json_object(a, req, refusal);
        if (!body) return *refusal;
        auto lang = app::pick_lang(a, req);
        auto to = body->if_contains("to");
        if (!to || !to->is_string())
            return app::json_error(422, "validation", a.texts.text(lang, "error_validation"),
                                   {{"to", a.texts.text(lang, "error_required")}});
        auto id = queue_test(a, std::string(to->get_string()), lang, auth.user);
        if (!id)
            return app::json_error(422, "validation", a.texts.text(lang, "error_validation"),
                                   {{"to", a.texts.text(lang, "error_bad_address")}});
        return app::json_response(202, json::object{{"id", *id}, {"status", "queued"}});
    }, 4096);

    a.router.post("/api/v1/mail/{id}/resend", [&a](http::request& req) {
        auto auth = app::require_api_admin(a, req);
        if (auth.refusal) return *auth.refusal;
        auto id = app::to_id(req.param("id"));
        auto conn = a.db.acquire();
        if (!id || !outbox(*conn).resend(*id, now_seconds()))
            return app::json_error(409, "cannot_resend", a.texts.text(app::pick_lang(a, req), "error_cannot_resend"));
        return app::json_response(200, json::object{{"id", *id}, {"status", "queued"}});
    }, 1024);
}

}  // namespace sabor::mail

#include "app/web.hpp"

#include "accounts/repository.hpp"
#include "util/crypto.hpp"
#include "util/signed_token.hpp"

#include <boost/json/serialize.hpp>

#include <algorithm>
#include <charconv>

namespace sabor::app {

bool is_api(const http::request& req) { return req.path.rfind("/api/", 0) == 0; }

std::string pick_lang(const application& a, const http::request& req, web_ctx* ctx) {
    if (auto q = req.query_param("lang"); q && a.texts.supported(*q)) {
        if (ctx)
            ctx->set_cookies.push_back(http::make_cookie("lang", *q, {.secure = a.cfg.secure_cookies(), .max_age = 31536000}));
        return *q;
    }
    if (auto c = req.cookie("lang"); c && a.texts.supported(*c)) return *c;
    auto al = req.header("accept-language");
    if (!al.empty()) return a.texts.from_accept_language(al);
    return a.texts.default_locale();
}

std::optional<accounts::user> request_user(application& a, const http::request& req) {
    auto auth = req.header("authorization");
    if (auth.rfind("Bearer ", 0) == 0) {
        auto conn = a.db.acquire();
        return accounts::repository(*conn).user_for_api_token(std::string(auth.substr(7)));
    }
    if (auto c = req.cookie("sabor_session")) {
        auto conn = a.db.acquire();
        return accounts::repository(*conn).user_for_session(*c);
    }
    return std::nullopt;
}

web_ctx page_context(application& a, const http::request& req) {
    web_ctx ctx;
    ctx.lang = pick_lang(a, req, &ctx);
    if (req.cookie("sabor_session")) ctx.user = request_user(a, req);
    if (ctx.user) csrf_token(a, req, ctx);  // the layout's sign-out form needs it on every page
    return ctx;
}

const std::string& csrf_token(application& a, const http::request& req, web_ctx& ctx) {
    if (!ctx.csrf.empty()) return ctx.csrf;
    auto cookie = req.cookie("sabor_csrf");
    std::string value;
    if (cookie && cookie->size() >= 20) {
        value = *cookie;
    } else {
        value = util::random_token(24);
        ctx.set_cookies.push_back(http::make_cookie("sabor_csrf", value, {.secure = a.cfg.secure_cookies()}));
    }
    ctx.csrf = util::token_mac(a.secret, util::token_purpose::csrf, value, 64);
    return ctx.csrf;
}

std::optional<std::string> expected_csrf_token(application& a, const http::request& req) {
    auto cookie = req.cookie("sabor_csrf");
    if (!cookie || cookie->size() < 20) return std::nullopt;
    return util::token_mac(a.secret, util::token_purpose::csrf, *cookie, 64);
}

bool csrf_ok(application& a, const http::request& req, const http::fields& form) {
    auto expected = expected_csrf_token(a, req);
    return expected && util::constant_time_equal(form_value(form, "csrf_token"), *expected);
}

std::string form_value(const http::fields& form, std::string_view name) {
    for (const auto& [k, v] : form)
        if (k == name) return v;
    return {};
}

http::response render_page(application& a, web_ctx& ctx, std::string_view page, boost::json::object data, int status) {
    data["t"] = a.texts.catalog(ctx.lang);
    data["lang"] = ctx.lang;
    data["lang_bg"] = ctx.lang == "bg";
    data["lang_en"] = ctx.lang == "en";
    if (ctx.user) {
        data["user"] = boost::json::object{{"name", ctx.user->name}, {"email", ctx.user->email},
                                           {"is_admin", ctx.user->is_admin()}};
    }
    if (!ctx.csrf.empty()) data["csrf_token"] = ctx.csrf;
    data["css_version"] = a.statics.etag("css/sabor.css");
    // Which page this is ("programme/admin" -> page_is.programme_admin), so a shared
    // navigation can mark the current link with aria-current.
    std::string page_key(page);
    std::replace(page_key.begin(), page_key.end(), '/', '_');
    data["page_is"] = boost::json::object{{page_key, true}};
    std::string content = a.pages.render(page, data);
    data["content"] = std::move(content);
    auto r = http::response::html(status, a.pages.render("layout", data));
    for (auto& c : ctx.set_cookies) r.add_header("Set-Cookie", c);
    r.set_header("Vary", "Cookie, Accept-Language");
    return r;
}

http::response json_response(int status, const boost::json::value& v) {
    return http::response::json(status, boost::json::serialize(v));
}

http::response json_error(int status, std::string_view code, const std::string& message,
                          const std::map<std::string, std::string>& fields) {
    boost::json::object err{{"code", code}, {"message", message}};
    if (!fields.empty()) {
        boost::json::object f;
        for (const auto& [k, v] : fields) f[k] = v;
        err["fields"] = std::move(f);
    }
    return json_response(status, boost::json::object{{"error", std::move(err)}});
}

http::response validation_failed(application& a, const http::request& req, const view::field_errors& errors) {
    auto lang = pick_lang(a, req);
    return json_error(422, "validation", a.texts.text(lang, "error_validation"), view::localise(errors, a.texts, lang));
}

http::response error_response(application& a, const http::request& req, int status, std::string_view code,
                              std::string message) {
    web_ctx ctx;
    ctx.lang = pick_lang(a, req);
    if (message.empty()) message = a.texts.text(ctx.lang, "error_" + std::string(code));
    if (is_api(req)) return json_error(status, code, message);
    // The code in the markup too, so a page's refusal can be told apart from another of the same status.
    boost::json::object data{{"status", status}, {"message", message}, {"title", message}, {"code", code}};
    return render_page(a, ctx, "error", std::move(data), status);
}

void apply_security_headers(application&, http::response& r) {
    // A page may bring its own policy (the mail preview: a mail's inline styles in a
    // sandboxed frame); every other answer gets this one.
    if (r.header("Content-Security-Policy").empty())
        r.set_header("Content-Security-Policy",
                     "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; object-src 'none'; "
                     "base-uri 'self'; form-action 'self'; frame-ancestors 'none'");
    r.set_header("X-Content-Type-Options", "nosniff");
    r.set_header("X-Frame-Options", "DENY");
    // The personal pages say no-referrer themselves (their token is in the address).
    if (r.header("Referrer-Policy").empty()) r.set_header("Referrer-Policy", "strict-origin-when-cross-origin");
}

std::optional<std::int64_t> to_id(std::string_view s) {
    std::int64_t v = 0;
    auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
    if (ec != std::errc{} || end != s.data() + s.size() || v <= 0) return std::nullopt;
    return v;
}

std::int64_t query_int(const http::request& req, std::string_view name, std::int64_t def, std::int64_t lo, std::int64_t hi) {
    auto q = req.query_param(name);
    if (!q) return def;
    auto v = to_id(*q).value_or(def);
    if (*q == "0") v = 0;
    return std::clamp(v, lo, hi);
}

}  // namespace sabor::app

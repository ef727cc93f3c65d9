// The organisers' page of an event's materials: the list (rename, attach to a talk,
// delete), the upload form, who may download and from when, and the announcement.
#include "materials/routes.hpp"

#include "app/confirm.hpp"
#include "app/web.hpp"
#include "events/service.hpp"
#include "materials/repository.hpp"
#include "materials/service.hpp"
#include "registration/admin.hpp"
#include "registration/repository.hpp"
#include "util/clock.hpp"
#include "util/crypto.hpp"
#include "util/utf8.hpp"
#include "view/dates.hpp"

#include <boost/json.hpp>

namespace sabor::materials {
namespace {

using app::application;
namespace json = boost::json;

std::string page_path(std::int64_t event_id) { return "/admin/events/" + std::to_string(event_id) + "/materials"; }

constexpr std::string_view notices[] = {"uploaded", "duplicate", "saved", "deleted", "settings_saved", "announced"};

json::array talk_options(const std::vector<talk_ref>& talks, const std::optional<std::int64_t>& selected) {
    json::array out;
    for (const auto& t : talks)
        out.push_back(json::object{{"id", t.id}, {"title", t.title}, {"selected", selected && *selected == t.id}});
    return out;
}

// Why an upload from the page was refused, in the organiser's words: nothing was stored.
std::string upload_refusal_text(application& a, const std::string& lang, const std::string& code) {
    auto reason = code == "file_too_large"
                      ? a.texts.text(lang, "upload_refused_too_large", {{"max", std::to_string(a.cfg.uploads.max_bytes / (1024 * 1024))}})
                  : code == "no_file" ? a.texts.text(lang, "upload_refused_no_file")
                                      : a.texts.text(lang, "error_" + code);
    return a.texts.text(lang, "upload_refused") + " " + reason;
}

// What the organiser typed into the upload form, shown again after a refusal.
struct typed_upload {
    std::string title;
    std::optional<std::int64_t> talk_id;
};

http::response admin_page(application& a, http::request& req, app::web_ctx& ctx, const events::event& e,
                          const std::string& error, int status, const typed_upload* typed = nullptr) {
    app::csrf_token(a, req, ctx);
    auto conn = a.db.acquire();
    repository repo(*conn);
    auto talks = repo.talks(e.id);
    json::array rows;
    for (const auto& m : repo.list(e.id))
        rows.push_back(json::object{{"id", m.id},
                                    {"title", m.title},
                                    {"filename", m.filename},
                                    {"url", download_path(m)},
                                    {"size", size_label(m.size, ctx.lang)},
                                    {"type", type_label(m.content_type)},
                                    {"talk_title", m.talk_title},
                                    {"talks", talk_options(talks, m.talk_id)}});
    auto s = repo.release(e.id);
    json::array visibilities;
    for (auto v : events::visibilities)
        visibilities.push_back(json::object{{"value", v},
                                            {"label", a.texts.text(ctx.lang, "visibility_" + std::string(v))},
                                            {"selected", v == s.visibility}});
    auto counts = registration::repository(*conn).counts(e.id);
    bool empty = rows.empty();
    json::object data{{"title", a.texts.text(ctx.lang, "materials_admin_title") + ": " + e.title},
                      {"event", events::to_view(e, a.texts, ctx.lang)},
                      {"event_id", e.id},
                      {"rows", std::move(rows)},
                      {"empty", empty},
                      // ?talk= from the programme's page: the upload goes to that talk.
                      {"talks", talk_options(talks, typed ? typed->talk_id : app::to_id(req.query_param("talk").value_or("")))},
                      {"upload_title", typed ? typed->title : std::string{}},
                      {"has_talks", !talks.empty()},
                      {"visibilities", std::move(visibilities)},
                      {"release_none", s.release_at.empty()},
                      {"release_start", s.release_at == "event_start"},
                      {"release_at", s.release_at.size() > 11},
                      {"release_local", s.release_at.size() > 11 ? view::format_input_local(release_time(s, e), e.timezone)
                                                                 : std::string{}},
                      {"confirmed_count", counts.confirmed},
                      {"checked_in_count", counts.checked_in},
                      {"max_mb", a.cfg.uploads.max_bytes / (1024 * 1024)},
                      {"public_url", "/events/" + e.slug + "/materials"}};
    if (auto n = req.query_param("notice"))
        for (auto known : notices)
            if (*n == known) data["notice"] = a.texts.text(ctx.lang, "materials_notice_" + *n);
    if (auto q = req.query_param("queued"); q && util::valid_utf8(*q) && q->size() < 12)
        data["notice"] = a.texts.text(ctx.lang, "materials_notice_announced") + " " + *q;
    // A refused upload comes back here with its reason: only sabor's own keys from the address.
    if (auto why = req.query_param("refused"); why && *why == "file_too_large")
        data["upload_error"] = upload_refusal_text(a, ctx.lang, *why);
    if (auto r = req.query_param("recent"); data.contains("notice") && r && app::to_id(*r))
        data["notice"] = std::string(data["notice"].as_string()) + " " +
                         a.texts.text(ctx.lang, "notice_resend_skipped_recent", {{"count", std::to_string(*app::to_id(*r))}});
    // An upload's refusal stands by the upload form; any other above the page.
    if (!error.empty()) data[typed ? "upload_error" : "error"] = error;
    return app::render_page(a, ctx, "materials/admin", std::move(data), status);
}

// The event in the path for the signed-in organiser, or the answer to give (the shared rule:
// sign in first, then 404 or 403).
registration::managed_event load(application& a, http::request& req, app::web_ctx& ctx) {
    auto conn = a.db.acquire();
    return registration::load_managed(a, req, ctx, *conn);
}

// A refusal while or after the body was read: the page again, with the reason and what was
// typed (a forged form gets the bare 403).
http::response page_refusal(application& a, http::request& head, int status, const std::string& code,
                            const upload_result& so_far) {
    if (code == "csrf") return app::error_response(a, head, status, code);
    auto ctx = app::page_context(a, head);
    auto m = load(a, head, ctx);
    if (m.refusal) return *m.refusal;
    typed_upload typed{so_far.title, app::to_id(util::trim(so_far.talk_id))};
    return admin_page(a, head, ctx, m.e, upload_refusal_text(a, ctx.lang, code), status, &typed);
}

http::sink_result open_page_upload(application& a, http::request& head) {
    auto ctx = app::page_context(a, head);
    auto m = load(a, head, ctx);
    if (m.refusal) return std::move(*m.refusal);
    auto cookie = head.cookie("sabor_csrf");
    if (!cookie || cookie->size() < 20) return app::error_response(a, head, 403, "csrf");
    auto boundary = upload_boundary(a, head);
    if (auto* refusal = std::get_if<http::response>(&boundary)) return std::move(*refusal);
    auto opts = default_upload_options(a.cfg);
    opts.csrf_token = util::hmac_hex(a.secret, *cookie);
    opts.refusal_page = [&a](http::request& h, int status, const std::string& code, const upload_result& so_far) {
        return page_refusal(a, h, status, code, so_far);
    };
    return std::make_unique<upload_sink>(a, head, std::get<std::string>(boundary), opts);
}

http::response page_upload(application& a, http::request& req) {
    auto* sink = http::sink_as<upload_sink>(req);
    auto ctx = app::page_context(a, req);
    auto m = load(a, req, ctx);
    if (m.refusal) return *m.refusal;
    if (!sink) return app::error_response(a, req, 500, "internal");
    const auto& r = sink->result();
    auto title = util::trim(r.title);
    typed_upload typed{r.title, app::to_id(util::trim(r.talk_id))};
    if (auto err = title_error(title))
        return admin_page(a, req, ctx, m.e, a.texts.text(ctx.lang, "upload_refused") + " " + a.texts.text(ctx.lang, *err), 422, &typed);
    auto conn = a.db.acquire();
    std::optional<std::int64_t> talk_id;
    if (!util::trim(r.talk_id).empty()) {
        auto t = app::to_id(util::trim(r.talk_id));
        auto talk = t ? repository(*conn).find_talk(*t) : std::nullopt;
        if (!talk || talk->event_id != m.e.id)
            return admin_page(a, req, ctx, m.e, a.texts.text(ctx.lang, "upload_refused") + " " + a.texts.text(ctx.lang, "error_unknown_talk"),
                              422, &typed);
        talk_id = talk->id;
    }
    auto s = store_upload(a, *conn, *sink, m.e.id, talk_id, title, m.user.id);
    return http::response::redirect(page_path(m.e.id) + "?notice=" + (s.created ? "uploaded" : "duplicate"));
}

http::response page_settings(application& a, http::request& req) {
    auto ctx = app::page_context(a, req);
    http::fields form;
    if (auto refusal = app::read_form(a, req, form)) return *refusal;
    auto m = load(a, req, ctx);
    if (m.refusal) return *m.refusal;
    auto mode = app::form_value(form, "release");
    std::string release_at = mode == "event_start" ? "event_start" : mode == "at" ? app::form_value(form, "release_at") : "";
    if (mode == "at" && release_at.empty())
        return admin_page(a, req, ctx, m.e, a.texts.text(ctx.lang, "error_bad_time"), 422);
    std::map<std::string, std::string> errors;
    auto s = release_from(app::form_value(form, "materials_visibility"), release_at, m.e.timezone, errors);
    if (!errors.empty()) return admin_page(a, req, ctx, m.e, a.texts.text(ctx.lang, errors.begin()->second), 422);
    auto conn = a.db.acquire();
    storage::transaction tx(*conn);
    repository(*conn).set_release(m.e.id, s);
    tx.commit();
    return http::response::redirect(page_path(m.e.id) + "?notice=settings_saved");
}

http::response page_announce(application& a, http::request& req) {
    auto ctx = app::page_context(a, req);
    http::fields form;
    if (auto refusal = app::read_form(a, req, form)) return *refusal;
    auto m = load(a, req, ctx);
    if (m.refusal) return *m.refusal;
    auto conn = a.db.acquire();
    storage::transaction tx(*conn);
    if (repository(*conn).list(m.e.id).empty())
        return admin_page(a, req, ctx, m.e, a.texts.text(ctx.lang, "error_no_materials"), 409);
    bool attendees = app::form_value(form, "audience") == "attendees";
    if (!audience_may_download(m.e, repository(*conn).release(m.e.id), attendees, util::now_seconds()))
        return admin_page(a, req, ctx, m.e, a.texts.text(ctx.lang, "error_materials_not_for_audience"), 409);
    auto r = announce(a, *conn, m.e, attendees);
    tx.commit();
    return http::response::redirect(page_path(m.e.id) + "?queued=" + std::to_string(r.queued) +
                                    "&recent=" + std::to_string(r.skipped_recent));
}

// A material named in the path, for an organiser of its event: edit or delete.
http::response page_material(application& a, http::request& req, bool remove) {
    auto ctx = app::page_context(a, req);
    if (!ctx.user) return http::response::redirect("/login?next=" + req.path);
    http::fields form;
    if (auto refusal = app::read_form(a, req, form)) return *refusal;
    auto conn = a.db.acquire();
    repository repo(*conn);
    auto id = app::to_id(req.param("id"));
    auto mat = id ? repo.find(*id) : std::nullopt;
    auto e = mat ? registration::event_managed_by(*conn, *ctx.user, mat->event_id) : std::nullopt;
    if (!mat || !e) return app::error_response(a, req, 404, "not_found");
    if (remove && !app::confirmed(form)) {
        // Asks first: the file goes, and every link to it (mails, the programme) stops working.
        app::confirmation c;
        c.title = a.texts.text(ctx.lang, "confirm_delete_material_title");
        c.subject = mat->title.empty() ? mat->filename : mat->title + " (" + mat->filename + ")";
        c.points = {a.texts.text(ctx.lang, "confirm_delete_material_what"), a.texts.text(ctx.lang, "confirm_cannot_undo")};
        c.action = "/admin/materials/" + std::to_string(mat->id) + "/delete";
        c.confirm_label = a.texts.text(ctx.lang, "confirm_delete_material_yes");
        c.back_url = page_path(e->id);
        c.back_label = a.texts.text(ctx.lang, "confirm_keep");
        c.event = events::to_view(*e, a.texts, ctx.lang);
        c.page_is = json::object{{"materials_admin", true}};
        return app::confirm_page(a, req, ctx, c);
    }
    if (remove) {
        delete_material(a, *conn, *mat);
        return http::response::redirect(page_path(e->id) + "?notice=deleted");
    }
    auto title = util::trim(app::form_value(form, "title"));
    if (auto err = title_error(title)) return admin_page(a, req, ctx, *e, a.texts.text(ctx.lang, *err), 422);
    std::optional<std::int64_t> talk_id;
    if (auto raw = app::form_value(form, "talk_id"); !raw.empty()) {
        auto t = app::to_id(raw);
        auto talk = t ? repo.find_talk(*t) : std::nullopt;
        if (!talk || talk->event_id != e->id)
            return admin_page(a, req, ctx, *e, a.texts.text(ctx.lang, "error_unknown_talk"), 422);
        talk_id = talk->id;
    }
    storage::transaction tx(*conn);
    repo.update(mat->id, title, talk_id);
    tx.commit();
    return http::response::redirect(page_path(e->id) + "?notice=saved");
}

}  // namespace

void register_admin_routes(application& a) {
    auto form_limit = static_cast<std::size_t>(a.cfg.server.form_max_bytes);
    // A file over the limit, told by its Content-Length before any of it is read: back to the
    // page with the reason (a redirect: nothing of the body can be shown again).
    a.too_large_pages.push_back([](const http::request& req) -> std::optional<http::response> {
        constexpr std::string_view prefix = "/admin/events/", suffix = "/materials";
        std::string_view p = req.path;
        if (req.method != "POST" || !p.starts_with(prefix) || !p.ends_with(suffix) || p.size() <= prefix.size() + suffix.size())
            return std::nullopt;
        auto id = app::to_id(p.substr(prefix.size(), p.size() - prefix.size() - suffix.size()));
        if (!id) return std::nullopt;
        return http::response::redirect(page_path(*id) + "?refused=file_too_large");
    });
    a.router.get("/admin/events/{id}/materials", [&a](http::request& req) {
        auto ctx = app::page_context(a, req);
        auto m = load(a, req, ctx);
        if (m.refusal) return *m.refusal;
        return admin_page(a, req, ctx, m.e, "", 200);
    });
    a.router.add_streaming(
        "POST", "/admin/events/{id}/materials", [&a](http::request& head) { return open_page_upload(a, head); },
        [&a](http::request& req) { return page_upload(a, req); }, upload_body_limit(a.cfg));
    a.router.post("/admin/events/{id}/materials/settings", [&a](http::request& req) { return page_settings(a, req); },
                  form_limit);
    a.router.post("/admin/events/{id}/materials/announce", [&a](http::request& req) { return page_announce(a, req); },
                  form_limit);
    a.router.post("/admin/materials/{id}", [&a](http::request& req) { return page_material(a, req, false); }, form_limit);
    a.router.post("/admin/materials/{id}/delete", [&a](http::request& req) { return page_material(a, req, true); },
                  form_limit);
}

}  // namespace sabor::materials

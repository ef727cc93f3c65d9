// The organisers' page of an event's materials: the list (rename, attach to a talk,
// delete), the upload form, who may download and from when, and the announcement.
#include "materials/routes.hpp"

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

http::response admin_page(application& a, http::request& req, app::web_ctx& ctx, const events::event& e,
                          const std::string& error, int status) {
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
                      {"talks", talk_options(talks, app::to_id(req.query_param("talk").value_or("")))},
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
    if (auto r = req.query_param("recent"); data.contains("notice") && r && *r != "0" && app::to_id(*r))
        data["notice"] = std::string(data["notice"].as_string()) + " " +
                         a.texts.text(ctx.lang, "notice_resend_skipped_recent", {{"count", std::string(*r)}});
    if (!error.empty()) data["error"] = error;
    return app::render_page(a, ctx, "materials/admin", std::move(data), status);
}

// The event in the path for the signed-in organiser, or the answer to give (the shared rule:
// sign in first, then 404 or 403).
registration::managed_event load(application& a, http::request& req, app::web_ctx& ctx) {
    auto conn = a.db.acquire();
    return registration::load_managed(a, req, ctx, *conn);
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
    if (auto err = title_error(title)) return admin_page(a, req, ctx, m.e, a.texts.text(ctx.lang, *err), 422);
    auto conn = a.db.acquire();
    std::optional<std::int64_t> talk_id;
    if (!util::trim(r.talk_id).empty()) {
        auto t = app::to_id(util::trim(r.talk_id));
        auto talk = t ? repository(*conn).find_talk(*t) : std::nullopt;
        if (!talk || talk->event_id != m.e.id)
            return admin_page(a, req, ctx, m.e, a.texts.text(ctx.lang, "error_unknown_talk"), 422);
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
    a.notify_mail();
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

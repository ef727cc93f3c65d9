// The organisers' page of an event's materials: the list (rename, attach to a talk,
// delete), the upload form, who may download and from when, and the announcement.
#include "materials/routes.hpp"
#include "events/routes.hpp"

#include "app/confirm.hpp"
#include "app/routes.hpp"
#include "app/web.hpp"
#include "events/repository.hpp"
#include "events/service.hpp"
#include "materials/repository.hpp"
#include "materials/service.hpp"
#include "registration/repository.hpp"
#include "util/clock.hpp"
#include "util/utf8.hpp"
#include "view/dates.hpp"

#include <boost/json.hpp>

namespace sabor::materials {
namespace {

using app::application;
using app::call;
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

http::response admin_page(application& a, const http::request& req, app::web_ctx& ctx, storage::database& db,
                          const events::event& e, const std::string& error, int status, const typed_upload* typed = nullptr) {
    app::csrf_token(a, req, ctx);
    repository repo(db);
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
    auto counts = registration::repository(db).counts(e.id);
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

// The page of the event the call is about (its access checked by the framework).
http::response admin_page(call& c, const std::string& error, int status, const typed_upload* typed = nullptr) {
    auto e = events::the_event(c);
    return admin_page(c.app, c.req, c.ctx, c.db(), e, error, status, typed);
}

http::response show(call& c) { return admin_page(c, "", 200); }

// A refusal while the body was read (the opener let the caller in): the page again, with the
// reason and what was typed (a forged form gets the bare 403). Outside a call, so the page's
// language and account come from the request's head here.
http::response page_refusal(application& a, http::request& head, std::int64_t event_id, int status,
                            const std::string& code, const upload_result& so_far) {
    if (code == "csrf") return app::error_response(a, head, status, code);
    auto ctx = app::page_context(a, head);
    auto conn = a.db.acquire();
    auto e = events::repository(*conn).find(event_id);
    if (!e) return app::error_response(a, head, 404, "not_found");  // deleted while the file came
    typed_upload typed{so_far.title, app::to_id(util::trim(so_far.talk_id))};
    return admin_page(a, head, ctx, *conn, *e, upload_refusal_text(a, ctx.lang, code), status, &typed);
}

// Opened once the framework let the organiser in: the form's token is checked in the body,
// before any of the file is stored.
http::sink_result open_page_upload(call& c) {
    auto& a = c.app;
    auto csrf = app::expected_csrf_token(a, c.req);
    if (!csrf) return c.error(403, "csrf");
    auto boundary = upload_boundary(c.req);
    if (auto* refusal = std::get_if<boundary_refusal>(&boundary)) return c.error(refusal->status, refusal->code);
    auto opts = default_upload_options(a.cfg.storage.data_dir, a.cfg.uploads.max_bytes, a.cfg.uploads.allowed_types);
    opts.csrf_token = std::move(*csrf);
    opts.refusal = [&a, event_id = c.event_id](http::request& h, int status, const std::string& code,
                                               const upload_result& so_far) {
        return page_refusal(a, h, event_id, status, code, so_far);
    };
    return std::make_unique<upload_sink>(c.req, std::get<std::string>(boundary), std::move(opts));
}

http::response page_upload(call& c) {
    auto& a = c.app;
    const auto& lang = c.lang();
    auto* sink = http::sink_as<upload_sink>(c.req);
    if (!sink) return c.error(500, "internal");
    const auto& r = sink->result();
    auto title = util::trim(r.title);
    typed_upload typed{r.title, app::to_id(util::trim(r.talk_id))};
    auto refused = [&](const std::string& key) {
        return admin_page(c, a.texts.text(lang, "upload_refused") + " " + a.texts.text(lang, key), 422, &typed);
    };
    if (auto err = title_error(title)) return refused(*err);
    std::optional<std::int64_t> talk_id;
    if (!util::trim(r.talk_id).empty()) {
        auto t = app::to_id(util::trim(r.talk_id));
        auto talk = t ? repository(c.db()).find_talk(*t) : std::nullopt;
        if (!talk || talk->event_id != c.event_id) return refused("error_unknown_talk");
        talk_id = talk->id;
    }
    auto s = store_upload(c.db(), a.cfg.storage.data_dir, *sink, c.event_id, talk_id, title, c.user().id);
    return http::response::redirect(page_path(c.event_id) + "?notice=" + (s.created ? "uploaded" : "duplicate"));
}

http::response page_settings(call& c) {
    auto e = events::the_event(c);
    auto mode = app::form_value(c.form, "release");
    std::string release_at = mode == "event_start" ? "event_start" : mode == "at" ? app::form_value(c.form, "release_at") : "";
    if (mode == "at" && release_at.empty()) return admin_page(c, c.app.texts.text(c.lang(), "error_bad_time"), 422);
    std::map<std::string, std::string> errors;
    auto s = release_from(app::form_value(c.form, "materials_visibility"), release_at, e.timezone, errors);
    if (!errors.empty()) return admin_page(c, c.app.texts.text(c.lang(), errors.begin()->second), 422);
    storage::transaction tx(c.db());
    repository(c.db()).set_release(e.id, s);
    tx.commit();
    return http::response::redirect(page_path(e.id) + "?notice=settings_saved");
}

http::response page_announce(call& c) {
    storage::transaction tx(c.db());
    auto e = events::the_event(c);
    repository repo(c.db());
    if (repo.list(e.id).empty()) return admin_page(c, c.app.texts.text(c.lang(), "error_no_materials"), 409);
    bool attendees = app::form_value(c.form, "audience") == "attendees";
    if (!audience_may_download(e, repo.release(e.id), attendees, util::now_seconds()))
        return admin_page(c, c.app.texts.text(c.lang(), "error_materials_not_for_audience"), 409);
    announce_context ac{c.db(), c.app.mail, c.app.cfg.public_base(), c.app.secret};
    auto r = announce(ac, e, attendees);
    tx.commit();
    return http::response::redirect(page_path(e.id) + "?queued=" + std::to_string(r.queued) +
                                    "&recent=" + std::to_string(r.skipped_recent));
}

// Asks first: the file goes, and every link to it (mails, the programme) stops working.
http::response confirm_delete(call& c, const material& mat) {
    auto& a = c.app;
    const auto& lang = c.lang();
    auto e = events::the_event(c);
    app::confirmation q;
    q.title = a.texts.text(lang, "confirm_delete_material_title");
    q.subject = mat.title.empty() ? mat.filename : mat.title + " (" + mat.filename + ")";
    q.points = {a.texts.text(lang, "confirm_delete_material_what"), a.texts.text(lang, "confirm_cannot_undo")};
    q.action = "/admin/materials/" + std::to_string(mat.id) + "/delete";
    q.confirm_label = a.texts.text(lang, "confirm_delete_material_yes");
    q.back_url = page_path(e.id);
    q.back_label = a.texts.text(lang, "confirm_keep");
    q.event = events::to_view(e, a.texts, lang);
    q.page_is = json::object{{"materials_admin", true}};
    return app::confirm_page(a, c.req, c.ctx, q);
}

// A material named in the path, its event managed by the caller (checked by the framework).
http::response page_delete(call& c) {
    auto mat = repository(c.db()).find(c.object_id);
    if (!mat) return c.error(404, "not_found");
    if (!app::confirmed(c.form)) return confirm_delete(c, *mat);
    delete_material(c.db(), c.app.cfg.storage.data_dir, *mat);
    return http::response::redirect(page_path(c.event_id) + "?notice=deleted");
}

http::response page_edit(call& c) {
    repository repo(c.db());
    auto mat = repo.find(c.object_id);
    if (!mat) return c.error(404, "not_found");
    auto title = util::trim(app::form_value(c.form, "title"));
    if (auto err = title_error(title)) return admin_page(c, c.app.texts.text(c.lang(), *err), 422);
    std::optional<std::int64_t> talk_id;
    if (auto raw = app::form_value(c.form, "talk_id"); !raw.empty()) {
        auto t = app::to_id(raw);
        auto talk = t ? repo.find_talk(*t) : std::nullopt;
        if (!talk || talk->event_id != c.event_id)
            return admin_page(c, c.app.texts.text(c.lang(), "error_unknown_talk"), 422);
        talk_id = talk->id;
    }
    storage::transaction tx(c.db());
    repo.update(mat->id, title, talk_id);
    tx.commit();
    return http::response::redirect(page_path(c.event_id) + "?notice=saved");
}

}  // namespace

void register_admin_routes(application& a) {
    using app::route;
    using who = app::access;
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
    route(a, "GET", "/admin/events/{id}/materials").allow(who::event_manager).handle(show);
    route(a, "POST", "/admin/events/{id}/materials").allow(who::event_manager)
        .stream(upload_body_limit(a.cfg.uploads.max_bytes), open_page_upload).handle(page_upload);
    route(a, "POST", "/admin/events/{id}/materials/settings").allow(who::event_manager).form().handle(page_settings);
    route(a, "POST", "/admin/events/{id}/materials/announce").allow(who::event_manager).form().handle(page_announce);
    route(a, "POST", "/admin/materials/{id}").allow(who::event_manager).event_of("id", event_of_material).form()
        .handle(page_edit);
    route(a, "POST", "/admin/materials/{id}/delete").allow(who::event_manager).event_of("id", event_of_material).form()
        .handle(page_delete);
}

}  // namespace sabor::materials

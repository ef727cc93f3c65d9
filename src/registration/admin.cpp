#include "registration/admin.hpp"
#include "events/routes.hpp"

#include "app/confirm.hpp"
#include "app/routes.hpp"
#include "app/web.hpp"
#include "events/repository.hpp"
#include "events/service.hpp"
#include "storage/audit_log.hpp"
#include "registration/checkin.hpp"
#include "registration/desk.hpp"
#include "registration/exports.hpp"
#include "registration/reporting.hpp"
#include "registration/repository.hpp"
#include "registration/service.hpp"
#include "util/utf8.hpp"
#include "view/dates.hpp"

namespace sabor::registration {

using app::application;
namespace json = boost::json;

namespace {

using app::access;
using app::call;

std::vector<registration> all_for(storage::database& db, std::int64_t event_id, std::string_view status,
                                  const std::string& q) {
    return repository(db).list(event_id, status, util::to_lower_utf8(q), 100000, 0, nullptr);
}

std::string clean(const std::optional<std::string>& v) {
    return v && util::valid_utf8(*v) && v->size() <= 200 ? *v : std::string{};
}

void action_notices(application& a, const http::request& req, const std::string& lang, json::object& data);


http::response list_page(call& c) {
    auto& a = c.app;
    auto& req = c.req;
    const auto& lang = c.lang();
    auto e = events::the_event(c);
    app::csrf_token(a, req, c.ctx);
    auto q = clean(req.query_param("q"));
    auto status = clean(req.query_param("status"));
    auto sort = clean(req.query_param("sort"));
    auto list = all_for(c.db(), e.id, status, q);
    if (sort != "date") sort_bulgarian(list, sort == "organisation");
    json::array rows;
    for (const auto& r : list) {
        auto j = to_json(r);
        j["status_label"] = a.texts.text(lang, "regstatus_" + std::string(to_string(r.status)));
        j["type_label"] = r.organisation_type.empty() ? std::string{} : a.texts.text(lang, "orgtype_" + r.organisation_type);
        j["can_approve"] = r.status == registration_status::pending || r.status == registration_status::waitlisted;
        j["can_reject"] = r.status == registration_status::pending;
        j["can_cancel"] = is_live(r.status);
        j["checked_in"] = !r.checked_in_at.empty();
        j["can_check_in"] = r.status == registration_status::confirmed;
        rows.push_back(std::move(j));
    }
    // The same figures as GET .../statistics, with labels for the page.
    auto stats = statistics_json(c.db(), e, a.texts, lang);
    auto labelled = [&](const json::value& groups, bool types) {
        json::array out;
        for (const auto& g : groups.as_array()) {
            auto row = g.as_object();
            std::string value(row["value"].as_string());
            row["label"] = value.empty() ? a.texts.text(lang, "not_given")
                                         : types ? a.texts.text(lang, "orgtype_" + value) : value;
            out.push_back(std::move(row));
        }
        return out;
    };
    json::array by_type = labelled(stats["by_organisation_type"], true);
    json::array by_town = labelled(stats["by_town"], false);
    json::array tallies;
    for (const auto& q : stats["questions"].as_array()) {
        auto t = q.as_object();
        t["has_unanswered"] = t["unanswered"].as_int64() > 0;
        tallies.push_back(std::move(t));
    }
    bool has_tallies = !tallies.empty();
    json::array statuses;
    for (auto s : sabor::registration::statuses)
        statuses.push_back(json::object{{"value", s}, {"label", a.texts.text(lang, "regstatus_" + std::string(s))},
                                        {"selected", status == s}});
    json::object data{{"title", a.texts.text(lang, "attendees_title") + ": " + e.title},
                      {"event", events::to_view(e, a.texts, lang)},
                      {"rows", std::move(rows)},
                      {"empty", list.empty()},
                      {"q", q},
                      {"statuses", std::move(statuses)},
                      {"sort_organisation", sort == "organisation"},
                      {"sort_date", sort == "date"},
                      {"counts", json::object{{"confirmed", stats["confirmed"]}, {"waitlisted", stats["waitlisted"]},
                                              {"pending", stats["pending"]}, {"cancelled", stats["cancelled"]},
                                              {"rejected", stats["rejected"]}, {"attended", stats["attended"]}}},
                      {"by_type", std::move(by_type)},
                      {"by_town", std::move(by_town)},
                      {"tallies", std::move(tallies)},
                      {"has_tallies", has_tallies},
                      {"back", req.target}};
    action_notices(a, req, lang, data);
    if (auto done = req.query_param("done")) {
        data["notice"] = a.texts.text(lang, "notice_bulk_done", {{"count", *done}});
        if (auto refused = req.query_param("refused"); refused && *refused != "0")
            data["warning"] = a.texts.text(lang, "notice_bulk_refused", {{"count", *refused}});
    }
    return c.page("admin/registrations", std::move(data));
}

// One organiser's action on one registration, inside the caller's transaction. Returns why
// it was refused; nullopt when done (or nothing to do).
std::optional<refusal> apply_action(context& c, repository& repo, const events::event& e, registration& r,
                                    const std::string& what) {
    if (what == "approve") return set_status(c, e, r, registration_status::confirmed);
    if (what == "reject") return set_status(c, e, r, registration_status::rejected);
    if (what == "cancel") return set_status(c, e, r, registration_status::cancelled);
    if (what == "admit" || what == "admit_over_capacity") return admit_at_desk(c, e, r, what == "admit_over_capacity");
    if (what == "check_in" || what == "undo_check_in") {
        if (r.status != registration_status::confirmed) return refusal::not_confirmed;
        repo.set_checked_in(r.id, what == "check_in");
        return std::nullopt;
    }
    return refusal::unknown_value;
}

// Local paths back to the list or desk only (the filters travel in a hidden field).
std::string back_path(const http::fields& form, std::int64_t event_id) {
    auto back = app::form_value(form, "back");
    if ((back.rfind("/admin/events/", 0) != 0 && back.rfind("/admin/checkin/", 0) != 0) ||
        back.find_first_of("\r\n") != std::string::npos)
        back = "/admin/events/" + std::to_string(event_id) + "/registrations";
    return back;
}

std::string with_query(std::string path, const std::string& param) {
    return path + (path.find('?') == std::string::npos ? "?" : "&") + param;
}

// After one row's action the page says what was done (did=) or why nothing was (refused=),
// in the organiser's language; only these values are ever shown.
bool is_one_of(std::string_view v, std::initializer_list<std::string_view> allowed) {
    return std::find(allowed.begin(), allowed.end(), v) != allowed.end();
}

void action_notices(application& a, const http::request& req, const std::string& lang, json::object& data) {
    if (auto did = req.query_param("did"); did && is_one_of(*did, {"approve", "reject", "cancel", "check_in", "undo_check_in"}))
        data["notice"] = a.texts.text(lang, "notice_did_" + *did);
    if (auto why = req.query_param("refused"); why && is_one_of(*why, {"event_full", "not_confirmed", "none_ticked"}))
        data["warning"] = a.texts.text(lang, "error_" + *why);
}

// What cancelling `r` does, said before it is done: who is told, where the seat goes.
std::vector<std::string> cancel_consequences(application& a, const std::string& lang, repository& repo,
                                             const events::event& e, const registration& r) {
    std::vector<std::string> out;
    out.push_back(r.email.empty() ? a.texts.text(lang, "confirm_cancel_reg_no_mail")
                                  : a.texts.text(lang, "confirm_cancel_reg_mail", {{"email", r.email}}));
    if (r.status == registration_status::confirmed) {
        // The service gives a freed seat to the first on the waiting list at once.
        auto next = repo.first_waitlisted(e.id);
        out.push_back(next ? a.texts.text(lang, "confirm_cancel_reg_seat_to", {{"name", next->name}})
                           : a.texts.text(lang, "confirm_cancel_reg_seat_free"));
    } else if (r.status == registration_status::waitlisted) {
        out.push_back(a.texts.text(lang, "confirm_cancel_reg_leaves_waitlist"));
    } else if (r.status == registration_status::pending) {
        out.push_back(a.texts.text(lang, "confirm_cancel_reg_request_drops"));
    }
    out.push_back(a.texts.text(lang, "confirm_cancel_reg_final"));
    return out;
}

// The question before one row's „Отмени“: nothing changes until the second press.
http::response confirm_cancel(application& a, http::request& req, app::web_ctx& ctx, repository& repo,
                              const events::event& e, const registration& r, const http::fields& form) {
    app::confirmation c;
    c.title = a.texts.text(ctx.lang, "confirm_cancel_reg_title");
    c.subject = r.email.empty() ? r.name : r.name + " (" + r.email + ")";
    c.points = cancel_consequences(a, ctx.lang, repo, e, r);
    c.action = "/admin/registrations/" + std::to_string(r.id);
    auto back = back_path(form, e.id);
    c.hidden = {{"action", "cancel"}, {"back", back}};
    c.confirm_label = a.texts.text(ctx.lang, "confirm_cancel_reg_yes");
    c.back_url = back;
    c.back_label = a.texts.text(ctx.lang, "confirm_keep");
    c.event = events::to_view(e, a.texts, ctx.lang);
    c.page_is = json::object{{"admin_registrations", true}};
    return app::confirm_page(a, req, ctx, c);
}

// The question before several ticked rows are cancelled: how many, and who.
http::response confirm_bulk_cancel(application& a, http::request& req, app::web_ctx& ctx, const events::event& e,
                                   const std::vector<registration>& rows, const http::fields& form) {
    constexpr std::size_t named = 10;  // more names would hide the button on a phone
    app::confirmation c;
    c.title = a.texts.text(ctx.lang, "confirm_bulk_cancel_title");
    std::string names;
    for (std::size_t i = 0; i < rows.size() && i < named; ++i) names += (i ? ", " : "") + rows[i].name;
    if (rows.size() > named) names += ", …";
    c.subject = a.texts.text(ctx.lang, "confirm_bulk_cancel_subject", {{"count", std::to_string(rows.size())}}) + " " + names;
    c.points = {a.texts.text(ctx.lang, "confirm_bulk_cancel_mail"), a.texts.text(ctx.lang, "confirm_bulk_cancel_seats"),
                a.texts.text(ctx.lang, "confirm_cancel_reg_final")};
    c.action = "/admin/events/" + std::to_string(e.id) + "/registrations/bulk";
    auto back = back_path(form, e.id);
    c.hidden = {{"bulk_action", "cancel"}, {"back", back}};
    for (const auto& r : rows) c.hidden.emplace_back("ids", std::to_string(r.id));
    c.confirm_label = a.texts.text(ctx.lang, "confirm_bulk_cancel_yes", {{"count", std::to_string(rows.size())}});
    c.back_url = back;
    c.back_label = a.texts.text(ctx.lang, "confirm_keep");
    c.event = events::to_view(e, a.texts, ctx.lang);
    c.page_is = json::object{{"admin_registrations", true}};
    return app::confirm_page(a, req, ctx, c);
}

// Several ticked rows of the list at once, in one transaction: what can be done is done,
// what cannot (approving beyond capacity, say) is counted and told.
http::response bulk_action(call& c) {
    auto& a = c.app;
    const auto& form = c.form;
    auto& db = c.db();
    storage::transaction tx(db);
    auto e = events::the_event(c);
    auto what = app::form_value(form, "bulk_action");
    if (what != "approve" && what != "reject" && what != "cancel" && what != "check_in" && what != "undo_check_in")
        return c.error(400, "bad_form");
    repository repo(db);
    context svc{db, a.mail, a.cfg.public_base(), a.secret};
    std::vector<registration> ticked;
    for (const auto& [k, v] : form) {
        if (k != "ids") continue;
        auto r = repo.find(app::to_id(v).value_or(0));
        if (!r || r->event_id != e.id) return c.error(404, "not_found");  // rolls back
        ticked.push_back(std::move(*r));
    }
    // Nothing ticked: back to the list, which says so, rather than "done: 0".
    if (ticked.empty()) return http::response::redirect(with_query(back_path(form, e.id), "refused=none_ticked"));
    if (what == "cancel" && !app::confirmed(form)) return confirm_bulk_cancel(a, c.req, c.ctx, e, ticked, form);
    int done = 0, refused = 0;
    for (auto& reg : ticked) {
        auto* r = &reg;
        if (apply_action(svc, repo, e, *r, what)) {
            ++refused;
            continue;
        }
        storage::audit(db, c.user().id, "registration." + what, e.id, r->id, "bulk");
        ++done;
    }
    tx.commit();
    auto back = back_path(form, e.id);
    back += (back.find('?') == std::string::npos ? "?" : "&") + std::string("done=") + std::to_string(done) +
            "&refused=" + std::to_string(refused);
    return http::response::redirect(back);
}

// One registration (the path's {id}): its event is found and checked by the framework.
http::response action(call& c) {
    auto& a = c.app;
    const auto& form = c.form;
    auto& db = c.db();
    storage::transaction tx(db);
    repository repo(db);
    auto r = repo.find(c.object_id);
    if (!r) return c.error(404, "not_found");  // gone since the check
    auto e = events::the_event(c);
    auto what = app::form_value(form, "action");
    // Cancelling a registration asks first (the person is told, the seat goes on).
    if (what == "cancel" && is_live(r->status) && !app::confirmed(form))
        return confirm_cancel(a, c.req, c.ctx, repo, e, *r, form);
    context svc{db, a.mail, a.cfg.public_base(), a.secret};
    const auto before = r->status;
    if (auto refused = apply_action(svc, repo, e, *r, what)) {
        // The last seat went while the desk was looking: back to the desk, which now offers
        // admission beyond the capacity and says so (nothing was changed).
        if (*refused == refusal::desk_no_seat) return http::response::redirect(with_query(back_path(form, e.id), "seat_gone=1"));
        if (*refused == refusal::unknown_value) return c.error(400, "bad_form");
        // Back to the page the organiser came from, with the reason: no dead end.
        return http::response::redirect(with_query(back_path(form, e.id), "refused=" + std::string(code(*refused))));
    }
    storage::audit(db, c.user().id, "registration." + what, e.id, r->id, what.rfind("admit", 0) == 0 ? "was " + std::string(to_string(before)) : "");
    tx.commit();
    auto back = back_path(form, e.id);
    return http::response::redirect(with_query(back, what.rfind("admit", 0) == 0 ? "admitted=1" : "did=" + what));
}

// A walk-in at the desk: confirmed and checked in at once, whatever the capacity (they are
// in the room). With an address already registered, that registration is checked in.
http::response walk_in(call& c) {
    auto& a = c.app;
    auto& db = c.db();
    storage::transaction tx(db);
    auto e = events::the_event(c);
    field_errors errors;
    auto in = input_from_form(c.form, errors);
    in.walk_in = true;
    in.check_answers = false;  // the organiser's questions are for the online form
    in.locale = c.lang();
    validate(in, errors);
    if (!errors.empty())
        return c.error(422, "validation", view::localise(errors, a.texts, c.lang()).begin()->second);
    context svc{db, a.mail, a.cfg.public_base(), a.secret};
    auto r = add_walk_in(svc, e, in);
    storage::audit(db, c.user().id, "registration.walk_in", e.id, r.id, "");
    tx.commit();
    return http::response::redirect("/admin/events/" + std::to_string(e.id) + "/checkin?added=" + std::to_string(r.id));
}

// The CSV's separator: ?sep= (";", "," or "tab"), otherwise ';' for Bulgarian (Bulgarian
// Excel splits on it, since ',' is its decimal mark) and ',' for English; 0 when ?sep= is bad.
char csv_separator(const http::request& req, const std::string& lang) {
    auto sep = req.query_param("sep");
    if (!sep) return lang == "bg" ? ';' : ',';
    if (*sep == ";" || *sep == ",") return (*sep)[0];
    if (*sep == "tab" || *sep == "\t") return '\t';
    return 0;
}

// The attendee list as CSV or XLSX: the same columns, Bulgarian order, the event's time zone.
// The page (/admin/...) and the API (/api/v1/...) answer the same file.
http::response export_response(call& c, bool xlsx) {
    auto& a = c.app;
    const auto& lang = c.lang();
    auto e = events::the_event(c);
    char sep = xlsx ? ',' : csv_separator(c.req, lang);
    if (!sep) return c.error(400, "bad_separator");
    auto status = clean(c.req.query_param("status"));
    auto list = all_for(c.db(), e.id, status, "");
    sort_bulgarian(list, false);
    storage::audit(c.db(), c.user().id, xlsx ? "registrations.export_xlsx" : "registrations.export_csv", e.id, 0, status);
    http::response r;
    auto questions = parse_form_settings(e.registration_form).questions;
    r.body = xlsx ? to_xlsx(list, a.texts, lang, questions, e.timezone)
                  : to_csv(list, a.texts, lang, questions, e.timezone, sep);
    r.set_header("Content-Type", xlsx ? "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
                                      : "text/csv; charset=utf-8");
    r.set_header("Content-Disposition",
                 "attachment; filename=\"registrations-" + e.slug + (xlsx ? ".xlsx" : ".csv") + "\"");
    r.set_header("Cache-Control", "no-store");
    return r;
}

// The sign-in sheet (присъствен списък), printed in the event's language whatever the
// organiser's browser speaks: one signature column per day of the event, or one sheet per
// day (?per_day=1); ?contact=1 adds e-mail and phone; the funding block repeats on every
// printed page (it sits in the table's repeated header) and each sheet ends with „Изготвил“.
http::response signin_sheet(call& c) {
    auto& a = c.app;
    auto& req = c.req;
    auto e = events::the_event(c);
    bool all = req.query_param("all").value_or("") == "1";
    bool by_org = req.query_param("sort").value_or("") == "organisation";
    bool contact = req.query_param("contact").value_or("") == "1";
    auto blank = app::query_int(req, "blank", 5, 0, 100);
    auto print_lang = req.query_param("print_lang").value_or("");
    auto lang = a.texts.supported(print_lang) ? print_lang : event_language(e, a.texts.default_locale());
    auto days = event_days(e);
    constexpr std::size_t max_day_columns = 6;  // more would leave no room to sign on A4
    bool per_day = days.size() > 1 && (req.query_param("per_day").value_or("") == "1" || days.size() > max_day_columns);

    auto list = all_for(c.db(), e.id, all ? "" : to_string(registration_status::confirmed), "");
    if (all)
        list.erase(std::remove_if(list.begin(), list.end(),
                                  [](const registration& r) { return !is_live(r.status); }),
                   list.end());
    sort_bulgarian(list, by_org);
    json::array rows;
    int n = 0;
    for (const auto& r : list)
        rows.push_back(json::object{{"n", ++n}, {"name", r.name}, {"organisation", r.organisation}, {"position", r.position},
                                    {"email", r.email}, {"phone", r.phone}});
    for (std::int64_t i = 0; i < blank; ++i) rows.push_back(json::object{{"n", ++n}, {"blank", true}});

    auto date = [&](std::int64_t noon) { return view::format_date(noon, e.timezone, lang); };
    json::array sig_columns, sheets;
    if (per_day || days.size() <= 1) {
        sig_columns.push_back(json::object{{"date", ""}});
    } else {
        for (auto d : days) {  // "06.10.2031": short enough for a column's heading
            auto iso = view::format_input_local(d, e.timezone);
            sig_columns.push_back(json::object{{"date", iso.substr(8, 2) + "." + iso.substr(5, 2) + "." + iso.substr(0, 4)}});
        }
    }
    if (per_day) {
        for (std::size_t i = 0; i < days.size(); ++i)
            sheets.push_back(json::object{
                {"first", i == 0},
                {"day_label", a.texts.text(lang, "sheet_day_of", {{"n", std::to_string(i + 1)},
                                                                  {"count", std::to_string(days.size())},
                                                                  {"date", date(days[i])}})},
                {"rows", rows}});
    } else {
        sheets.push_back(json::object{{"first", true}, {"day_label", ""}, {"rows", std::move(rows)}});
    }
    // Portrait A4 holds the four name columns and two more; beyond that, landscape.
    bool wide = sig_columns.size() + (contact ? 1 : 0) > 2;
    auto col_count = static_cast<std::int64_t>(4 + (contact ? 1 : 0) + sig_columns.size());

    storage::audit(c.db(), c.user().id, "registrations.signin_sheet", e.id, 0, all ? "all" : "confirmed");
    json::object data{{"title", a.texts.text(c.lang(), "signin_title") + ": " + e.title},
                      {"event", events::to_view(e, a.texts, lang)},
                      {"p", a.texts.catalog(lang)},
                      {"sheet_lang", lang},
                      {"sheets", std::move(sheets)},
                      {"sig_columns", std::move(sig_columns)},
                      {"contact", contact},
                      {"wide", wide},
                      {"col_count", col_count},
                      {"multi_day", days.size() > 1},
                      {"per_day", per_day},
                      {"all", all},
                      {"sort_organisation", by_org},
                      {"blank", blank},
                      {"print_bg", lang == "bg"},
                      {"print_en", lang == "en"},
                      {"printable", true}};
    return c.page("admin/signin_sheet", std::move(data));
}

// What the desk's last action left to say (the query keeps the desk's search).
void desk_notices(call& c, json::object& data) {
    auto& a = c.app;
    if (c.req.query_param("added")) data["notice"] = a.texts.text(c.lang(), "notice_walk_in_added");
    if (c.req.query_param("admitted")) data["notice"] = a.texts.text(c.lang(), "notice_desk_admitted");
    if (c.req.query_param("seat_gone")) data["warning"] = a.texts.text(c.lang(), "warning_desk_seat_gone");
    action_notices(a, c.req, c.lang(), data);
}

// The check-in code's registration (a forged or unknown code is nothing), for event_of and the page.
std::optional<registration> by_checkin_code(application& a, storage::database& db, std::string_view code) {
    auto id = verify_checkin_code(a.secret, std::string(code));
    return id ? repository(db).find(*id) : std::nullopt;
}

// The page a QR code opens on the organiser's phone: who it is, and one button.
http::response checkin_card(call& c) {
    auto& a = c.app;
    auto r = by_checkin_code(a, c.db(), c.req.param("code"));
    if (!r) return c.error(404, "not_found");  // gone since the check
    auto e = events::the_event(c);
    auto j = desk_row(c.db(), *r, seats_of(c.db(), e), a.texts, c.lang());
    json::object data{{"title", a.texts.text(c.lang(), "checkin_title")},
                      {"event", events::to_view(e, a.texts, c.lang())},
                      {"rows", json::array{std::move(j)}},
                      {"single", true},
                      {"back", c.req.path}};
    desk_notices(c, data);
    return c.page("admin/checkin", std::move(data));
}

// The door: everyone registered found by name, address or organisation as the organiser
// types, with their status; confirmed ones checked in with one tap, the others admitted.
http::response checkin_desk(call& c) {
    auto& a = c.app;
    auto e = events::the_event(c);
    auto q = clean(c.req.query_param("q"));
    auto seats = seats_of(c.db(), e);
    json::array rows;
    if (!q.empty()) {
        auto list = all_for(c.db(), e.id, "", q);
        sort_bulgarian(list, false);
        for (const auto& r : list) {
            rows.push_back(desk_row(c.db(), r, seats, a.texts, c.lang()));
            if (rows.size() >= 50) break;
        }
    }
    auto n = repository(c.db()).counts(e.id);
    json::object data{{"title", a.texts.text(c.lang(), "checkin_title")},
                      {"event", events::to_view(e, a.texts, c.lang())},
                      {"rows", std::move(rows)},
                      {"q", q},
                      {"searched", !q.empty()},
                      {"counts", json::object{{"confirmed", n.confirmed}, {"checked_in", n.checked_in},
                                              {"capacity", e.capacity}, {"has_capacity", e.capacity > 0}}},
                      {"back", desk_path(e.id, q)}};
    desk_notices(c, data);
    return c.page("admin/checkin", std::move(data));
}

http::response statistics(call& c) {
    return app::json_response(200, statistics_json(c.db(), events::the_event(c), c.app.texts, c.lang()));
}

}  // namespace

void register_admin_routes(application& a) {
    using app::route;
    // A check-in code (from the QR code) names a registration, and so its event.
    auto checkin_event = [&a](storage::database& db, std::string_view code) -> std::optional<std::int64_t> {
        auto r = by_checkin_code(a, db, code);
        return r ? std::optional<std::int64_t>(r->event_id) : std::nullopt;
    };
    auto registration_event = [](storage::database& db, std::string_view v) -> std::optional<std::int64_t> {
        auto id = app::to_id(v);
        return id ? repository(db).event_of(*id) : std::nullopt;
    };

    route(a, "GET", "/admin/checkin/{code}").allow(access::event_manager).event_of("code", checkin_event).handle(checkin_card);
    route(a, "GET", "/admin/events/{id}/checkin").allow(access::event_manager).handle(checkin_desk);
    route(a, "GET", "/admin/events/{id}/registrations").allow(access::event_manager).handle(list_page);
    route(a, "POST", "/admin/registrations/{id}").allow(access::event_manager).event_of("id", registration_event)
        .form().handle(action);
    // Many ticked rows: a larger form than usual.
    route(a, "POST", "/admin/events/{id}/registrations/bulk").allow(access::event_manager).form(256 * 1024)
        .handle(bulk_action);
    route(a, "POST", "/admin/events/{id}/walk-in").allow(access::event_manager).form().handle(walk_in);
    route(a, "GET", "/admin/events/{id}/signin-sheet").allow(access::event_manager).handle(signin_sheet);
    route(a, "GET", "/api/v1/events/{id}/statistics").allow(access::event_manager).handle(statistics);

    for (bool xlsx : {false, true}) {
        std::string ext = xlsx ? "xlsx" : "csv";
        auto file = [xlsx](call& c) { return export_response(c, xlsx); };
        route(a, "GET", "/admin/events/{id}/registrations." + ext).allow(access::event_manager).handle(file);
        route(a, "GET", "/api/v1/events/{id}/registrations." + ext).allow(access::event_manager).handle(file);
    }
}

}  // namespace sabor::registration

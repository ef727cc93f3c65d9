#include "contacts/routes.hpp"

#include "app/confirm.hpp"
#include "app/routes.hpp"
#include "app/web.hpp"
#include "contacts/csv_import.hpp"
#include "contacts/invitation_routes.hpp"
#include "contacts/repository.hpp"
#include "contacts/service.hpp"
#include "contacts/xlsx_reader.hpp"
#include "events/routes.hpp"
#include "http/multipart.hpp"
#include "storage/audit_log.hpp"
#include "view/csv.hpp"
#include "util/clock.hpp"
#include "util/crypto.hpp"
#include "util/utf8.hpp"
#include "view/dates.hpp"

#include <boost/json.hpp>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <sstream>

namespace sabor::contacts {
namespace {

// Which fields an edit changed, by name ("name, phone, tags"): the log says what changed
// without keeping a second copy of the personal data.
std::string changed_fields(const contact& before, const contact& after, bool tags_given) {
    std::string out;
    auto note = [&](bool changed, const char* field) {
        if (changed) out += (out.empty() ? "" : ", ") + std::string(field);
    };
    note(before.email != after.email, "email");
    note(before.name != after.name, "name");
    note(before.organisation != after.organisation, "organisation");
    note(before.position != after.position, "position");
    note(before.organisation_type != after.organisation_type, "organisation_type");
    note(before.town != after.town, "town");
    note(before.phone != after.phone, "phone");
    note(tags_given && before.tags != after.tags, "tags");
    return out;
}

using app::access;
using app::application;
using app::call;
namespace json = boost::json;
using util::now_seconds;

std::string url_encode(std::string_view s) {
    static const char* hex = "0123456789ABCDEF";
    std::string out;
    for (unsigned char ch : s) {
        if (std::isalnum(ch) || ch == '-' || ch == '_' || ch == '.' || ch == '~') out += static_cast<char>(ch);
        else {
            out += '%';
            out += hex[ch >> 4];
            out += hex[ch & 15];
        }
    }
    return out;
}

std::string clean(const std::optional<std::string>& v) {
    return v && util::valid_utf8(*v) && v->size() <= 200 ? *v : std::string{};
}

bool is_xlsx(std::string_view content_type, std::string_view bytes) {
    return content_type.find("spreadsheetml") != std::string_view::npos || bytes.substr(0, 4) == std::string_view("PK\x03\x04", 4);
}

// The file parsed, or the whole file's refusal: {code, sentence}.
struct parsed_file {
    std::optional<import_result> result;
    std::string code, message;
};
parsed_file parse_file(application& a, const std::string& lang, std::string_view bytes, bool xlsx) {
    parsed_file out;
    try {
        out.result = xlsx ? parse_xlsx(bytes) : parse_csv(bytes);
    } catch (const import_error& e) {
        out.code = code(e.reason);
        out.message = import_message(a.texts, lang, e.reason, e.missing, e.line);
    } catch (const xlsx_error& e) {
        out.code = code(e.reason);
        out.message = import_message(a.texts, lang, e.reason);
    }
    return out;
}

// A column's name as a spreadsheet shows it: 1 -> A, 27 -> AA.
std::string column_letters(std::size_t n) {
    std::string out;
    for (; n > 0; n = (n - 1) / 26) out.insert(out.begin(), static_cast<char>('A' + (n - 1) % 26));
    return out;
}

// Every column the import leaves out: its header as written, or its letter when it has none.
json::array ignored_columns(application& a, const std::string& lang, const import_result& r) {
    json::array out;
    for (const auto& u : r.unknown_columns) out.push_back(json::string(u));
    for (auto n : r.unnamed_columns)
        out.push_back(json::string(a.texts.text(lang, "import_column_unnamed", {{"column", column_letters(n)}})));
    return out;
}

json::array skipped_json(application& a, const std::string& lang, const import_result& r) {
    json::array out;
    for (const auto& s : r.skipped)
        out.push_back(json::object{{"line", s.line}, {"code", code(s.reason)}, {"message", a.texts.text(lang, message_key(s.reason))},
                                   {"value", s.value}});
    return out;
}

std::string export_csv(application& a, const std::string& lang, const std::vector<contact>& list) {
    std::string out = "\xEF\xBB\xBF";
    const char* keys[] = {"label_full_name", "label_email", "label_organisation", "label_position", "label_organisation_type",
                          "label_town", "label_phone", "contacts_tags"};
    bool first = true;
    for (const char* k : keys) {
        if (!first) out += ',';
        out += view::csv_cell(a.texts.text(lang, k));
        first = false;
    }
    out += "\r\n";
    for (const auto& c : list) {
        std::string tags;
        for (const auto& t : c.tags) tags += (tags.empty() ? "" : "; ") + t;
        const std::string* cells[] = {&c.name, &c.email, &c.organisation, &c.position, &c.organisation_type, &c.town, &c.phone, &tags};
        first = true;
        for (const auto* v : cells) {
            if (!first) out += ',';
            out += view::csv_cell(*v);
            first = false;
        }
        out += "\r\n";
    }
    return out;
}

json::array tag_options(storage::database& db, const std::string& selected) {
    json::array out;
    for (const auto& [tag, n] : repository(db).tag_counts())
        out.push_back(json::object{{"value", tag}, {"count", n}, {"selected", tag == selected}});
    return out;
}

// ---- pages ----

http::response list_page(call& c) {
    auto& a = c.app;
    auto& req = c.req;
    auto& ctx = c.ctx;
    app::csrf_token(a, req, ctx);
    auto q = clean(req.query_param("q"));
    auto tag = clean(req.query_param("tag"));
    std::int64_t total = 0;
    constexpr std::int64_t page = 1000;
    auto offset = app::query_int(req, "offset", 0, 0, 1'000'000'000);
    auto list = repository(c.db()).list(tag, util::to_lower_utf8(q), page, offset, &total);
    auto page_url = [&](std::int64_t at) {
        return "/admin/contacts?q=" + url_encode(q) + "&tag=" + url_encode(tag) + "&offset=" + std::to_string(at);
    };
    json::array rows;
    for (const auto& c : list) {
        auto j = to_json(c);
        j["type_label"] = c.organisation_type.empty() ? std::string{} : a.texts.text(ctx.lang, "orgtype_" + c.organisation_type);
        rows.push_back(std::move(j));
    }
    json::object data{{"title", a.texts.text(ctx.lang, "contacts_title")},
                      {"rows", std::move(rows)},
                      {"empty", list.empty()},
                      {"total", total},
                      {"q", q},
                      {"tag", tag},
                      {"tags", tag_options(c.db(), tag)},
                      {"export_url", "/admin/contacts.csv?tag=" + url_encode(tag) + "&q=" + url_encode(q)},
                      {"back", req.target}};
    if (offset > 0) data["prev_url"] = page_url(std::max<std::int64_t>(0, offset - page));
    if (offset + page < total) data["next_url"] = page_url(offset + page);
    auto number = [&](const std::optional<std::string>& v) { return std::to_string(app::to_id(v.value_or("")).value_or(0)); };
    if (auto n = req.query_param("created")) {
        data["notice"] = a.texts.text(ctx.lang, "notice_contacts_imported",
                                      {{"created", number(n)}, {"updated", number(req.query_param("updated"))}});
    } else if (auto d = req.query_param("done")) {
        data["notice"] = a.texts.text(ctx.lang, "notice_contacts_done", {{"count", std::to_string(app::to_id(*d).value_or(0))}});
    } else if (req.query_param("deleted")) {
        data["notice"] = a.texts.text(ctx.lang, "notice_contact_deleted");
    } else if (req.query_param("saved")) {
        data["notice"] = a.texts.text(ctx.lang, "notice_contact_saved");
    }
    return c.page("contacts/list", std::move(data));
}

http::response edit_form(call& c, const contact& person, const std::map<std::string, std::string>& errors, int status) {
    auto& a = c.app;
    app::csrf_token(a, c.req, c.ctx);
    auto j = to_json(person);
    std::string tags;
    for (const auto& t : person.tags) tags += (tags.empty() ? "" : ", ") + t;
    j["tags_text"] = tags;
    json::array types;
    for (auto t : {"municipality", "regional_administration", "state_institution", "ngo", "school_or_university", "business", "other"})
        types.push_back(json::object{{"value", t}, {"label", a.texts.text(c.lang(), "orgtype_" + std::string(t))},
                                     {"selected", person.organisation_type == t}});
    json::object errs;
    for (const auto& [k, v] : errors) errs[k] = v;
    json::object data{{"title", a.texts.text(c.lang(), "contacts_edit_title")}, {"contact", std::move(j)},
                      {"types", std::move(types)}, {"errors", std::move(errs)}, {"has_errors", !errors.empty()}};
    return c.page("contacts/edit", std::move(data), status);
}

// Ticked rows at once: tag, untag or delete, in one transaction.
http::response bulk(call& c) {
    auto& a = c.app;
    auto& req = c.req;
    auto& ctx = c.ctx;
    const auto& form = c.form;
    auto what = app::form_value(form, "bulk_action");
    auto tag = app::form_value(form, "tag");
    if (what != "tag" && what != "untag" && what != "delete") return app::error_response(a, req, 400, "bad_form");
    if (what != "delete")
        if (auto bad = check_tag(tag)) return app::error_response(a, req, 422, "validation", a.texts.text(ctx.lang, *bad, {{"max", "100"}}));
    if (what == "delete" && !app::confirmed(form)) {
        app::confirmation q;
        q.hidden = {{"bulk_action", "delete"}};
        std::size_t n = 0;
        for (const auto& [k, v] : form)
            if (k == "ids") {
                q.hidden.emplace_back("ids", v);
                ++n;
            }
        if (n == 0) return http::response::redirect("/admin/contacts?done=0");
        q.title = a.texts.text(ctx.lang, "confirm_delete_contacts_title");
        q.subject = a.texts.text(ctx.lang, "confirm_bulk_cancel_subject", {{"count", std::to_string(n)}});
        q.points = {a.texts.text(ctx.lang, "confirm_delete_contact_what"), a.texts.text(ctx.lang, "confirm_cannot_undo")};
        q.action = "/admin/contacts/bulk";
        q.confirm_label = a.texts.text(ctx.lang, "confirm_delete_contacts_yes", {{"count", std::to_string(n)}});
        q.back_url = "/admin/contacts";
        q.back_label = a.texts.text(ctx.lang, "confirm_keep");
        return app::confirm_page(a, req, ctx, q);
    }
    storage::transaction tx(c.db());
    repository repo(c.db());
    int done = 0;
    for (const auto& [k, v] : form) {
        if (k != "ids") continue;
        auto id = app::to_id(v);
        if (!id || !repo.find(*id)) return app::error_response(a, req, 404, "not_found");  // rolls back
        if (what == "tag") repo.add_tag(*id, tag);
        else if (what == "untag") repo.remove_tag(*id, tag);
        else repo.remove(*id);
        // One entry per person: the log must say whose data changed.
        storage::audit(c.db(), c.user().id, "contacts." + what, 0, *id, what == "delete" ? std::string("bulk") : tag);
        ++done;
    }
    tx.commit();
    return http::response::redirect("/admin/contacts?done=" + std::to_string(done));
}

std::filesystem::path imports_dir(application& a) { return std::filesystem::path(a.cfg.storage.data_dir) / "imports"; }

// An upload id names a file under data/imports: letters, digits, - and _ only.
bool good_upload_id(std::string_view id) {
    if (id.empty() || id.size() > 64) return false;
    for (char ch : id)
        if (!std::isalnum(static_cast<unsigned char>(ch)) && ch != '-' && ch != '_') return false;
    return true;
}

std::optional<std::string> read_whole(const std::filesystem::path& p) {
    std::ifstream in(p, std::ios::binary);
    if (!in) return std::nullopt;
    std::ostringstream ss;
    ss << in.rdbuf();
    return ss.str();
}

http::response import_form(call& c, const std::string& error, int status) {
    app::csrf_token(c.app, c.req, c.ctx);
    json::object data{{"title", c.app.texts.text(c.lang(), "contacts_import_title")}, {"error", error}};
    return c.page("contacts/import", std::move(data), status);
}

http::response import_page(call& c) { return import_form(c, "", 200); }

// The uploaded spreadsheet: kept under data/imports until confirmed, shown as a preview.
// The body is multipart (route .multipart): its CSRF token is one of its parts, checked here.
http::response import_upload(call& c) {
    auto& a = c.app;
    auto& req = c.req;
    auto& ctx = c.ctx;
    auto boundary = http::boundary_from_content_type(req.header("content-type"));
    if (!boundary) return app::error_response(a, req, 400, "bad_form");
    http::fields fields;
    std::string file, file_type, current;
    // Collect text parts by name: the parser gives the name at the part's start.
    std::string name;
    http::multipart_parser named(*boundary, {
        [&](const http::part_info& p) {
            name = p.name;
            current.clear();
            if (p.name == "file") file_type = p.content_type;
            return true;
        },
        [&](std::string_view d) {
            if (name == "file") file.append(d);
            else if (current.size() + d.size() <= 4096) current.append(d);
            else return false;
            return true;
        },
        [&]() {
            if (name != "file") fields.emplace_back(name, current);
            return true;
        },
    });
    if (!named.feed(req.body) || !named.finish()) return app::error_response(a, req, 400, "bad_form");
    if (!app::csrf_ok(a, req, fields)) return app::error_response(a, req, 403, "csrf");
    if (file.empty()) return import_form(c, a.texts.text(ctx.lang, message_key(import_refusal::empty)), 422);
    bool xlsx = is_xlsx(file_type, file);
    auto parsed = parse_file(a, ctx.lang, file, xlsx);
    if (!parsed.result) return import_form(c, parsed.message, 422);
    auto extra_tag = app::form_value(fields, "tag");
    if (!extra_tag.empty())
        if (auto bad = check_tag(extra_tag)) return import_form(c, a.texts.text(ctx.lang, *bad, {{"max", "100"}}), 422);

    std::error_code ec;
    std::filesystem::create_directories(imports_dir(a), ec);
    // Previews never confirmed are dropped after a day.
    for (const auto& entry : std::filesystem::directory_iterator(imports_dir(a), ec))
        if (entry.last_write_time(ec) < std::filesystem::file_time_type::clock::now() - std::chrono::hours(24))
            std::filesystem::remove(entry.path(), ec);
    auto id = util::random_token(18);
    {
        std::ofstream out(imports_dir(a) / (id + (xlsx ? ".xlsx" : ".csv")), std::ios::binary);
        out.write(file.data(), static_cast<std::streamsize>(file.size()));
        if (!out) throw std::runtime_error("cannot keep the uploaded import file");
    }
    auto plan = plan_import(c.db(), *parsed.result);
    json::array rows;
    std::int64_t news = 0, merges = 0;
    for (const auto& p : plan) {
        (p.action == "new" ? news : merges)++;
        if (rows.size() >= 500) continue;  // the counts say the rest
        std::string tags;
        for (const auto& t : p.row.tags) tags += (tags.empty() ? "" : ", ") + t;
        rows.push_back(json::object{{"line", p.row.line}, {"name", p.row.name}, {"email", p.row.email},
                                    {"organisation", p.row.organisation}, {"town", p.row.town}, {"tags", tags},
                                    {"action", a.texts.text(ctx.lang, "import_action_" + p.action)},
                                    {"is_merge", p.action == "merge"}});
    }
    json::array skipped;
    for (const auto& s : parsed.result->skipped)
        skipped.push_back(json::object{{"line", s.line}, {"reason", a.texts.text(ctx.lang, message_key(s.reason))}, {"value", s.value}});
    app::csrf_token(a, req, ctx);
    json::object data{{"title", a.texts.text(ctx.lang, "contacts_import_preview_title")},
                      {"rows", std::move(rows)},
                      {"skipped", std::move(skipped)},
                      {"has_skipped", !parsed.result->skipped.empty()},
                      {"summary", a.texts.text(ctx.lang, "import_summary",
                                               {{"new", std::to_string(news)}, {"merge", std::to_string(merges)},
                                                {"skipped", std::to_string(parsed.result->skipped.size())},
                                                {"duplicates", std::to_string(parsed.result->merged)},
                                                {"encoding", parsed.result->encoding}})},
                      // The same figures one a line, for the page's list.
                      {"counts", json::object{{"new", news}, {"merge", merges},
                                              {"skipped", parsed.result->skipped.size()},
                                              {"duplicates", parsed.result->merged},
                                              {"encoding", parsed.result->encoding}}},
                      {"ignored_columns", ignored_columns(a, ctx.lang, *parsed.result)},
                      {"has_ignored_columns", !parsed.result->unknown_columns.empty() || !parsed.result->unnamed_columns.empty()},
                      {"rows_limited", plan.size() > 500},
                      {"upload", id},
                      {"kind", xlsx ? "xlsx" : "csv"},
                      {"tag", extra_tag},
                      {"can_import", !plan.empty()}};
    return c.page("contacts/import_preview", std::move(data));
}

http::response import_confirm(call& c) {
    auto& a = c.app;
    auto& req = c.req;
    auto& ctx = c.ctx;
    const auto& form = c.form;
    auto id = app::form_value(form, "upload");
    auto kind = app::form_value(form, "kind");
    if (!good_upload_id(id) || (kind != "csv" && kind != "xlsx")) return app::error_response(a, req, 400, "bad_form");
    auto path = imports_dir(a) / (id + "." + kind);
    auto bytes = read_whole(path);
    if (!bytes) return app::error_response(a, req, 404, "import_gone", a.texts.text(ctx.lang, "error_import_gone"));
    auto parsed = parse_file(a, ctx.lang, *bytes, kind == "xlsx");
    if (!parsed.result) return import_form(c, parsed.message, 422);
    std::vector<std::string> extra;
    if (auto tag = app::form_value(form, "tag"); !tag.empty()) {
        if (check_tag(tag)) return app::error_response(a, req, 400, "bad_form");
        extra.push_back(tag);
    }
    storage::transaction tx(c.db());
    auto n = apply_import(c.db(), *parsed.result, extra, now_seconds());
    storage::audit(c.db(), c.user().id, "contacts.import", 0, 0,
                        "created " + std::to_string(n.created) + ", updated " + std::to_string(n.updated));
    tx.commit();
    std::error_code ec;
    std::filesystem::remove(path, ec);
    return http::response::redirect("/admin/contacts?created=" + std::to_string(n.created) + "&updated=" + std::to_string(n.updated));
}

http::response export_page(call& c) {
    auto tag = clean(c.req.query_param("tag"));
    auto list = repository(c.db()).list(tag, util::to_lower_utf8(clean(c.req.query_param("q"))), 1'000'000, 0, nullptr);
    storage::audit(c.db(), c.user().id, "contacts.export_csv", 0, 0, tag);
    http::response r;
    r.body = export_csv(c.app, c.lang(), list);
    r.set_header("Content-Type", "text/csv; charset=utf-8");
    r.set_header("Content-Disposition", "attachment; filename=\"contacts.csv\"");
    r.set_header("Cache-Control", "no-store");
    return r;
}

std::optional<contact> contact_in_path(call& c) {
    return repository(c.db()).find(app::to_id(c.req.param("id")).value_or(0));
}

http::response edit_page(call& c) {
    auto person = contact_in_path(c);
    if (!person) return c.error(404, "not_found");
    return edit_form(c, *person, {}, 200);
}

http::response confirm_delete(call& c, const contact& old) {
    auto& a = c.app;
    app::confirmation q;
    q.title = a.texts.text(c.lang(), "confirm_delete_contact_title");
    q.subject = old.name + " <" + old.email + ">";
    q.points = {a.texts.text(c.lang(), "confirm_delete_contact_what"), a.texts.text(c.lang(), "confirm_cannot_undo")};
    q.action = "/admin/contacts/" + std::to_string(old.id);
    q.hidden = {{"action", "delete"}};
    q.confirm_label = a.texts.text(c.lang(), "confirm_delete_contact_yes");
    q.back_url = "/admin/contacts/" + std::to_string(old.id);
    q.back_label = a.texts.text(c.lang(), "confirm_keep");
    return app::confirm_page(a, c.req, c.ctx, q);
}

// Saves the edit, or (action=delete, asked first) deletes the contact.
http::response edit_save(call& c) {
    storage::transaction tx(c.db());
    repository repo(c.db());
    auto old = contact_in_path(c);
    if (!old) return c.error(404, "not_found");
    if (app::form_value(c.form, "action") == "delete") {
        if (!app::confirmed(c.form)) return confirm_delete(c, *old);
        repo.remove(old->id);
        storage::audit(c.db(), c.user().id, "contacts.delete", 0, old->id, "");
        tx.commit();
        return http::response::redirect("/admin/contacts?deleted=1");
    }
    field_errors errors;
    auto person = contact_from_form(c.form, errors);
    person.id = old->id;
    validate(person, errors);
    if (errors.empty() && person.email != old->email && repo.find_by_email(person.email))
        errors["email"] = {"error_contact_exists", {}};
    if (!errors.empty()) return edit_form(c, person, view::localise(errors, c.app.texts, c.lang()), 422);
    repo.update(person, view::format_iso_utc(now_seconds()));
    repo.set_tags(person.id, person.tags);
    storage::audit(c.db(), c.user().id, "contacts.edit", 0, person.id, changed_fields(*old, person, true));
    tx.commit();
    return http::response::redirect("/admin/contacts?saved=1");
}

// ---- API ----

// The body is the CSV or XLSX file itself; ?tag= adds a tag to every row.
http::response api_import(call& c) {
    auto& a = c.app;
    const auto& lang = c.lang();
    auto parsed = parse_file(a, lang, c.req.body, is_xlsx(c.req.header("content-type"), c.req.body));
    if (!parsed.result) return app::json_error(422, parsed.code, parsed.message);
    std::vector<std::string> extra;
    if (auto tag = c.req.query_param("tag"); tag && !tag->empty()) {
        std::string t = *tag;
        if (auto bad = check_tag(t)) return app::json_error(422, "bad_tag", a.texts.text(lang, *bad, {{"max", "100"}}));
        extra.push_back(t);
    }
    storage::transaction tx(c.db());
    auto n = apply_import(c.db(), *parsed.result, extra, now_seconds());
    storage::audit(c.db(), c.user().id, "contacts.import", 0, 0,
                        "created " + std::to_string(n.created) + ", updated " + std::to_string(n.updated));
    tx.commit();
    return app::json_response(200, json::object{{"imported", n.created + n.updated},
                                                {"created", n.created},
                                                {"updated", n.updated},
                                                {"merged", parsed.result->merged},
                                                {"skipped", parsed.result->skipped.size()},
                                                {"errors", skipped_json(a, lang, *parsed.result)},
                                                {"ignored_columns", ignored_columns(a, lang, *parsed.result)},
                                                {"encoding", parsed.result->encoding}});
}

http::response api_list(call& c) {
    auto tag = c.req.query_param("tag").value_or("");
    auto q = c.req.query_param("q").value_or("");
    if (!util::valid_utf8(tag) || !util::valid_utf8(q))
        return app::json_error(400, "bad_query", c.app.texts.text(c.lang(), "error_invalid_utf8"));
    std::int64_t total = 0;
    json::array items;
    for (const auto& person : repository(c.db()).list(tag, util::to_lower_utf8(q), app::query_int(c.req, "limit", 100, 1, 1000),
                                                      app::query_int(c.req, "offset", 0, 0, 1'000'000'000), &total))
        items.push_back(to_json(person));
    return app::json_response(200, json::object{{"items", std::move(items)}, {"total", total}});
}

http::response api_create(call& c) {
    field_errors errors;
    auto person = contact_from_json(c.body, {}, errors);
    validate(person, errors);
    if (!errors.empty()) return app::validation_failed(c.app, c.req, errors);
    storage::transaction tx(c.db());
    repository repo(c.db());
    if (repo.find_by_email(person.email))
        return app::json_error(409, "contact_exists", c.app.texts.text(c.lang(), "error_contact_exists"));
    person.id = repo.insert(person, view::format_iso_utc(now_seconds()));
    storage::audit(c.db(), c.user().id, "contacts.create", 0, person.id, "");
    tx.commit();
    auto res = app::json_response(201, to_json(*repo.find(person.id)));
    res.set_header("Location", "/api/v1/contacts/" + std::to_string(person.id));
    return res;
}

http::response api_get(call& c) {
    auto person = contact_in_path(c);
    if (!person) return c.error(404, "not_found");
    return app::json_response(200, to_json(*person));
}

http::response api_patch(call& c) {
    storage::transaction tx(c.db());
    repository repo(c.db());
    auto old = contact_in_path(c);
    if (!old) return c.error(404, "not_found");
    field_errors errors;
    auto person = contact_from_json(c.body, *old, errors);
    validate(person, errors);
    if (!errors.empty()) return app::validation_failed(c.app, c.req, errors);
    if (person.email != old->email && repo.find_by_email(person.email))
        return app::json_error(409, "contact_exists", c.app.texts.text(c.lang(), "error_contact_exists"));
    repo.update(person, view::format_iso_utc(now_seconds()));
    bool tags_given = c.body.contains("tags");
    if (tags_given) repo.set_tags(person.id, person.tags);
    storage::audit(c.db(), c.user().id, "contacts.edit", 0, person.id, changed_fields(*old, person, tags_given));
    tx.commit();
    return app::json_response(200, to_json(*repo.find(person.id)));
}

http::response api_delete(call& c) {
    storage::transaction tx(c.db());
    repository repo(c.db());
    auto person = contact_in_path(c);
    if (!person) return c.error(404, "not_found");
    repo.remove(person->id);
    storage::audit(c.db(), c.user().id, "contacts.delete", 0, person->id, "");
    tx.commit();
    return http::response{204, {}, {}};
}

}  // namespace

// The address book is shared by all organisers (access::organiser); participants never see it.
void register_routes(application& a) {
    using app::route;

    route(a, "GET", "/admin/contacts").allow(access::organiser).handle(list_page);
    route(a, "POST", "/admin/contacts/bulk").allow(access::organiser).form(1024 * 1024).handle(bulk);
    route(a, "GET", "/admin/contacts.csv").allow(access::organiser).handle(export_page);
    route(a, "GET", "/admin/contacts/import").allow(access::organiser).handle(import_page);
    route(a, "POST", "/admin/contacts/import").allow(access::organiser).multipart(import_max_bytes + 64 * 1024).handle(import_upload);
    route(a, "POST", "/admin/contacts/import/confirm").allow(access::organiser).form().handle(import_confirm);
    route(a, "GET", "/admin/contacts/{id}").allow(access::organiser).handle(edit_page);
    route(a, "POST", "/admin/contacts/{id}").allow(access::organiser).form().handle(edit_save);

    route(a, "POST", "/api/v1/contacts/import").allow(access::organiser).raw(import_max_bytes).handle(api_import);
    route(a, "GET", "/api/v1/contacts").allow(access::organiser).handle(api_list);
    route(a, "POST", "/api/v1/contacts").allow(access::organiser).json(64 * 1024).handle(api_create);
    route(a, "GET", "/api/v1/contacts/{id}").allow(access::organiser).handle(api_get);
    route(a, "PATCH", "/api/v1/contacts/{id}").allow(access::organiser).json(64 * 1024).handle(api_patch);
    route(a, "DELETE", "/api/v1/contacts/{id}").allow(access::organiser).handle(api_delete);

    register_invitation_routes(a);
}

}  // namespace sabor::contacts

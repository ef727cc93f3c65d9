#include "contacts/service.hpp"

#include "accounts/repository.hpp"
#include "contacts/repository.hpp"
#include "mail/message.hpp"
#include "util/utf8.hpp"
#include "view/dates.hpp"
#include "view/i18n.hpp"
#include "view/json_fields.hpp"

#include <boost/json.hpp>

#include <algorithm>
#include <set>

namespace sabor::contacts {
namespace json = boost::json;
namespace {

struct text_field {
    std::string_view name;
    std::string contact::*member;
    std::size_t max;
};
constexpr text_field text_fields[] = {
    {"name", &contact::name, 200},
    {"email", &contact::email, 254},
    {"organisation", &contact::organisation, 200},
    {"position", &contact::position, 200},
    {"organisation_type", &contact::organisation_type, 40},
    {"town", &contact::town, 100},
    {"phone", &contact::phone, 40},
};

bool has_markup(std::string_view s) { return s.find_first_of("<>") != std::string_view::npos; }

std::vector<std::string> split_tags(std::string_view s) {
    std::vector<std::string> out;
    std::size_t start = 0;
    while (start <= s.size()) {
        auto end = s.find(',', start);
        if (end == std::string_view::npos) end = s.size();
        auto t = util::trim(s.substr(start, end - start));
        if (!t.empty()) out.push_back(t);
        start = end + 1;
    }
    return out;
}

void check_tags(std::vector<std::string>& tags, field_errors& errors) {
    std::vector<std::string> unique;
    std::set<std::string> seen;
    for (auto& t : tags) {
        if (auto bad = check_tag(t)) {
            errors["tags"] = {*bad, {{"max", std::to_string(max_tag_length)}}};
            return;
        }
        if (seen.insert(t).second) unique.push_back(t);
    }
    if (unique.size() > max_tags_per_contact) errors["tags"] = {"error_contact_too_many_tags", {{"max", std::to_string(max_tags_per_contact)}}};
    tags = std::move(unique);
}

}  // namespace

std::optional<std::string> check_tag(std::string& tag) {
    if (!util::valid_utf8(tag)) return std::string("error_invalid_utf8");
    if (util::has_control_chars(tag, false)) return std::string("error_control_chars");
    tag = util::trim(tag);
    if (tag.empty()) return std::string("error_required");
    if (has_markup(tag)) return std::string("error_contact_markup");
    if (util::utf8_length(tag) > max_tag_length) return std::string("error_too_long");
    return std::nullopt;
}

contact contact_from_json(const boost::json::object& body, const contact& base, field_errors& errors) {
    static const std::vector<view::json_field> fields = [] {
        std::vector<view::json_field> t;
        for (const auto& f : text_fields) t.push_back({.name = f.name, .type = view::json_type::text});
        t.push_back({.name = "tags", .type = view::json_type::list});
        return t;
    }();
    contact c = base;
    view::json_fields in(body, fields, errors);
    for (const auto& f : text_fields)
        if (auto v = in.text(f.name)) c.*(f.member) = std::move(*v);
    if (const auto* tags = in.list("tags")) {
        c.tags.clear();
        for (const auto& t : *tags) {
            if (!t.is_string()) {
                errors["tags"] = {"error_must_be_list", {}};
                break;
            }
            c.tags.emplace_back(t.get_string());
        }
    }
    return c;
}

contact contact_from_form(const std::vector<std::pair<std::string, std::string>>& form, field_errors&) {
    contact c;
    for (const auto& [k, v] : form) {
        auto it = std::find_if(std::begin(text_fields), std::end(text_fields), [&](const text_field& f) { return f.name == k; });
        if (it != std::end(text_fields)) c.*(it->member) = v;
        else if (k == "tags") c.tags = split_tags(v);
    }
    return c;
}

void validate(contact& c, field_errors& errors) {
    for (const auto& f : text_fields) {
        auto& v = c.*(f.member);
        std::string name(f.name);
        if (errors.count(name)) continue;
        if (!util::valid_utf8(v)) {
            errors[name] = {"error_invalid_utf8", {}};
            v.clear();
            continue;
        }
        if (util::has_control_chars(v, false)) {
            errors[name] = {"error_control_chars", {}};
            continue;
        }
        v = util::trim(v, " \t");
        if (util::utf8_length(v) > f.max) errors[name] = {"error_too_long", {{"max", std::to_string(f.max)}}};
    }
    // Names end up in mail headers and pages: no markup there.
    if (!errors.count("name") && has_markup(c.name)) errors["name"] = {"error_contact_markup", {}};
    if (!errors.count("organisation") && has_markup(c.organisation)) errors["organisation"] = {"error_contact_markup", {}};
    if (!errors.count("name") && c.name.empty()) errors["name"] = {"error_required", {}};
    if (!errors.count("email")) {
        c.email = accounts::normalise_email(c.email);
        if (c.email.empty()) errors["email"] = {"error_required", {}};
        else if (!accounts::plausible_email(c.email) || !mail::safe_address(c.email)) errors["email"] = {"error_bad_address", {}};
    }
    if (!errors.count("organisation_type")) {
        auto code = organisation_type_code(c.organisation_type);
        if (!code) errors["organisation_type"] = {"error_unknown_value", {}};
        else c.organisation_type = *code;
    }
    if (!errors.count("tags")) check_tags(c.tags, errors);
}

std::vector<import_plan_row> plan_import(storage::database& db, const import_result& parsed) {
    repository repo(db);
    std::vector<import_plan_row> out;
    out.reserve(parsed.rows.size());
    for (const auto& row : parsed.rows) {
        import_plan_row p{row, "new", std::nullopt};
        if (auto existing = repo.find_by_email(row.email)) {
            p.action = "merge";
            p.existing_id = existing->id;
        }
        out.push_back(std::move(p));
    }
    return out;
}

import_counts apply_import(storage::database& db, const import_result& parsed, const std::vector<std::string>& extra_tags,
                           std::int64_t now) {
    repository repo(db);
    auto now_iso = view::format_iso_utc(now);
    import_counts n;
    for (const auto& row : parsed.rows) {
        auto existing = repo.find_by_email(row.email);
        contact c = existing ? *existing : contact{};
        c.email = row.email;
        // The file is the newer word: its non-empty fields replace, empty ones keep what was there.
        auto take = [](std::string& into, const std::string& from) {
            if (!from.empty()) into = from;
        };
        take(c.name, row.name);
        take(c.organisation, row.organisation);
        take(c.position, row.position);
        take(c.organisation_type, row.organisation_type);
        take(c.town, row.town);
        take(c.phone, row.phone);
        std::vector<std::string> tags = row.tags;
        tags.insert(tags.end(), extra_tags.begin(), extra_tags.end());
        if (existing) {
            repo.update(c, now_iso);
            for (auto& t : tags)
                if (!check_tag(t)) repo.add_tag(c.id, t);
            ++n.updated;
        } else {
            c.tags.clear();
            for (auto& t : tags)
                if (!check_tag(t)) c.tags.push_back(t);
            repo.insert(c, now_iso);
            ++n.created;
        }
    }
    return n;
}

boost::json::object to_json(const contact& c) {
    return json::object{{"id", c.id},
                        {"email", c.email},
                        {"name", c.name},
                        {"organisation", c.organisation},
                        {"position", c.position},
                        {"organisation_type", c.organisation_type},
                        {"town", c.town},
                        {"phone", c.phone},
                        {"tags", json::array(c.tags.begin(), c.tags.end())},
                        {"unsubscribed", !c.unsubscribed_at.empty()},
                        {"unsubscribed_at", c.unsubscribed_at.empty() ? json::value(nullptr) : json::value(c.unsubscribed_at)},
                        {"created_at", c.created_at},
                        {"updated_at", c.updated_at}};
}

std::string import_message(const view::i18n& texts, const std::string& lang, import_refusal why,
                           const std::vector<std::string>& missing, std::size_t line) {
    std::string cols;
    for (const auto& m : missing) cols += (cols.empty() ? "" : ", ") + texts.text(lang, "import_column_" + m);
    return texts.text(lang, message_key(why), {{"columns", cols}, {"line", std::to_string(line)}});
}

}  // namespace sabor::contacts

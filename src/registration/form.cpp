#include "registration/form.hpp"

#include "util/utf8.hpp"
#include "view/dates.hpp"
#include "view/json_fields.hpp"

#include <boost/json.hpp>

#include <algorithm>
#include <charconv>
#include <cstdlib>
#include <set>

namespace sabor::registration {
namespace json = boost::json;
namespace {

constexpr std::size_t max_questions = 30;
constexpr std::size_t max_options = 50;
constexpr std::size_t max_label = 200;
constexpr std::size_t max_privacy = 5000;

bool known(std::string_view v, auto const& list) { return std::find(list.begin(), list.end(), v) != list.end(); }

using util::trim;

// A text an organiser or participant typed: UTF-8, no control characters (line breaks and tabs
// only when `multiline`: a textarea, the privacy text), bounded.
bool check_text(const std::string& v, std::size_t max, bool multiline, const std::string& key, field_errors& errors) {
    if (!util::valid_utf8(v)) return errors[key] = {"error_invalid_utf8", {}}, false;
    if (util::has_control_chars(v, multiline)) return errors[key] = {"error_control_chars", {}}, false;
    if (util::utf8_length(v) > max) return errors[key] = {"error_too_long", {{"max", std::to_string(max)}}}, false;
    return true;
}

int key_number(std::string_view key) {
    if (key.size() < 2 || key[0] != 'q') return 0;
    int n = 0;
    auto [p, ec] = std::from_chars(key.data() + 1, key.data() + key.size(), n);
    return ec == std::errc{} && p == key.data() + key.size() && n > 0 ? n : 0;
}

// Gives questions without a key the next free number; keys never seen before are refused
// (a client cannot point a new question at old answers by guessing).
void assign_keys(std::vector<question>& qs, const form_settings& previous, field_errors& errors) {
    int next = 0;
    std::set<std::string> old;
    for (const auto& q : previous.questions) {
        next = std::max(next, key_number(q.key));
        old.insert(q.key);
    }
    std::set<std::string> seen;
    for (auto& q : qs) {
        if (q.key.empty()) continue;
        if (!old.count(q.key) || !seen.insert(q.key).second) errors["questions"] = {"error_unknown_value", {}};
        next = std::max(next, key_number(q.key));
    }
    for (auto& q : qs)
        if (q.key.empty()) q.key = "q" + std::to_string(++next);
}

void check_question(question& q, std::size_t index, field_errors& errors) {
    std::string where = "question_" + std::to_string(index + 1);
    q.label = trim(q.label);
    if (q.label.empty()) errors[where] = {"error_required", {}};
    else check_text(q.label, max_label, false, where, errors);
    if (!known(q.type, question_types)) errors[where] = {"error_unknown_value", {}};
    if (q.type == "choice" || q.type == "choices") {
        std::vector<std::string> kept;
        for (auto& o : q.options) {
            auto t = trim(o);
            if (t.empty()) continue;
            if (!check_text(t, max_label, false, where, errors)) break;
            if (std::find(kept.begin(), kept.end(), t) == kept.end()) kept.push_back(t);
        }
        q.options = std::move(kept);
        if (q.options.empty()) errors[where] = {"error_question_needs_options", {}};
        if (q.options.size() > max_options) errors[where] = {"error_too_many", {{"max", std::to_string(max_options)}}};
    } else {
        q.options.clear();
    }
}

// ISO dates only (what <input type="date"> sends), and real ones.
bool valid_date(std::string_view s) {
    if (s.size() != 10 || s[4] != '-' || s[7] != '-') return false;
    return view::parse_iso8601(std::string(s) + "T00:00:00Z").has_value();
}

bool parse_number(std::string_view s, double& out) {
    std::string t(s);
    for (auto& c : t)
        if (c == ',') c = '.';  // "12,5" as people write it in Bulgarian
    if (t.empty() || t.size() > 30) return false;
    char* end = nullptr;
    out = std::strtod(t.c_str(), &end);
    return end == t.c_str() + t.size() && std::isfinite(out);
}

}  // namespace

std::string form_settings::mode(std::string_view field) const {
    auto it = modes.find(field);
    return it == modes.end() ? "optional" : it->second;
}

json::object to_json(const form_settings& s) {
    json::object fields;
    for (auto f : configurable_fields) fields[f] = s.mode(f);
    json::array qs;
    for (const auto& q : s.questions) {
        json::array opts;
        for (const auto& o : q.options) opts.push_back(json::string(o));
        qs.push_back(json::object{{"key", q.key}, {"label", q.label}, {"type", q.type}, {"options", std::move(opts)},
                                  {"required", q.required}});
    }
    return json::object{{"fields", std::move(fields)},
                        {"questions", std::move(qs)},
                        {"privacy_text", s.privacy_text},
                        {"verify_email", s.verify_email}};
}

std::string to_stored(const form_settings& s) { return json::serialize(to_json(s)); }

form_settings parse_form_settings(std::string_view stored) {
    form_settings s;
    if (stored.empty()) return s;
    json::error_code ec;
    auto v = json::parse(stored, ec);
    if (ec || !v.is_object()) return s;
    field_errors ignored;
    return settings_from_json(v, form_settings{}, ignored);
}

form_settings settings_from_json(const json::value& v, const form_settings& previous, field_errors& errors) {
    form_settings s;
    if (!v.is_object()) {
        errors["registration_form"] = {"error_must_be_object", {}};
        return s;
    }
    using view::json_type;
    static constexpr view::json_field table[] = {
        {.name = "fields", .type = json_type::object},
        {.name = "questions", .type = json_type::list},
        {.name = "privacy_text", .type = json_type::text},
        {.name = "verify_email", .type = json_type::boolean},
    };
    view::json_fields in(v.get_object(), table, errors);
    if (auto* fields = in.object("fields"))
        for (const auto& [f, m] : *fields) {
            if (!known(std::string_view(f), configurable_fields) || !m.is_string() ||
                !(m.get_string() == "hidden" || m.get_string() == "optional" || m.get_string() == "required")) {
                errors["fields"] = {"error_unknown_value", {}};
                continue;
            }
            s.modes[std::string(f)] = std::string(m.get_string());
        }
    if (auto* questions = in.list("questions")) {
        if (questions->size() > max_questions) errors["questions"] = {"error_too_many", {{"max", std::to_string(max_questions)}}};
        // A question's own fields are read leniently: what is not text is empty, and
        // check_question says what is missing.
        for (const auto& item : *questions) {
            if (!item.is_object()) {
                errors["questions"] = {"error_must_be_object", {}};
                continue;
            }
            question q;
            const auto& o = item.get_object();
            auto str = [&o](const char* name) {
                auto* p = o.if_contains(name);
                return p && p->is_string() ? std::string(p->get_string()) : std::string{};
            };
            q.key = str("key");
            q.label = str("label");
            q.type = str("type");
            if (auto* r = o.if_contains("required")) q.required = r->is_bool() && r->get_bool();
            if (auto* opts = o.if_contains("options"); opts && opts->is_array())
                for (const auto& opt : opts->get_array())
                    if (opt.is_string()) q.options.emplace_back(opt.get_string());
            s.questions.push_back(std::move(q));
        }
    }
    if (auto x = in.text("privacy_text")) s.privacy_text = trim(*x);
    if (auto x = in.boolean("verify_email")) s.verify_email = *x;
    if (!errors.count("privacy_text")) check_text(s.privacy_text, max_privacy, true, "privacy_text", errors);
    if (s.questions.size() > max_questions) s.questions.resize(max_questions);
    for (std::size_t i = 0; i < s.questions.size(); ++i) check_question(s.questions[i], i, errors);
    assign_keys(s.questions, previous, errors);
    return s;
}

form_settings settings_from_form(const std::vector<std::pair<std::string, std::string>>& form, const form_settings& previous,
                                 field_errors& errors) {
    json::object fields;
    std::map<int, json::object> rows;
    json::object out;
    for (const auto& [k, v] : form) {
        if (k.rfind("mode_", 0) == 0) fields[k.substr(5)] = v;
        else if (k == "privacy_text") out["privacy_text"] = v;
        else if (k == "verify_email") out["verify_email"] = v == "1" || v == "on";
        else if (k.rfind("q_", 0) == 0) {
            auto us = k.rfind('_');
            int n = std::atoi(k.c_str() + us + 1);
            if (n <= 0 || n > 100) continue;
            auto part = k.substr(2, us - 2);
            auto& row = rows[n];
            if (part == "label" || part == "type" || part == "key") row[part] = v;
            else if (part == "required") row["required"] = v == "1" || v == "on";
            else if (part == "delete") row["delete"] = v == "1" || v == "on";
            else if (part == "position") row["position"] = std::atoi(v.c_str());
            else if (part == "options") {
                json::array opts;
                std::size_t start = 0;
                while (start <= v.size()) {
                    auto nl = v.find('\n', start);
                    if (nl == std::string::npos) nl = v.size();
                    opts.push_back(json::string(v.substr(start, nl - start)));
                    start = nl + 1;
                }
                row["options"] = std::move(opts);
            }
        }
    }
    // Rows in the order of their position numbers (the organiser's way of reordering), blank rows dropped.
    std::vector<std::pair<int, json::object>> ordered;
    for (auto& [n, row] : rows) {
        auto* label = row.if_contains("label");
        bool blank = !label || !label->is_string() || trim(label->get_string()).empty();
        bool deleted = row.contains("delete") && row["delete"].as_bool();
        if (blank || deleted) continue;
        int pos = row.contains("position") ? static_cast<int>(row["position"].as_int64()) : n;
        if (pos <= 0) pos = n;
        row.erase("delete");
        row.erase("position");
        ordered.emplace_back(pos * 1000 + n, std::move(row));
    }
    std::stable_sort(ordered.begin(), ordered.end(), [](const auto& a, const auto& b) { return a.first < b.first; });
    json::array qs;
    for (auto& [_, row] : ordered) qs.push_back(std::move(row));
    out["fields"] = std::move(fields);
    out["questions"] = std::move(qs);
    return settings_from_json(out, previous, errors);
}

namespace {

void check_answer(const question& q, const json::value* v, json::object& out, field_errors& errors) {
    bool empty = !v || v->is_null() || (v->is_string() && trim(v->get_string()).empty()) ||
                 (v->is_array() && v->get_array().empty());
    if (empty) {
        if (q.required) errors[q.key] = {"error_required", {}};
        return;
    }
    if (q.type == "text" || q.type == "textarea") {
        if (!v->is_string()) return void(errors[q.key] = {"error_must_be_text", {}});
        auto t = trim(v->get_string());
        if (check_text(t, q.type == "text" ? 500 : 5000, q.type == "textarea", q.key, errors)) out[q.key] = t;
    } else if (q.type == "choice") {
        if (!v->is_string() || !known(std::string_view(v->get_string()), q.options))
            return void(errors[q.key] = {"error_unknown_value", {}});
        out[q.key] = v->get_string();
    } else if (q.type == "choices") {
        json::array picked;
        std::vector<json::value> items;
        if (v->is_string()) items.push_back(*v);
        else if (v->is_array()) items.assign(v->get_array().begin(), v->get_array().end());
        else return void(errors[q.key] = {"error_must_be_list", {}});
        for (const auto& o : q.options)  // in the organiser's order, each once
            for (const auto& item : items)
                if (item.is_string() && item.get_string() == o) {
                    picked.push_back(json::string(o));
                    break;
                }
        for (const auto& item : items)
            if (!item.is_string() || !known(std::string_view(item.get_string()), q.options))
                return void(errors[q.key] = {"error_unknown_value", {}});
        out[q.key] = std::move(picked);
    } else if (q.type == "yesno") {
        if (v->is_bool()) out[q.key] = v->get_bool();
        else if (v->is_string() && (v->get_string() == "yes" || v->get_string() == "no")) out[q.key] = v->get_string() == "yes";
        else errors[q.key] = {"error_must_be_bool", {}};
    } else if (q.type == "number") {
        double d = 0;
        if (v->is_number()) d = v->to_number<double>();
        else if (!v->is_string() || !parse_number(trim(v->get_string()), d)) return void(errors[q.key] = {"error_must_be_number", {}});
        out[q.key] = d;
    } else if (q.type == "date") {
        if (!v->is_string() || !valid_date(v->get_string())) return void(errors[q.key] = {"error_bad_date", {}});
        out[q.key] = v->get_string();
    }
}

}  // namespace

json::object answers_from_json(const form_settings& s, const json::value* answers, field_errors& errors) {
    json::object out;
    const json::object* given = nullptr;
    if (answers && !answers->is_null()) {
        if (!answers->is_object()) {
            errors["answers"] = {"error_must_be_object", {}};
            return out;
        }
        given = &answers->get_object();
        std::vector<view::json_field> table;  // one answer a question, of any type: check_answer reads it
        for (const auto& q : s.questions) table.push_back({.name = q.key});
        view::json_fields unknown_answers_reported(*given, table, errors);
    }
    for (const auto& q : s.questions) check_answer(q, given ? given->if_contains(q.key) : nullptr, out, errors);
    return out;
}

json::object answers_from_form(const form_settings& s, const std::vector<std::pair<std::string, std::string>>& form,
                               field_errors& errors) {
    json::object out;
    for (const auto& q : s.questions) {
        json::array values;
        for (const auto& [k, v] : form)
            if (k == q.key) values.push_back(json::string(v));
        json::value given;
        if (q.type == "choices") given = std::move(values);
        else if (!values.empty()) given = values.front();
        check_answer(q, values.empty() && q.type != "choices" ? nullptr : &given, out, errors);
    }
    return out;
}

std::string answer_text(const question& q, const json::object& answers, const std::string& lang) {
    auto* v = answers.if_contains(q.key);
    if (!v) return {};
    if (v->is_string()) return std::string(v->get_string());
    if (v->is_bool()) return v->get_bool() ? (lang == "en" ? "yes" : "да") : (lang == "en" ? "no" : "не");
    if (v->is_double()) {
        double d = v->get_double();
        if (d == static_cast<double>(static_cast<long long>(d)) && std::abs(d) < 1e15) return std::to_string(static_cast<long long>(d));
        auto s = std::to_string(d);
        while (!s.empty() && s.back() == '0') s.pop_back();
        return s;
    }
    if (v->is_int64()) return std::to_string(v->get_int64());
    if (v->is_array()) {
        std::string out;
        for (const auto& item : v->get_array())
            if (item.is_string()) out += (out.empty() ? "" : "; ") + std::string(item.get_string());
        return out;
    }
    return {};
}

}  // namespace sabor::registration

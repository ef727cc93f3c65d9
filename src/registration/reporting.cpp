#include "registration/reporting.hpp"

#include "registration/repository.hpp"
#include "view/dates.hpp"
#include "view/i18n.hpp"

#include <boost/json.hpp>

#include <algorithm>

namespace sabor::registration {

namespace json = boost::json;

std::string local_stamp(const std::string& utc, const std::string& tz) {
    auto t = view::parse_stored_utc(utc);
    if (!t) return utc;
    auto s = view::format_input_local(*t, tz);
    std::replace(s.begin(), s.end(), 'T', ' ');
    return s;
}

std::vector<std::int64_t> event_days(const events::event& e, std::size_t max_days) {
    auto day_of = [&](std::int64_t t) { return view::format_input_local(t, e.timezone).substr(0, 10); };
    auto noon_of = [&](const std::string& day) { return view::parse_local(day + "T12:00", e.timezone); };
    auto last = day_of(std::max(e.starts_at, e.ends_at - 1));
    std::vector<std::int64_t> days;
    auto day = day_of(e.starts_at);
    while (days.size() < max_days) {
        auto noon = noon_of(day);
        if (!noon) break;
        days.push_back(*noon);
        if (day >= last) break;
        day = day_of(*noon + 86400);  // noon + 24 h is inside the next day, summer time or not
    }
    return days;
}

std::string event_language(const events::event& e, const std::string& fallback) {
    bool latin = false;
    for (std::size_t i = 0; i < e.title.size(); ++i) {
        auto c = static_cast<unsigned char>(e.title[i]);
        if ((c == 0xD0 || c == 0xD1) && i + 1 < e.title.size()) return "bg";  // U+0400..U+047F
        if ((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z')) latin = true;
    }
    return latin ? "en" : fallback;
}

std::vector<question_tally> tally_answers(const std::vector<question>& questions, const std::vector<registration>& confirmed,
                                          const view::i18n& texts, const std::string& lang) {
    std::vector<question_tally> out;
    std::vector<json::object> answers;  // each registration's, read once
    for (const auto& r : confirmed) {
        boost::system::error_code ec;
        auto parsed = json::parse(r.answers, ec);
        answers.push_back(!ec && parsed.is_object() ? std::move(parsed.as_object()) : json::object{});
    }
    for (const auto& q : questions) {
        if (q.type != "choice" && q.type != "choices" && q.type != "yesno") continue;
        auto& tally = out.emplace_back(question_tally{q.key, q.label, q.type, {}, 0, 0});
        if (q.type == "yesno") {
            tally.options = {{"yes", texts.text(lang, "answer_yes"), 0}, {"no", texts.text(lang, "answer_no"), 0}};
        } else {
            for (const auto& o : q.options) tally.options.push_back({o, o, 0});
        }
        auto count = [&tally](const std::string& value) {
            auto it = std::find_if(tally.options.begin(), tally.options.end(),
                                   [&](const option_tally& o) { return o.value == value; });
            if (it == tally.options.end())
                tally.options.push_back({value, value, 1});
            else
                ++it->count;
        };
        for (const auto& a : answers) {
            const json::value* v = a.if_contains(q.key);
            bool answered = false;
            if (v && v->is_bool()) {
                count(v->get_bool() ? "yes" : "no");
                answered = true;
            } else if (v && v->is_string() && !v->get_string().empty()) {
                count(std::string(v->get_string()));
                answered = true;
            } else if (v && v->is_array()) {
                for (const auto& item : v->get_array())
                    if (item.is_string()) {
                        count(std::string(item.get_string()));
                        answered = true;
                    }
            }
            ++(answered ? tally.answered : tally.unanswered);
        }
    }
    return out;
}

json::object statistics_json(storage::database& db, const events::event& e, const view::i18n& texts,
                             const std::string& lang) {
    repository repo(db);
    auto c = repo.counts(e.id);
    auto groups = [](const std::vector<repository::group_count>& gs) {
        json::array out;
        for (const auto& g : gs)
            out.push_back(json::object{{"value", g.value}, {"registered", g.registered}, {"confirmed", g.registered},
                                       {"waitlisted", g.waitlisted}, {"checked_in", g.checked_in}});
        return out;
    };
    json::array questions;
    auto confirmed = repo.list(e.id, to_string(registration_status::confirmed), "", 1000000, 0, nullptr);
    for (const auto& t : tally_answers(parse_form_settings(e.registration_form).questions, confirmed, texts, lang)) {
        json::array options;
        for (const auto& o : t.options) options.push_back(json::object{{"value", o.value}, {"label", o.label}, {"count", o.count}});
        questions.push_back(json::object{{"key", t.key}, {"label", t.label}, {"type", t.type}, {"answered", t.answered},
                                         {"unanswered", t.unanswered}, {"options", std::move(options)}});
    }
    // "registered" is the confirmed: the waiting list and those awaiting approval have no seat.
    return json::object{{"confirmed", c.confirmed},
                        {"waitlisted", c.waitlisted},
                        {"pending", c.pending},
                        {"cancelled", c.cancelled},
                        {"rejected", c.rejected},
                        {"attended", c.attended},
                        {"checked_in", c.checked_in},
                        {"registered", c.confirmed},
                        {"by_organisation_type", groups(repo.by_organisation_type(e.id))},
                        {"by_town", groups(repo.by_town(e.id))},
                        {"questions", std::move(questions)}};
}

}  // namespace sabor::registration

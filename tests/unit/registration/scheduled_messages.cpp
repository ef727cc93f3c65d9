// Scheduled messages over a real SQLite file: placeholders, the due check at given times,
// and send_due() queueing each message once to the confirmed registrants only.
#include "accounts/repository.hpp"
#include "events/repository.hpp"
#include "mail/composer.hpp"
#include "mail/outbox.hpp"
#include "registration/repository.hpp"
#include "registration/scheduled.hpp"
#include "storage/migrations.hpp"
#include "util/crypto.hpp"
#include "view/dates.hpp"

#include <boost/json.hpp>

#include "fixtures.hpp"

#include <catch2/catch.hpp>

#include <filesystem>

using namespace sabor;
using namespace sabor::registration;

namespace {

struct fixture : test::temp_db {
    mail::composer composer = test::make_composer("Събор <events@ruse.bg>");
    events::event e;
    std::int64_t starts = *view::parse_iso8601("2031-05-20T07:00:00Z");
    std::int64_t ends = *view::parse_iso8601("2031-05-20T15:00:00Z");

    fixture() : test::temp_db("scheduled") {
        e.title = "Семинар „Води“";
        e.starts_at = starts;
        e.ends_at = ends;
        e.venue = "Зала 1";
        e.city = "Русе";
        test::insert_published_event(*db, e);
    }

    void add(const std::string& email, const std::string& status, const std::string& name = "Участник") {
        registration::registration r;
        r.event_id = e.id;
        r.name = name;
        r.email = email;
        r.status = registration::parse_status(status).value();
        r.consent = true;
        repository(*db).insert(r, "hash-" + email);
    }

    void save(const std::string& kind, bool enabled, std::int64_t offset, const std::string& body = "Здравейте, {{name}}!") {
        scheduled_message m;
        m.event_id = e.id;
        m.kind = registration::parse_scheduled_kind(kind).value();
        m.enabled = enabled;
        m.offset_minutes = offset;
        m.subject = "Напомняне: {{event_title}}";
        m.body = body;
        scheduled_repository(*db).save(m, "2031-01-01T00:00:00Z");
    }

    std::vector<std::string> recipients() {
        std::vector<std::string> out;
        auto st = db->prepare("SELECT to_address FROM mail_outbox WHERE kind = 'scheduled_message' ORDER BY to_address");
        while (st.step()) out.push_back(st.get_text(0));
        return out;
    }
};

}  // namespace

TEST_CASE("placeholders: known ones are filled, unknown or malformed ones are named", "[scheduled]") {
    CHECK_FALSE(bad_placeholder("Здравейте, {{name}}! {{ event_title }} на {{event_date}}, {{venue}}: {{manage_url}}"));
    CHECK(bad_placeholder("Здравейте, {{nmae}}!") == std::optional<std::string>("nmae"));
    CHECK(bad_placeholder("{{{name}}}").has_value());
    CHECK(bad_placeholder("{{#name}}x{{/name}}").has_value());
    CHECK(bad_placeholder("{{> layout}}").has_value());
    CHECK(bad_placeholder("Здравейте, {{name") == std::optional<std::string>("name"));
    CHECK_FALSE(bad_placeholder("no placeholders, { single } braces"));
    std::map<std::string, std::string, std::less<>> v{{"name", "<Мария>"}, {"event_title", "Семинар"}};
    CHECK(fill_placeholders("Здравейте, {{name}}! {{ event_title }}.", v) == "Здравейте, <Мария>! Семинар.");
    CHECK(uses_placeholder("a {{manage_url}} b", "manage_url"));
    CHECK_FALSE(uses_placeholder("a {{name}} b", "manage_url"));

    scheduled_message m;
    m.kind = scheduled_kind::reminder;
    m.subject = "Тема\r\nBcc: x@y.bg";
    m.body = "{{colour}}";
    m.offset_minutes = -5;
    field_errors errors;
    check_message(m, errors);
    CHECK(errors.at("reminder_subject").key == "error_control_chars");
    CHECK(errors.at("reminder_body").key == "error_unknown_placeholder");
    CHECK(errors.at("reminder_offset").key == "error_offset_range");
}

TEST_CASE("the due check: a reminder at its time, late but not after the event; a thank-you after", "[scheduled]") {
    fixture f;
    f.save("reminder", true, 24 * 60);
    f.save("thanks", true, 120);
    auto day_before = f.starts - 24 * 3600;
    CHECK(due_messages(*f.db, day_before - 1).empty());
    auto due = due_messages(*f.db, day_before);
    REQUIRE(due.size() == 1);
    CHECK(due[0].p.m.kind == scheduled_kind::reminder);
    CHECK(due[0].action == due_action::send);
    // Down through the start: sent late; down until after the end: skipped.
    CHECK(due_messages(*f.db, f.starts + 60)[0].action == due_action::send);
    auto after = due_messages(*f.db, f.ends + 3 * 3600);
    REQUIRE(after.size() == 2);
    CHECK(after[0].action == due_action::skip);
    CHECK(after[1].p.m.kind == scheduled_kind::thanks);
    CHECK(after[1].action == due_action::send);
    CHECK(due_messages(*f.db, f.ends + 119 * 60).size() == 1);  // the thank-you waits for its 2 hours

    // Off, or a cancelled event: nothing.
    f.save("reminder", false, 24 * 60);
    f.save("thanks", false, 120);
    CHECK(due_messages(*f.db, f.ends + 3 * 3600).empty());
    f.save("reminder", true, 24 * 60);
    events::repository(*f.db).set_status(f.e.id, events::event_status::cancelled);
    CHECK(due_messages(*f.db, day_before).empty());
}

TEST_CASE("send_due queues one message per confirmed address, once, and skips suppressed ones", "[scheduled]") {
    fixture f;
    f.add("a@example.bg", "confirmed", "Анна");
    f.add("b@example.bg", "confirmed");
    f.add("c@example.bg", "waitlisted");
    f.add("d@example.bg", "cancelled");
    f.add("e@example.bg", "pending");
    f.add("f@example.bg", "confirmed");
    f.db->prepare("INSERT INTO mail_suppressions (email, source, created_at) VALUES ('f@example.bg', 'test', '2031-01-01T00:00:00Z')")
        .run();
    f.save("reminder", true, 24 * 60, "Здравейте, {{name}}! <b>{{event_title}}</b>, {{venue}}: {{manage_url}}");
    auto now = f.starts - 24 * 3600 + 5;
    CHECK(send_due(*f.db, f.composer, "https://sabor.example.bg", "test secret", now - 10) == 0);
    CHECK(send_due(*f.db, f.composer, "https://sabor.example.bg", "test secret", now) == 2);
    CHECK(f.recipients() == std::vector<std::string>{"a@example.bg", "b@example.bg"});
    // Once: later rounds, and an edit after sending, send nothing more.
    CHECK(send_due(*f.db, f.composer, "https://sabor.example.bg", "test secret", now + 60) == 0);
    f.save("reminder", true, 12 * 60, "Нов текст, {{name}}");
    CHECK(send_due(*f.db, f.composer, "https://sabor.example.bg", "test secret", f.starts - 60) == 0);
    CHECK(f.recipients().size() == 2);
    CHECK_FALSE(scheduled_repository(*f.db).for_event(f.e.id)[0].sent_at.empty());

    // The organiser's text is escaped in the HTML part, kept as typed in the text part, with
    // the placeholders filled and a working personal link.
    auto st = f.db->prepare("SELECT id FROM mail_outbox WHERE to_address = 'a@example.bg'");
    REQUIRE(st.step());
    auto id = st.get_int(0);
    st.reset();
    auto stored = mail::outbox(*f.db).load(id);
    REQUIRE(stored);
    auto recipe = boost::json::parse(stored->recipe).as_object();
    const auto& data = recipe.at("data").as_object();
    std::string text(data.at("message_text").as_string());
    std::string html(data.at("message_html").as_string());
    CHECK(stored->subject == "Напомняне: Семинар „Води“");
    CHECK(text.rfind("Здравейте, Анна! <b>Семинар „Води“</b>, Зала 1, Русе: https://sabor.example.bg/r/", 0) == 0);
    CHECK(html.find("&lt;b&gt;Семинар") != std::string::npos);
    CHECK(html.find("<b>") == std::string::npos);
    // The link in the message is the registration's personal link now.
    auto token = text.substr(text.find("/r/") + 3);
    auto reg = repository(*f.db).find_by_token(util::token_hash(token));
    REQUIRE(reg);
    CHECK(reg->email == "a@example.bg");
    CHECK_NOTHROW(f.composer.compose(*stored));
}

#include "mail/composer.hpp"
#include "mail/outbox.hpp"
#include "mail/worker.hpp"
#include "storage/migrations.hpp"

#include "fixtures.hpp"

#include <catch2/catch.hpp>

#include <filesystem>

using namespace sabor;

namespace {
struct temp_db : test::temp_db {
    temp_db() : test::temp_db("mail") {}
};

mail::composer make_composer() { return test::make_composer("Община Русе <events@ruse.bg>"); }
}  // namespace

TEST_CASE("retries start within 15 seconds and grow to at most 4 hours, about a day in all") {
    CHECK(mail::retry_delay(1, 10) == 10);
    CHECK(mail::retry_delay(2, 10) == 30);
    CHECK(mail::retry_delay(3, 10) == 90);
    CHECK(mail::retry_delay(20, 10) == 4 * 3600);
    std::int64_t total = 0;
    int attempts = 0;
    while (total < 24 * 3600) total += mail::retry_delay(++attempts, 10);
    CHECK(attempts > 8);
    CHECK(attempts < 20);
}

TEST_CASE("mailboxes split into name and address") {
    CHECK(mail::split_mailbox("Община Русе <events@ruse.bg>") == std::pair<std::string, std::string>{"Община Русе", "events@ruse.bg"});
    CHECK(mail::split_mailbox("events@ruse.bg") == std::pair<std::string, std::string>{"", "events@ruse.bg"});
}

TEST_CASE("the composer queues a recipe that builds the complete message later") {
    temp_db t;
    auto c = make_composer();
    CHECK(c.has_kind("test"));
    CHECK_FALSE(c.has_kind("nothing"));
    mail::outgoing o;
    o.kind = "test";
    o.locale = "bg";
    o.to_address = "ivana@example.bg";
    o.to_name = "Ивана";
    o.data = boost::json::object{{"name", "Ивана <b>"}, {"sent_by", "Админ <admin@ruse.bg>"}};
    o.attachments.push_back({"event.ics", "text/calendar; method=PUBLISH", std::string("BEGIN:VCALENDAR\r\n\0\xff", 18)});
    o.extra_headers.emplace_back("List-Unsubscribe", "<https://sabor.example.bg/u/x>");
    o.attachments.push_back({"qr.png", "image/png", "", "qr@sabor", "https://sabor.example.bg/admin/checkin/1-ab"});
    auto id = c.enqueue(*t.db, o);
    mail::outbox box(*t.db);
    auto due = box.due(4102444800, 10);  // the year 2100: everything is due
    REQUIRE(due.size() == 1);
    CHECK(due[0].id == id);
    auto stored = box.load(id);
    REQUIRE(stored);
    CHECK(stored->from_address == "events@ruse.bg");
    CHECK(stored->to_address == "ivana@example.bg");
    CHECK(stored->content.empty());  // built by the worker, outside the caller's transaction
    auto content = c.compose(*stored);
    CHECK(content.find("\r\n") != std::string::npos);
    CHECK(content.find("<" + stored->message_id + ">") != std::string::npos);
    CHECK(content.find("List-Unsubscribe: <https://sabor.example.bg/u/x>") != std::string::npos);
    CHECK(content.find("filename=event.ics") != std::string::npos);
    // The QR image is made when the message is built, not when it is queued.
    CHECK(stored->recipe.find("\"qr_text\":\"https://sabor.example.bg/admin/checkin/1-ab\"") != std::string::npos);
    CHECK(content.find("Content-Type: image/png") != std::string::npos);
    CHECK(content.find("Content-Id: <qr@sabor>") != std::string::npos);
    CHECK(content.find("Ивана &lt;b&gt;") == std::string::npos);  // the HTML part is encoded, never raw
    box.set_content(id, content);
    CHECK(box.load(id)->content == content);
    CHECK(box.load(id)->recipe.empty());
    CHECK(c.compose(*box.load(id)) == content);  // a resend sends the same bytes

    auto broken = *stored;
    broken.recipe = "{not json";
    CHECK_THROWS_AS(c.compose(broken), mail::build_error);
    auto rows = box.list("", 10, 0, nullptr);
    REQUIRE(rows.size() == 1);
    CHECK(rows[0].subject == "Пробно съобщение от Събор");
    CHECK(rows[0].status == mail::message_status::queued);

    o.to_address = "x@example.bg\r\nBcc: evil@example.com";
    CHECK_THROWS_AS(c.enqueue(*t.db, o), mail::build_error);
    CHECK(box.list("", 10, 0, nullptr).size() == 1);
}

TEST_CASE("the outbox claims once, retries, fails, and requeues what a crash interrupted") {
    temp_db t;
    auto c = make_composer();
    mail::outgoing o;
    o.kind = "test";
    o.locale = "en";
    o.to_address = "a@example.bg";
    auto id = c.enqueue(*t.db, o);
    mail::outbox box(*t.db);
    CHECK(box.claim(id));
    CHECK_FALSE(box.claim(id));  // already being sent
    CHECK(box.due(4102444800, 10).empty());
    CHECK(box.requeue_interrupted(1000) == 1);
    CHECK(box.due(4102444800, 10).size() == 1);
    box.mark_retry(id, 1, 4102444800 + 60, "451 later");
    CHECK(box.due(4102444800, 10).empty());
    CHECK(box.counts().queued == 1);
    box.mark_failed(id, 2, "550 no");
    CHECK(box.counts().failed == 1);
    CHECK_FALSE(box.resend(id + 100, 1000));
    CHECK(box.resend(id, 1000));
    CHECK(box.counts().queued == 1);
    box.mark_sent(id, 2000);
    auto row = box.list("sent", 10, 0, nullptr);
    REQUIRE(row.size() == 1);
    CHECK(row[0].attempts == 1);
}

TEST_CASE("the mail worker is woken once a transaction that queued mail commits, never before or on rollback") {
    temp_db t;
    auto c = make_composer();
    int woken = 0;
    mail::outbox::set_waker([&woken] { ++woken; });
    mail::outgoing o;
    o.kind = "test";
    o.locale = "bg";
    o.to_address = "ivana@example.bg";
    o.data = boost::json::object{{"name", "Ивана"}, {"sent_by", "Админ"}};
    {
        storage::transaction tx(*t.db);
        c.enqueue(*t.db, o);
        c.enqueue(*t.db, o);
        CHECK(woken == 0);  // the worker would not find them yet
        tx.commit();
    }
    CHECK(woken == 1);  // once for the transaction, however many messages
    {
        storage::transaction tx(*t.db);
        c.enqueue(*t.db, o);
    }  // rolled back: nothing to find, nobody woken
    CHECK(woken == 1);
    {
        storage::transaction tx(*t.db);
        tx.commit();  // a commit that queued nothing wakes nobody
    }
    CHECK(woken == 1);
    c.enqueue(*t.db, o);  // outside a transaction: committed at once
    CHECK(woken == 2);
    mail::outbox::set_waker(nullptr);
    c.enqueue(*t.db, o);
    CHECK(woken == 2);
}

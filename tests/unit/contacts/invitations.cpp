#include "contacts/invitations.hpp"
#include "contacts/invitations.hpp"
#include "view/placeholders.hpp"
#include "contacts/repository.hpp"
#include "mail/unsubscribe.hpp"
#include "events/repository.hpp"
#include "mail/composer.hpp"
#include "mail/outbox.hpp"
#include "storage/migrations.hpp"
#include "util/crypto.hpp"
#include "view/dates.hpp"

#include "fixtures.hpp"

#include <catch2/catch.hpp>

#include <filesystem>
#include <regex>

using namespace sabor;

namespace {
struct temp_db : test::temp_db {
    temp_db() : test::temp_db("invitations") {}
};

mail::composer make_composer() { return test::make_composer("Област Кърджали <events@kardzhali.bg>"); }

std::int64_t add_contact(contacts::repository& repo, const std::string& email, const std::string& name,
                         std::vector<std::string> tags) {
    contacts::contact c;
    c.email = email;
    c.name = name;
    c.organisation = "Община " + name;
    c.tags = std::move(tags);
    return repo.insert(c, "2030-01-01T00:00:00Z");
}
}  // namespace

TEST_CASE("placeholders: the known names are filled in, anything else is refused", "[invitations]") {
    view::placeholder_text t("Здравейте, {{name}} от {{ organisation }}! {{link}}", contacts::invitation_placeholders);
    CHECK(t.fill({{"name", "Иван"}, {"organisation", "Община Русе"}, {"link", "https://x/i/abc"}}) ==
          "Здравейте, Иван от Община Русе! https://x/i/abc");
    CHECK(t.fill({}) == "Здравейте,  от ! ");
    CHECK_FALSE(view::unknown_placeholder("{{event_title}}, {{event_date}}, {{venue}}, {{decline_link}}", contacts::invitation_placeholders));
    CHECK(view::unknown_placeholder("Здравейте, {{ime}}", contacts::invitation_placeholders) == std::string("ime"));
    CHECK(view::unknown_placeholder("{{#name}}x{{/name}}", contacts::invitation_placeholders) == std::string("#name"));
    CHECK(view::unknown_placeholder("{{{name}}}", contacts::invitation_placeholders) == std::string("{name"));
    CHECK(view::unknown_placeholder("{{name", contacts::invitation_placeholders) == std::string("name"));
    CHECK(view::unknown_placeholder("{{> partial}}", contacts::invitation_placeholders) == std::string("> partial"));
    CHECK_FALSE(view::unknown_placeholder("no placeholders { } }} here", contacts::invitation_placeholders));
    // A value that looks like a placeholder is put in as text, never expanded again.
    CHECK(view::placeholder_text("{{name}}", contacts::invitation_placeholders).fill({{"name", "{{link}}"}}) == "{{link}}");
}

TEST_CASE("unsubscribe tokens seal the address: forged or altered ones do not open", "[invitations]") {
    util::crypto_init();
    auto token = mail::unsubscribe_token("secret-1", "ivan@example.bg");
    CHECK(token.find("ivan") == std::string::npos);
    CHECK(token.find_first_not_of("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_") == std::string::npos);
    CHECK(mail::unsubscribe_email("secret-1", token) == std::string("ivan@example.bg"));
    CHECK_FALSE(mail::unsubscribe_email("secret-2", token));
    auto altered = token;
    altered[altered.size() / 2] = altered[altered.size() / 2] == 'A' ? 'B' : 'A';
    CHECK_FALSE(mail::unsubscribe_email("secret-1", altered));
    CHECK_FALSE(mail::unsubscribe_email("secret-1", ""));
    CHECK_FALSE(mail::unsubscribe_email("secret-1", "not base64 !"));
    CHECK(mail::unsubscribe_token("secret-1", "ivan@example.bg") != token);  // a fresh nonce each time
    auto headers = mail::bulk_headers("https://x/u/abc");
    CHECK(headers[0] == std::pair<std::string, std::string>{"List-Unsubscribe", "<https://x/u/abc>"});
    CHECK(headers[1] == std::pair<std::string, std::string>{"List-Unsubscribe-Post", "List-Unsubscribe=One-Click"});
}

TEST_CASE("a scheduled campaign is queued once, when due, skipping unsubscribed and invited contacts", "[invitations]") {
    util::crypto_init();
    temp_db t;
    auto& db = *t.db;
    db.exec("INSERT INTO events (id, slug, title, kind, status, starts_at, ends_at, venue, city, created_at, updated_at) VALUES "
            "(1, 'forum', 'Форум „Родопи“', 'forum', 'published', '2031-09-15T07:00:00Z', '2031-09-15T14:00:00Z', "
            "'Дом на културата', 'Кърджали', '2030-01-01T00:00:00Z', '2030-01-01T00:00:00Z')");
    contacts::repository repo(db);
    add_contact(repo, "petya@kardzhali.bg", "Петя", {"общини"});
    add_contact(repo, "georgi@momchilgrad.bg", "Георги", {"общини", "кметове"});
    add_contact(repo, "yulia@kirkovo.bg", "Юлия", {"общини"});
    add_contact(repo, "other@x.bg", "Друг", {"НПО"});
    repo.suppress("yulia@kirkovo.bg", "unsubscribe", "2030-01-01T00:00:00Z");

    auto composer = make_composer();
    contacts::invite_context ic{db, composer, "https://sabor.example.bg", "server-secret"};
    const std::int64_t due = *view::parse_iso8601("2031-01-10T09:00:00Z");
    contacts::campaign c;
    c.event_id = 1;
    c.subject = "Покана: {{event_title}}";
    c.body = "Здравейте, {{name}} ({{organisation}})!\n\n{{link}}";
    c.filter.tags = {"общини"};
    c.send_at = view::format_iso_utc(due);
    c.created_at = view::format_iso_utc(due - 86400);
    c.id = repo.insert_campaign(c);

    CHECK(contacts::run_due_campaigns(ic, due - 1) == 0);
    CHECK(mail::outbox(db).counts().queued == 0);
    CHECK(contacts::run_due_campaigns(ic, due) == 1);
    CHECK(contacts::run_due_campaigns(ic, due + 3600) == 0);  // once only

    auto camp = *repo.find_campaign(c.id);
    CHECK(camp.status == contacts::campaign_status::queued);
    CHECK(camp.skipped_unsubscribed == 1);
    auto counts = repo.counts(c.id);
    CHECK(counts.invited == 2);
    CHECK(counts.queued == 2);
    auto list = repo.invitations(1, c.id, "", 100, 0, nullptr);
    REQUIRE(list.size() == 2);

    // The message as the mail worker builds it from the recipe.
    auto stored = *mail::outbox(db).load(*list[0].outbox_id);
    auto mime = composer.compose(stored);
    CHECK(mime.find("List-Unsubscribe: <https://sabor.example.bg/u/") != std::string::npos);
    CHECK(mime.find("List-Unsubscribe-Post: List-Unsubscribe=One-Click") != std::string::npos);
    std::smatch m;
    REQUIRE(std::regex_search(mime, m, std::regex("https://sabor\\.example\\.bg/i/([A-Za-z0-9_-]{32})")));
    auto token = m[1].str();
    auto check = contacts::usable_invitation(db, 1, token);
    REQUIRE(check.id);
    CHECK(*check.id == list[0].id);
    CHECK_FALSE(check.refused);
    CHECK(contacts::usable_invitation(db, 2, token).refused == contacts::invitation_refusal::invalid);
    CHECK(contacts::usable_invitation(db, 1, "forged").refused == contacts::invitation_refusal::invalid);

    // A second campaign to the same tag invites nobody twice.
    contacts::campaign again = c;
    again.id = repo.insert_campaign(again);
    auto r = contacts::queue_campaign(ic, *events::repository(db).find(1), again, due);
    CHECK(r.invited == 0);
    CHECK(r.skipped_invited == 2);
    CHECK(r.skipped_unsubscribed == 1);
}

TEST_CASE("a campaign for a cancelled event is cancelled, not sent", "[invitations]") {
    temp_db t;
    auto& db = *t.db;
    db.exec("INSERT INTO events (id, slug, title, kind, status, starts_at, ends_at, created_at, updated_at) VALUES "
            "(1, 'x', 'X', 'forum', 'cancelled', '2031-09-15T07:00:00Z', '2031-09-15T14:00:00Z', '2030-01-01T00:00:00Z', "
            "'2030-01-01T00:00:00Z')");
    contacts::repository repo(db);
    add_contact(repo, "petya@kardzhali.bg", "Петя", {"общини"});
    auto composer = make_composer();
    contacts::invite_context ic{db, composer, "https://sabor.example.bg", "s"};
    contacts::campaign c;
    c.event_id = 1;
    c.subject = "s";
    c.body = "b";
    c.filter.tags = {"общини"};
    c.send_at = "2031-01-01T00:00:00Z";
    c.created_at = c.send_at;
    c.id = repo.insert_campaign(c);
    CHECK(contacts::run_due_campaigns(ic, *view::parse_iso8601("2031-02-01T00:00:00Z")) == 0);
    CHECK(repo.find_campaign(c.id)->status == contacts::campaign_status::cancelled);
    CHECK(mail::outbox(db).counts().queued == 0);
}

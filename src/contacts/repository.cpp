#include "contacts/repository.hpp"

#include "util/utf8.hpp"

#include <boost/json.hpp>

namespace sabor::contacts {
namespace json = boost::json;
namespace {

constexpr const char* contact_columns =
    "id, email, name, organisation, position, organisation_type, town, phone, COALESCE(unsubscribed_at, ''), "
    "created_at, updated_at";

contact read_contact(storage::statement& st, int i = 0) {
    contact c;
    c.id = st.get_int(i++);
    c.email = st.get_text(i++);
    c.name = st.get_text(i++);
    c.organisation = st.get_text(i++);
    c.position = st.get_text(i++);
    c.organisation_type = st.get_text(i++);
    c.town = st.get_text(i++);
    c.phone = st.get_text(i++);
    c.unsubscribed_at = st.get_text(i++);
    c.created_at = st.get_text(i++);
    c.updated_at = st.get_text(i++);
    return c;
}

// What the organisers' search looks in, lower-cased once on write (ICU: Cyrillic and Latin).
std::string search_key(const contact& c) {
    return util::to_lower_utf8(c.name + " " + c.email + " " + c.organisation + " " + c.position + " " + c.town);
}

std::string filter_json(const recipient_filter& f) {
    json::array tags(f.tags.begin(), f.tags.end());
    return json::serialize(json::object{{"tags", std::move(tags)}, {"all", f.all},
                                        {"organisation_type", f.organisation_type}, {"town", f.town}});
}

recipient_filter parse_filter(const std::string& text) {
    recipient_filter f;
    json::error_code ec;
    auto v = json::parse(text, ec);
    if (ec || !v.is_object()) return f;
    const auto& o = v.get_object();
    if (auto* t = o.if_contains("tags"); t && t->is_array())
        for (const auto& x : t->get_array())
            if (x.is_string()) f.tags.emplace_back(x.get_string());
    if (auto* a = o.if_contains("all"); a && a->is_bool()) f.all = a->get_bool();
    if (auto* t = o.if_contains("organisation_type"); t && t->is_string()) f.organisation_type = t->get_string();
    if (auto* t = o.if_contains("town"); t && t->is_string()) f.town = t->get_string();
    return f;
}

constexpr const char* campaign_columns =
    "id, event_id, subject, body, filter, locale, send_at, status, COALESCE(queued_at, ''), skipped_unsubscribed, "
    "skipped_invited, created_by, created_at";

campaign read_campaign(storage::statement& st) {
    campaign c;
    int i = 0;
    c.id = st.get_int(i++);
    c.event_id = st.get_int(i++);
    c.subject = st.get_text(i++);
    c.body = st.get_text(i++);
    c.filter = parse_filter(st.get_text(i++));
    c.locale = st.get_text(i++);
    c.send_at = st.get_text(i++);
    c.status = util::enum_stored<campaign_status>(campaign_statuses, st.get_text(i++), "invitation_campaigns.status");
    c.queued_at = st.get_text(i++);
    c.skipped_unsubscribed = st.get_int(i++);
    c.skipped_invited = st.get_int(i++);
    if (!st.is_null(i)) c.created_by = st.get_int(i);
    ++i;
    c.created_at = st.get_text(i++);
    return c;
}

// The invitation's registration while it holds: a cancelled or rejected one no longer counts
// (nor uses up the link; registering again brings that row back, as without an invitation).
const std::string live_registration =
    "(SELECT r.id FROM registrations r WHERE r.id = i.registration_id AND r.status NOT IN ('cancelled', 'rejected'))";

// The status each invitation shows, from its registration, its decline and its message.
const std::string status_sql =
    "CASE WHEN " + live_registration + " IS NOT NULL THEN 'registered' WHEN i.declined_at IS NOT NULL THEN 'declined' "
    "WHEN m.status = 'failed' THEN 'failed' WHEN m.status = 'sent' THEN 'sent' ELSE 'queued' END";

const std::string invitation_columns =
    "i.id, i.campaign_id, i.event_id, i.contact_id, i.email, i.name, i.outbox_id, " + live_registration + ", "
    "COALESCE(i.declined_at, ''), i.created_at, COALESCE(m.status, ''), COALESCE(m.last_error, ''), "
    "COALESCE(m.sent_at, '')";

std::optional<std::int64_t> opt_int(storage::statement& st, int col) {
    if (st.is_null(col)) return std::nullopt;
    return st.get_int(col);
}

invitation read_invitation(storage::statement& st) {
    invitation v;
    int i = 0;
    v.id = st.get_int(i++);
    v.campaign_id = st.get_int(i++);
    v.event_id = st.get_int(i++);
    v.contact_id = opt_int(st, i++);
    v.email = st.get_text(i++);
    v.name = st.get_text(i++);
    v.outbox_id = opt_int(st, i++);
    v.registration_id = opt_int(st, i++);
    v.declined_at = st.get_text(i++);
    v.created_at = st.get_text(i++);
    if (auto s = st.get_text(i++); !s.empty())  // "": no outbox row (COALESCE)
        v.mail_status = util::enum_stored<mail::message_status>(mail::statuses, s, "mail_outbox.status");
    v.mail_error = st.get_text(i++);
    v.sent_at = st.get_text(i++);
    return v;
}

// The columns the INSERT and UPDATE of a contact both write, by their names there.
void bind_fields(storage::statement& st, const contact& c) {
    st.bind(":email", c.email).bind(":name", c.name).bind(":organisation", c.organisation).bind(":position", c.position);
    st.bind(":organisation_type", c.organisation_type).bind(":town", c.town).bind(":phone", c.phone);
    st.bind(":search_key", search_key(c));
}

}  // namespace

invitation_status invitation::status() const {
    if (registration_id) return invitation_status::registered;
    if (!declined_at.empty()) return invitation_status::declined;
    if (mail_status == mail::message_status::failed) return invitation_status::failed;
    if (mail_status == mail::message_status::sent) return invitation_status::sent;
    return invitation_status::queued;
}

// ---- contacts ----

std::int64_t repository::insert(const contact& c, const std::string& now_iso) {
    auto st = db_.prepare("INSERT INTO contacts (email, name, organisation, position, organisation_type, town, phone, "
                          "search_key, created_at, updated_at) VALUES (:email, :name, :organisation, :position, "
                          ":organisation_type, :town, :phone, :search_key, :now, :now)");
    bind_fields(st, c);
    st.bind(":now", now_iso);
    st.run();
    auto id = db_.last_insert_id();
    for (const auto& t : c.tags) add_tag(id, t);
    return id;
}

void repository::update(const contact& c, const std::string& now_iso) {
    auto st = db_.prepare("UPDATE contacts SET email = :email, name = :name, organisation = :organisation, "
                          "position = :position, organisation_type = :organisation_type, town = :town, phone = :phone, "
                          "search_key = :search_key, updated_at = :now WHERE id = :id");
    bind_fields(st, c);
    st.bind(":now", now_iso).bind(":id", c.id);
    st.run();
}

void repository::add_tag(std::int64_t id, const std::string& tag) {
    db_.prepare("INSERT INTO contact_tags (contact_id, tag) VALUES (?, ?) ON CONFLICT DO NOTHING").bind(1, id).bind(2, tag).run();
}

void repository::remove_tag(std::int64_t id, const std::string& tag) {
    db_.prepare("DELETE FROM contact_tags WHERE contact_id = ? AND tag = ?").bind(1, id).bind(2, tag).run();
}

void repository::set_tags(std::int64_t id, const std::vector<std::string>& tags) {
    db_.prepare("DELETE FROM contact_tags WHERE contact_id = ?").bind(1, id).run();
    for (const auto& t : tags) add_tag(id, t);
}

void repository::remove(std::int64_t id) { db_.prepare("DELETE FROM contacts WHERE id = ?").bind(1, id).run(); }

std::vector<std::string> repository::tags_of(std::int64_t id) {
    auto st = db_.prepare("SELECT tag FROM contact_tags WHERE contact_id = ? ORDER BY tag");
    st.bind(1, id);
    std::vector<std::string> out;
    while (st.step()) out.push_back(st.get_text(0));
    return out;
}

std::optional<contact> repository::find(std::int64_t id) {
    std::optional<contact> c;
    {
        auto st = db_.prepare(std::string("SELECT ") + contact_columns + " FROM contacts WHERE id = ?");
        st.bind(1, id);
        if (st.step()) c = read_contact(st);
    }
    if (c) c->tags = tags_of(c->id);
    return c;
}

std::optional<contact> repository::find_by_email(const std::string& email) {
    std::optional<contact> c;
    {
        auto st = db_.prepare(std::string("SELECT ") + contact_columns + " FROM contacts WHERE email = ?");
        st.bind(1, email);
        if (st.step()) c = read_contact(st);
    }
    if (c) c->tags = tags_of(c->id);
    return c;
}

std::vector<contact> repository::list(const std::string& tag, const std::string& query_lower, std::int64_t limit,
                                      std::int64_t offset, std::int64_t* total) {
    // instr() instead of LIKE: the query is data, and % or _ in it must not act as wildcards.
    std::string where =
        " FROM contacts WHERE (?1 = '' OR id IN (SELECT contact_id FROM contact_tags WHERE tag = ?1)) "
        "AND (?2 = '' OR instr(search_key, ?2) > 0)";
    if (total) {
        auto c = db_.prepare("SELECT COUNT(*)" + where);
        c.bind(1, tag).bind(2, query_lower);
        c.step();
        *total = c.get_int(0);
    }
    std::vector<contact> out;
    {
        auto st = db_.prepare(std::string("SELECT ") + contact_columns + where + " ORDER BY id LIMIT ?3 OFFSET ?4");
        st.bind(1, tag).bind(2, query_lower).bind(3, limit).bind(4, offset);
        while (st.step()) out.push_back(read_contact(st));
    }
    for (auto& c : out) c.tags = tags_of(c.id);
    return out;
}

std::vector<std::pair<std::string, std::int64_t>> repository::tag_counts() {
    auto st = db_.prepare("SELECT tag, COUNT(*) FROM contact_tags GROUP BY tag ORDER BY tag");
    std::vector<std::pair<std::string, std::int64_t>> out;
    while (st.step()) out.emplace_back(st.get_text(0), st.get_int(1));
    return out;
}

void repository::mark_unsubscribed(const std::string& email, const std::string& now_iso) {
    db_.prepare("UPDATE contacts SET unsubscribed_at = COALESCE(unsubscribed_at, ?) WHERE email = ?")
        .bind(1, now_iso)
        .bind(2, email)
        .run();
}

void repository::drop_queued_invitations(const std::string& email) {
    db_.prepare("UPDATE mail_outbox SET status = 'failed', last_error = 'not sent: the recipient unsubscribed' "
                "WHERE status = 'queued' AND to_address = ?1 AND id IN (SELECT outbox_id FROM invitations WHERE email = ?1)")
        .bind(1, email)
        .run();
}

// ---- suppressions ----

void repository::suppress(const std::string& email, const std::string& source, const std::string& now_iso) {
    db_.prepare("INSERT INTO mail_suppressions (email, source, created_at) VALUES (?, ?, ?) ON CONFLICT DO NOTHING")
        .bind(1, email)
        .bind(2, source)
        .bind(3, now_iso)
        .run();
}

bool repository::suppressed(const std::string& email) {
    auto st = db_.prepare("SELECT 1 FROM mail_suppressions WHERE email = ?");
    st.bind(1, email);
    return st.step();
}

// ---- campaigns ----

std::int64_t repository::insert_campaign(const campaign& c) {
    auto st = db_.prepare("INSERT INTO invitation_campaigns (event_id, subject, body, filter, locale, send_at, status, "
                          "created_by, created_at) VALUES (:event_id, :subject, :body, :filter, :locale, :send_at, :status, "
                          ":created_by, :created_at)");
    st.bind(":event_id", c.event_id).bind(":subject", c.subject).bind(":body", c.body);
    st.bind(":filter", filter_json(c.filter)).bind(":locale", c.locale).bind(":send_at", c.send_at);
    st.bind(":status", to_string(c.status)).bind(":created_by", c.created_by).bind(":created_at", c.created_at);
    st.run();
    return db_.last_insert_id();
}

std::optional<campaign> repository::find_campaign(std::int64_t id) {
    auto st = db_.prepare(std::string("SELECT ") + campaign_columns + " FROM invitation_campaigns WHERE id = ?");
    st.bind(1, id);
    if (!st.step()) return std::nullopt;
    return read_campaign(st);
}

std::vector<campaign> repository::campaigns(std::int64_t event_id) {
    auto st = db_.prepare(std::string("SELECT ") + campaign_columns +
                          " FROM invitation_campaigns WHERE event_id = ? ORDER BY id DESC");
    st.bind(1, event_id);
    std::vector<campaign> out;
    while (st.step()) out.push_back(read_campaign(st));
    return out;
}

std::vector<std::int64_t> repository::due_campaigns(const std::string& now_iso) {
    auto st = db_.prepare("SELECT id FROM invitation_campaigns WHERE status = 'scheduled' AND send_at <= ? ORDER BY send_at, id");
    st.bind(1, now_iso);
    std::vector<std::int64_t> out;
    while (st.step()) out.push_back(st.get_int(0));
    return out;
}

void repository::set_campaign_queued(std::int64_t id, std::int64_t skipped_unsubscribed, std::int64_t skipped_invited,
                                     const std::string& now_iso) {
    db_.prepare("UPDATE invitation_campaigns SET status = 'queued', queued_at = ?, skipped_unsubscribed = ?, "
                "skipped_invited = ? WHERE id = ?")
        .bind(1, now_iso)
        .bind(2, skipped_unsubscribed)
        .bind(3, skipped_invited)
        .bind(4, id)
        .run();
}

void repository::set_campaign_cancelled(std::int64_t id) {
    db_.prepare("UPDATE invitation_campaigns SET status = 'cancelled' WHERE id = ? AND status = 'scheduled'").bind(1, id).run();
}

campaign_counts repository::counts(std::int64_t campaign_id) {
    campaign_counts c;
    auto st = db_.prepare(std::string("SELECT ") + status_sql +
                          ", COUNT(*) FROM invitations i LEFT JOIN mail_outbox m ON m.id = i.outbox_id "
                          "WHERE i.campaign_id = ? GROUP BY 1");
    st.bind(1, campaign_id);
    while (st.step()) {
        auto s = st.get_text(0);
        auto n = st.get_int(1);
        c.invited += n;
        if (s == "registered") c.registered = n;
        else if (s == "declined") c.declined = n;
        else if (s == "failed") c.failed = n;
        else if (s == "sent") c.sent = n;
        else c.queued = n;
    }
    return c;
}

// ---- recipients and invitations ----

std::vector<repository::recipient> repository::recipients(const recipient_filter& f, std::int64_t event_id) {
    std::string sql = std::string("SELECT ") + contact_columns +
                      ", (unsubscribed_at IS NOT NULL OR EXISTS (SELECT 1 FROM mail_suppressions s WHERE s.email = contacts.email)), "
                      "EXISTS (SELECT 1 FROM invitations i WHERE i.event_id = ?1 AND i.email = contacts.email) "
                      "FROM contacts WHERE (?2 = '' OR organisation_type = ?2) AND (?3 = '' OR town = ?3)";
    if (!f.all) {
        // One bound parameter per tag: the SQL text depends only on how many there are.
        sql += " AND id IN (SELECT contact_id FROM contact_tags WHERE tag IN (";
        for (std::size_t i = 0; i < f.tags.size(); ++i) sql += (i ? ", ?" : "?") + std::to_string(4 + i);
        if (f.tags.empty()) sql += "NULL";
        sql += "))";
    }
    sql += " ORDER BY id";
    auto st = db_.prepare(sql);
    st.bind(1, event_id).bind(2, f.organisation_type).bind(3, f.town);
    if (!f.all)
        for (std::size_t i = 0; i < f.tags.size(); ++i) st.bind(static_cast<int>(4 + i), f.tags[i]);
    std::vector<recipient> out;
    while (st.step()) {
        recipient r;
        r.c = read_contact(st);
        r.suppressed = st.get_int(11) != 0;
        r.invited = st.get_int(12) != 0;
        out.push_back(std::move(r));
    }
    return out;
}

std::int64_t repository::insert_invitation(const invitation& i, const std::string& token_hash) {
    auto st = db_.prepare("INSERT INTO invitations (campaign_id, event_id, contact_id, email, name, token_hash, outbox_id, "
                          "created_at) VALUES (:campaign_id, :event_id, :contact_id, :email, :name, :token_hash, "
                          ":outbox_id, :created_at)");
    st.bind(":campaign_id", i.campaign_id).bind(":event_id", i.event_id).bind(":contact_id", i.contact_id);
    st.bind(":email", i.email).bind(":name", i.name).bind(":token_hash", token_hash);
    st.bind(":outbox_id", i.outbox_id).bind(":created_at", i.created_at);
    st.run();
    auto id = db_.last_insert_id();
    add_invitation_link(id, token_hash, i.created_at);
    return id;
}

void repository::add_invitation_link(std::int64_t id, const std::string& token_hash, const std::string& now_iso) {
    db_.prepare("INSERT INTO invitation_links (token_hash, invitation_id, created_at) VALUES (?, ?, ?)")
        .bind(1, token_hash)
        .bind(2, id)
        .bind(3, now_iso)
        .run();
}

std::optional<invitation> repository::find_invitation_by_token(const std::string& token_hash) {
    auto st = db_.prepare(std::string("SELECT ") + invitation_columns +
                          " FROM invitations i LEFT JOIN mail_outbox m ON m.id = i.outbox_id "
                          "WHERE i.id = (SELECT invitation_id FROM invitation_links WHERE token_hash = ?)");
    st.bind(1, token_hash);
    if (!st.step()) return std::nullopt;
    return read_invitation(st);
}

std::optional<invitation> repository::find_invitation(std::int64_t id) {
    auto st = db_.prepare(std::string("SELECT ") + invitation_columns +
                          " FROM invitations i LEFT JOIN mail_outbox m ON m.id = i.outbox_id WHERE i.id = ?");
    st.bind(1, id);
    if (!st.step()) return std::nullopt;
    return read_invitation(st);
}

std::optional<std::int64_t> repository::invitation_of_link(const std::string& token_hash) {
    auto st = db_.prepare("SELECT invitation_id FROM invitation_links WHERE token_hash = ?");
    st.bind(1, token_hash);
    if (!st.step()) return std::nullopt;
    return st.get_int(0);
}

void repository::set_invitation_registration(std::int64_t id, std::int64_t registration_id) {
    db_.prepare("UPDATE invitations SET registration_id = ? WHERE id = ?").bind(1, registration_id).bind(2, id).run();
}

void repository::set_declined(std::int64_t id, const std::string& now_iso) {
    db_.prepare("UPDATE invitations SET declined_at = COALESCE(declined_at, ?) WHERE id = ?").bind(1, now_iso).bind(2, id).run();
}

void repository::set_invitation_message(std::int64_t id, const std::string& token_hash, std::int64_t outbox_id,
                                        const std::string& now_iso) {
    db_.prepare("UPDATE invitations SET outbox_id = ? WHERE id = ?").bind(1, outbox_id).bind(2, id).run();
    add_invitation_link(id, token_hash, now_iso);
}

std::vector<invitation> repository::invitations(std::int64_t event_id, std::int64_t campaign_id, const std::string& status,
                                                std::int64_t limit, std::int64_t offset, std::int64_t* total) {
    std::string from = std::string(" FROM invitations i LEFT JOIN mail_outbox m ON m.id = i.outbox_id WHERE i.event_id = ?1 "
                                   "AND (?2 = 0 OR i.campaign_id = ?2) AND (?3 = '' OR ") +
                       status_sql + " = ?3)";
    if (total) {
        auto c = db_.prepare("SELECT COUNT(*)" + from);
        c.bind(1, event_id).bind(2, campaign_id).bind(3, status);
        c.step();
        *total = c.get_int(0);
    }
    auto st = db_.prepare(std::string("SELECT ") + invitation_columns + from + " ORDER BY i.id LIMIT ?4 OFFSET ?5");
    st.bind(1, event_id).bind(2, campaign_id).bind(3, status).bind(4, limit).bind(5, offset);
    std::vector<invitation> out;
    while (st.step()) out.push_back(read_invitation(st));
    return out;
}

bool repository::invitation_sent_since(std::int64_t id, const std::string& since_iso) {
    auto st = db_.prepare("SELECT 1 FROM invitations i LEFT JOIN mail_outbox m ON m.id = i.outbox_id WHERE i.id = ? "
                          "AND COALESCE(m.status, '') <> 'failed' "
                          "AND (SELECT MAX(created_at) FROM invitation_links WHERE invitation_id = i.id) >= ?");
    st.bind(1, id).bind(2, since_iso);
    return st.step();
}

std::vector<invitation> repository::unanswered(std::int64_t event_id, std::int64_t campaign_id) {
    auto st = db_.prepare(std::string("SELECT ") + invitation_columns +
                          " FROM invitations i LEFT JOIN mail_outbox m ON m.id = i.outbox_id WHERE i.event_id = ?1 "
                          "AND (?2 = 0 OR i.campaign_id = ?2) AND i.registration_id IS NULL AND i.declined_at IS NULL "
                          // A message still in the outbox is not sent again (nor its link replaced).
                          "AND COALESCE(m.status, '') NOT IN ('queued', 'sending') ORDER BY i.id");
    st.bind(1, event_id).bind(2, campaign_id);
    std::vector<invitation> out;
    while (st.step()) out.push_back(read_invitation(st));
    return out;
}

}  // namespace sabor::contacts

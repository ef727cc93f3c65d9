#include "registration/notices_repository.hpp"

namespace sabor::registration {

namespace {

constexpr const char* recipient_columns =
    "u.id, u.email, u.name, COALESCE(s.mode, 'each'), COALESCE(s.locale, 'bg'), COALESCE(s.digest_day, '')";

notice_recipient read_recipient(storage::statement& st) {
    notice_recipient r;
    r.user_id = st.get_int(0);
    r.email = st.get_text(1);
    r.name = st.get_text(2);
    r.setting.mode = st.get_text(3);
    r.setting.locale = st.get_text(4);
    r.setting.digest_day = st.get_text(5);
    return r;
}

}  // namespace

notice_setting notices_repository::setting(std::int64_t user_id) {
    auto st = db_.prepare("SELECT mode, locale, digest_day FROM request_notice_settings WHERE user_id = ?");
    st.bind(1, user_id);
    notice_setting s;
    if (st.step()) {
        s.mode = st.get_text(0);
        s.locale = st.get_text(1);
        s.digest_day = st.get_text(2);
    }
    return s;
}

void notices_repository::save(std::int64_t user_id, const notice_setting& s, const std::string& now_iso) {
    db_.prepare("INSERT INTO request_notice_settings (user_id, mode, locale, digest_day, updated_at) VALUES (?1, ?2, ?3, ?4, ?5) "
                "ON CONFLICT (user_id) DO UPDATE SET mode = ?2, locale = ?3, digest_day = ?4, updated_at = ?5")
        .bind(1, user_id)
        .bind(2, s.mode)
        .bind(3, s.locale)
        .bind(4, s.digest_day)
        .bind(5, now_iso)
        .run();
}

std::vector<notice_recipient> notices_repository::managers_of(std::int64_t event_id) {
    auto st = db_.prepare(std::string("SELECT ") + recipient_columns +
                          " FROM event_managers m JOIN users u ON u.id = m.user_id "
                          "LEFT JOIN request_notice_settings s ON s.user_id = u.id WHERE m.event_id = ? ORDER BY u.id");
    st.bind(1, event_id);
    std::vector<notice_recipient> out;
    while (st.step()) out.push_back(read_recipient(st));
    return out;
}

void notices_repository::add_digest_item(std::int64_t user_id, std::int64_t registration_id) {
    db_.prepare("INSERT OR IGNORE INTO request_digest_items (user_id, registration_id) VALUES (?, ?)")
        .bind(1, user_id)
        .bind(2, registration_id)
        .run();
}

void notices_repository::clear_digest_items(std::int64_t user_id) {
    db_.prepare("DELETE FROM request_digest_items WHERE user_id = ?").bind(1, user_id).run();
}

std::vector<notice_recipient> notices_repository::digest_due(const std::string& day) {
    auto st = db_.prepare(std::string("SELECT ") + recipient_columns +
                          " FROM request_notice_settings s JOIN users u ON u.id = s.user_id "
                          "WHERE s.mode = 'daily' AND s.digest_day < ? "
                          "AND EXISTS (SELECT 1 FROM request_digest_items i WHERE i.user_id = s.user_id) ORDER BY u.id");
    st.bind(1, day);
    std::vector<notice_recipient> out;
    while (st.step()) out.push_back(read_recipient(st));
    return out;
}

std::vector<std::int64_t> notices_repository::digest_items(std::int64_t user_id) {
    auto st = db_.prepare(
        "SELECT r.id FROM request_digest_items i JOIN registrations r ON r.id = i.registration_id "
        "WHERE i.user_id = ?1 AND r.status = 'pending' "
        "AND r.event_id IN (SELECT event_id FROM event_managers WHERE user_id = ?1) ORDER BY r.event_id, r.id");
    st.bind(1, user_id);
    std::vector<std::int64_t> out;
    while (st.step()) out.push_back(st.get_int(0));
    return out;
}

void notices_repository::set_digest_day(std::int64_t user_id, const std::string& day) {
    db_.prepare("UPDATE request_notice_settings SET digest_day = ? WHERE user_id = ?").bind(1, day).bind(2, user_id).run();
}

}  // namespace sabor::registration

#include "mail/texts_repository.hpp"

namespace sabor::mail {

std::optional<mail_text> texts_repository::find(std::int64_t event_id, std::string_view kind, std::string_view lang) {
    auto st = db_.prepare("SELECT subject, body FROM event_mail_texts WHERE event_id = ? AND kind = ? AND lang = ?");
    st.bind(1, event_id).bind(2, kind).bind(3, lang);
    if (!st.step()) return std::nullopt;
    return mail_text{st.get_text(0), st.get_text(1)};
}

std::vector<stored_text> texts_repository::for_event(std::int64_t event_id) {
    auto st = db_.prepare("SELECT kind, lang, subject, body, updated_at FROM event_mail_texts WHERE event_id = ?");
    st.bind(1, event_id);
    std::vector<stored_text> out;
    while (st.step()) out.push_back({st.get_text(0), st.get_text(1), {st.get_text(2), st.get_text(3)}, st.get_text(4)});
    return out;
}

void texts_repository::save(std::int64_t event_id, std::string_view kind, std::string_view lang, const mail_text& t,
                            std::int64_t user_id, const std::string& now_iso) {
    db_.prepare("INSERT INTO event_mail_texts (event_id, kind, lang, subject, body, updated_at, updated_by) "
                "VALUES (:event_id, :kind, :lang, :subject, :body, :updated_at, :updated_by) "
                "ON CONFLICT (event_id, kind, lang) DO UPDATE SET "
                "subject = excluded.subject, body = excluded.body, updated_at = excluded.updated_at, "
                "updated_by = excluded.updated_by")
        .bind(":event_id", event_id)
        .bind(":kind", kind)
        .bind(":lang", lang)
        .bind(":subject", t.subject)
        .bind(":body", t.body)
        .bind(":updated_at", now_iso)
        .bind(":updated_by", user_id)
        .run();
}

bool texts_repository::remove(std::int64_t event_id, std::string_view kind, std::string_view lang) {
    auto st = db_.prepare("DELETE FROM event_mail_texts WHERE event_id = ? AND kind = ? AND lang = ?");
    st.bind(1, event_id).bind(2, kind).bind(3, lang);
    st.run();
    return db_.changes() > 0;
}

}  // namespace sabor::mail

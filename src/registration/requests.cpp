#include "registration/requests.hpp"

namespace sabor::registration {

std::int64_t request_repository::insert(const registration_request& r, const std::string& token_hash) {
    db_.prepare("INSERT INTO registration_requests (event_id, email, token_hash, input, locale, created_at, expires_at) "
                "VALUES (:event_id, :email, :token_hash, :input, :locale, :created_at, :expires_at)")
        .bind(":event_id", r.event_id)
        .bind(":email", r.email)
        .bind(":token_hash", token_hash)
        .bind(":input", r.input)
        .bind(":locale", r.locale)
        .bind(":created_at", r.created_at)
        .bind(":expires_at", r.expires_at)
        .run();
    return db_.last_insert_id();
}

void request_repository::remove_for(std::int64_t event_id, const std::string& email) {
    db_.prepare("DELETE FROM registration_requests WHERE event_id = ? AND email = ?").bind(1, event_id).bind(2, email).run();
}

void request_repository::remove(std::int64_t id) {
    db_.prepare("DELETE FROM registration_requests WHERE id = ?").bind(1, id).run();
}

void request_repository::remove_expired(const std::string& now_iso) {
    // ISO 8601 UTC text in one format sorts as time, here and in PostgreSQL.
    db_.prepare("DELETE FROM registration_requests WHERE expires_at < ?").bind(1, now_iso).run();
}

std::optional<registration_request> request_repository::find_by_token(const std::string& token_hash) {
    auto st = db_.prepare("SELECT id, event_id, email, input, locale, created_at, expires_at FROM registration_requests "
                          "WHERE token_hash = ?");
    st.bind(1, token_hash);
    if (!st.step()) return std::nullopt;
    registration_request r;
    r.id = st.get_int(0);
    r.event_id = st.get_int(1);
    r.email = st.get_text(2);
    r.input = st.get_text(3);
    r.locale = st.get_text(4);
    r.created_at = st.get_text(5);
    r.expires_at = st.get_text(6);
    return r;
}

std::int64_t request_repository::count(std::int64_t event_id) {
    auto st = db_.prepare("SELECT COUNT(*) FROM registration_requests WHERE event_id = ?");
    st.bind(1, event_id);
    st.step();
    return st.get_int(0);
}

}  // namespace sabor::registration

#include "app/event_access.hpp"

namespace sabor::app {

namespace {
std::optional<event_standing> read(storage::statement& st) {
    if (!st.step()) return std::nullopt;
    return event_standing{st.get_int(0), st.get_text(1) != "draft"};
}
}  // namespace

std::optional<event_standing> event_access::by_id(std::int64_t id) {
    auto st = db_.prepare("SELECT id, status FROM events WHERE id = ?");
    st.bind(1, id);
    return read(st);
}

std::optional<event_standing> event_access::by_slug(std::string_view slug) {
    auto st = db_.prepare("SELECT id, status FROM events WHERE slug = ?");
    st.bind(1, slug);
    return read(st);
}

bool event_access::manages(const accounts::user& u, std::int64_t event_id) {
    if (u.is_admin()) return true;
    auto st = db_.prepare("SELECT 1 FROM event_managers WHERE event_id = ? AND user_id = ?");
    st.bind(1, event_id).bind(2, u.id);
    return st.step();
}

}  // namespace sabor::app

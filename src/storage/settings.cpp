#include "storage/settings.hpp"

namespace sabor::storage {

std::optional<std::string> get_setting(database& db, std::string_view key) {
    auto st = db.prepare("SELECT value FROM settings WHERE key = ?");
    st.bind(1, key);
    if (st.step()) return st.get_text(0);
    return std::nullopt;
}

std::string put_setting_once(database& db, std::string_view key, std::string_view value) {
    db.prepare("INSERT INTO settings (key, value) VALUES (?, ?) ON CONFLICT (key) DO NOTHING").bind(1, key).bind(2, value).run();
    return *get_setting(db, key);
}

}  // namespace sabor::storage

// All SQL of event_mail_texts: an event's own subject and text of a registration mail.
#pragma once
#include "mail/texts.hpp"
#include "storage/database.hpp"

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace sabor::mail {

// A stored text of an event (its own, not the default).
struct stored_text {
    std::string kind, lang;
    mail_text text;
    std::string updated_at;
};

class texts_repository {
public:
    explicit texts_repository(storage::database& db) : db_(db) {}
    std::optional<mail_text> find(std::int64_t event_id, std::string_view kind, std::string_view lang);
    std::vector<stored_text> for_event(std::int64_t event_id);
    void save(std::int64_t event_id, std::string_view kind, std::string_view lang, const mail_text& t,
              std::int64_t user_id, const std::string& now_iso);
    // True when there was a text to remove.
    bool remove(std::int64_t event_id, std::string_view kind, std::string_view lang);

private:
    storage::database& db_;
};

}  // namespace sabor::mail

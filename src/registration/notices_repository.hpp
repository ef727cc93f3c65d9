// All SQL about how organisers hear of requests awaiting approval: each one's choice (a mail
// per request or a daily digest) and the requests the next digest will list.
#pragma once
#include "storage/database.hpp"

#include <cstdint>
#include <string>
#include <vector>

namespace sabor::registration {

inline constexpr const char* notice_each = "each";
inline constexpr const char* notice_daily = "daily";

struct notice_setting {
    std::string mode = notice_each;  // "each" or "daily"; no row: "each"
    std::string locale = "bg";
    std::string digest_day;          // local date (YYYY-MM-DD) of the last digest; "" none yet
};

struct notice_recipient {
    std::int64_t user_id = 0;
    std::string email, name;
    notice_setting setting;
};

class notices_repository {
public:
    explicit notices_repository(storage::database& db) : db_(db) {}

    notice_setting setting(std::int64_t user_id);
    void save(std::int64_t user_id, const notice_setting& s, const std::string& now_iso);
    // The managers of an event, with their choices.
    std::vector<notice_recipient> managers_of(std::int64_t event_id);

    void add_digest_item(std::int64_t user_id, std::int64_t registration_id);
    void clear_digest_items(std::int64_t user_id);
    // Daily-digest organisers with something waiting and no digest on `day` yet.
    std::vector<notice_recipient> digest_due(const std::string& day);
    // The waiting items of one organiser that are still pending requests of events they
    // still manage, by event, oldest first: registration ids.
    std::vector<std::int64_t> digest_items(std::int64_t user_id);
    void set_digest_day(std::int64_t user_id, const std::string& day);

private:
    storage::database& db_;
};

}  // namespace sabor::registration

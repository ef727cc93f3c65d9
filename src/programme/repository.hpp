// All SQL about speakers, programme sessions, talks and their speakers.
#pragma once
#include "programme/model.hpp"
#include "storage/database.hpp"

#include <optional>

namespace sabor::programme {

class repository {
public:
    explicit repository(storage::database& db) : db_(db) {}

    // Inserts fill the id. Call writes inside a transaction.
    void insert(speaker& s);
    void update(const speaker& s);
    void set_photo(std::int64_t speaker_id, const std::string& stored);
    void remove_speaker(std::int64_t id);
    std::optional<speaker> find_speaker(std::int64_t id);
    std::vector<speaker> speakers(std::int64_t event_id);  // in the order they were added
    // The stored photo names of an event's speakers (to remove the files when it is deleted).
    std::vector<std::string> photos(std::int64_t event_id);

    void insert(session& s);
    void update(const session& s);
    void remove_session(std::int64_t id);
    std::optional<session> find_session(std::int64_t id);
    std::vector<session> sessions(std::int64_t event_id);

    // A talk's speakers are replaced as a whole on insert and update.
    void insert(talk& t);
    void update(const talk& t);
    void remove_talk(std::int64_t id);
    std::optional<talk> find_talk(std::int64_t id);
    std::vector<talk> talks(std::int64_t event_id);
    std::vector<talk> talks_of_session(std::int64_t session_id);
    // Renumbers the talks of a session 0..n-1 in the given order.
    void set_order(const std::vector<std::int64_t>& talk_ids);

    programme_data load(std::int64_t event_id);

    std::int64_t count_speakers(std::int64_t event_id);
    std::int64_t count_sessions(std::int64_t event_id);
    std::int64_t count_talks(std::int64_t event_id);

    // The event a speaker, session or talk is of (the routes' event_of finders); nothing when none.
    std::optional<std::int64_t> event_of_speaker(std::int64_t id);
    std::optional<std::int64_t> event_of_session(std::int64_t id);
    std::optional<std::int64_t> event_of_talk(std::int64_t id);

private:
    std::vector<talk> talks_where(const char* where, std::int64_t id);  // `where` is fixed SQL, one bound id
    void save_speakers(const talk& t);
    void load_speakers(std::vector<talk>& ts);
    storage::database& db_;
};

}  // namespace sabor::programme

// What the materials routes and pages share: JSON and view shapes, storing a finished
// upload, who is looking, release settings from input, and the announcement.
#pragma once
#include "events/model.hpp"
#include "http/message.hpp"
#include "mail/composer.hpp"
#include "materials/access.hpp"
#include "materials/model.hpp"
#include "materials/upload.hpp"
#include "registration/model.hpp"
#include "storage/database.hpp"
#include "view/i18n.hpp"

#include <boost/json/object.hpp>

#include <map>
#include <optional>
#include <string>
#include <vector>

namespace sabor::materials {

// "/materials/12/%D0%A1%D0%BB%D0%B0%D0%B9%D0%B4%D0%BE%D0%B2%D0%B5.pdf"; `key` adds ?key=.
std::string download_path(const material& m, const std::string& key = {});
boost::json::object to_json(const material& m, const std::string& public_base);
// "850 B", "12,5 KB", "3,4 MB" (a decimal comma in Bulgarian).
std::string size_label(std::int64_t bytes, const std::string& lang);

// "PDF", "PPTX", ... for a stored content type (the type itself when unknown).
std::string type_label(std::string_view mime);
// A title as typed: trimmed, valid UTF-8, no control characters, at most 200 characters.
// The message key of what is wrong, or nullopt.
std::optional<std::string> title_error(const std::string& title);

struct stored {
    material m;
    bool created = false;  // false: the same content was there already (nothing stored)
};
// Moves the checked upload into the store and inserts its row in one transaction: the
// row is committed only with the file in place, and the file is removed if the commit
// fails. Same content for the same event and talk: the existing material, nothing stored.
// The store is under `data_dir` ([storage] data_dir).
stored store_upload(storage::database& db, const std::string& data_dir, upload_sink& sink, std::int64_t event_id,
                    const std::optional<std::int64_t>& talk_id, const std::string& title, std::int64_t user_id);
// Deletes the row, then the file (a file left by a crash in between is swept at start-up).
void delete_material(storage::database& db, const std::string& data_dir, const material& m);

// Who is asking: `organiser` when the route's visitor (session or Bearer) manages the event
// or is an admin, and/or a registrant by a genuine ?key= (signed with `secret`).
viewer viewer_of(const std::string& secret, bool organiser, const http::request& req);
std::string key_of(const http::request& req);  // the ?key= as sent, or ""

// Release settings from the API or the admin form; errors as field -> message key.
// `release_at` is "", "event_start" or a time (ISO 8601 with offset, or, with `tz`, the
// local time of an <input type=datetime-local>).
release_setting release_from(const std::string& visibility, const std::string& release_at, const std::string& tz,
                             std::map<std::string, std::string>& errors);
boost::json::object release_json(const release_setting& s, const events::event& e);

// Queues "the presentations are online" to each confirmed registrant (only the checked-in
// ones with `attendees_only`) in the caller's transaction, skipping suppressed addresses and
// those it went to within the last hour.
struct announce_context {
    storage::database& db;
    const mail::composer& mail;
    std::string public_base;  // for the links in the message
    std::string secret;       // registrants' keys and unsubscribe links
};
struct announce_result {
    std::int64_t queued = 0, suppressed = 0;
    std::int64_t skipped_recent = 0;  // told within the last hour: not again so soon
};
announce_result announce(announce_context& c, const events::event& e, bool attendees_only);

// For the personal page /r/{token}: the materials the registrant `who` (materials::registrant)
// may download at `now`, with keyed links, or a note why not (yet), in `lang`. Nothing when
// the event has none.
void add_personal_view(storage::database& db, const view::i18n& texts, const events::event& e, const viewer& who,
                       const std::string& lang, std::int64_t now, boost::json::object& data);
// For the programme page: the decision for the visitor `who` at `now` and, when allowed, each
// talk's materials they may download, by talk id, as {title, filename, url, type, size}
// (with the visitor's key in the urls). The one place the programme learns about materials.
struct talk_materials {
    access decision = access::hidden;
    std::string visibility;                              // the event's setting
    bool registrant = false;                             // the visitor came with a genuine key
    std::int64_t changes_at = 0;                         // a release still ahead: the decision changes then
    std::map<std::int64_t, boost::json::array> by_talk;  // empty unless allowed
};
talk_materials talk_links(storage::database& db, const events::event& e, const viewer& who, const std::string& lang,
                          std::int64_t now);

}  // namespace sabor::materials

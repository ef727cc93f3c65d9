// Turns a kind of message (a folder of templates under mail-templates/) and its data into
// a complete MIME message. enqueue() runs inside the caller's transaction and only writes
// the recipe (and the subject, for the lists); the mail worker calls compose() before
// sending, outside any transaction.
#pragma once
#include "mail/message.hpp"
#include "mail/texts.hpp"
#include "storage/database.hpp"
#include "view/templates.hpp"

#include <boost/json/object.hpp>

#include <filesystem>
#include <map>
#include <optional>
#include <string>
#include <vector>

namespace sabor::mail {

class outbox;
struct stored_message;

struct outgoing {
    std::string kind;    // folder name: "test", "registration_confirmed", ...
    std::string locale;  // "bg" or "en"
    std::optional<std::int64_t> event_id;
    std::string to_address;
    std::string to_name;
    std::string reply_to_address;  // the event's organiser, where there is one
    std::string reply_to_name;
    boost::json::object data;  // what the templates show
    std::vector<attachment> attachments;
    std::vector<std::pair<std::string, std::string>> extra_headers;
};

struct composer_options {
    std::filesystem::path templates_dir;
    std::string from;         // "Name <address>" or "address"
    std::string public_base;  // for links in messages
    std::string site_name;
};

class composer {
public:
    // Loads and checks every kind's templates (subject, text, html in bg and en); throws
    // view::template_error naming what is missing or broken, or build_error for a bad From.
    explicit composer(composer_options o);
    bool has_kind(std::string_view kind) const;
    // Checks and inserts the recipe into the outbox; returns the outbox id. Throws
    // build_error when the recipient is not a safe address or the kind is unknown.
    std::int64_t enqueue(storage::database& db, const outgoing& o) const;
    // The same into an outbox the caller keeps, for many messages in one transaction.
    std::int64_t enqueue(outbox& box, const outgoing& o) const;
    // The whole message from a stored row's recipe. Throws build_error when it cannot be built.
    std::string compose(const stored_message& m) const;
    const std::string& from_address() const { return from_address_; }

    // An editable kind's own subject and opening text in a language (see mail/texts.hpp).
    const mail_text& default_text(std::string_view kind, std::string_view lang) const;
    struct rendered {
        std::string subject, text, html;
    };
    // The message as it would be sent with these data, with `custom` instead of the
    // default subject and opening text when given (the organisers' preview).
    rendered render(const std::string& kind, const std::string& lang, boost::json::object data,
                    const std::optional<mail_text>& custom) const;

private:
    // Sets the site's data keys; the subject is the event's own (custom) or the template's.
    std::string subject_for(const std::string& kind, const std::string& lang, boost::json::object& data,
                            const std::optional<mail_text>& custom) const;
    std::map<std::string, mail_text, std::less<>> defaults_;  // "kind/lang"
    composer_options opts_;
    view::templates templates_;
    std::string from_name_, from_address_;
};

// Splits "Name <address>" into its parts ("address" alone gives an empty name).
std::pair<std::string, std::string> split_mailbox(const std::string& s);

}  // namespace sabor::mail

// One complete e-mail message (RFC 5322 / MIME) built with GMime 3: 7-bit headers with
// RFC 2047 words, quoted-printable text, base64 attachments, CRLF line ends.
#pragma once
#include <cstdint>
#include <stdexcept>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace sabor::mail {

struct attachment {
    std::string filename;      // e.g. "invitation.ics"
    std::string content_type;  // e.g. "text/calendar; method=PUBLISH"
    std::string data;
    std::string content_id;  // set: shown inside the HTML as <img src="cid:...">, not as a file to open
    // Set: the composer makes `data` as a QR code PNG of this text when it builds the
    // message (in the mail worker), so the image costs nothing in the caller's transaction.
    std::string qr_text;
};

struct message {
    std::string from_name, from_address;
    std::string to_name, to_address;
    std::string reply_to_name, reply_to_address;  // optional (empty = no Reply-To)
    std::string subject;
    std::string text;  // plain-text body, UTF-8 (required)
    std::string html;  // optional HTML body; when set the body is multipart/alternative (text, html)
    std::vector<attachment> attachments;  // when present the whole is multipart/mixed (body first)
    std::vector<std::pair<std::string, std::string>> extra_headers;  // e.g. List-Unsubscribe
    std::string message_id;  // without angle brackets; generated when empty
    std::int64_t date = 0;   // Unix seconds; 0 = now
};

struct build_error : std::invalid_argument {
    using std::invalid_argument::invalid_argument;
};

// Initialises GMime and libsodium once; build() does it itself. Safe from any thread.
void init();

// The whole message as bytes with CRLF line ends, ready for SMTP DATA. Throws build_error
// when an address is unsafe or implausible, or the text is not valid UTF-8.
std::string build(const message& m);

// "<random 128-bit token>@<domain of from_address>" (no brackets); "localhost" when there is
// no usable domain.
std::string make_message_id(std::string_view from_address);

// A plausible single ASCII address: dot-atom local part, '@', host name with a dot;
// no spaces, control characters or header syntax, at most 254 bytes.
bool safe_address(std::string_view address);

}  // namespace sabor::mail

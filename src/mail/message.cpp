#include "mail/message.hpp"

#include "mail/gmime_ptr.hpp"

#include "util/utf8.hpp"

#include <gmime/gmime.h>
#include <sodium.h>

#include <array>
#include <cstring>
#include <memory>
#include <mutex>

namespace sabor::mail {
namespace {

struct format_options_free {
    void operator()(GMimeFormatOptions* p) const { g_mime_format_options_free(p); }
};

struct date_time_unref {
    void operator()(GDateTime* p) const { g_date_time_unref(p); }
};

// Upcast that keeps ownership: every GMime part is a GMimeObject.
template <class T>
g_ptr<GMimeObject> as_object(g_ptr<T> p) {
    return g_ptr<GMimeObject>(GMIME_OBJECT(p.release()));
}

constexpr std::size_t max_line = 998;  // RFC 5322 2.1.1, without the CRLF

bool is_alnum(unsigned char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9'); }

bool is_atext(unsigned char c) { return is_alnum(c) || (c != 0 && std::strchr("!#$%&'*+-/=?^_`{|}~", c) != nullptr); }

// RFC 5322 dot-atom: atoms of atext joined by single dots. Quoted local parts are legal
// but never plausible for our users, and would need quoting in headers and SMTP.
bool dot_atom(std::string_view s) {
    if (s.empty() || s.front() == '.' || s.back() == '.' || s.find("..") != std::string_view::npos) return false;
    for (unsigned char c : s)
        if (c != '.' && !is_atext(c)) return false;
    return true;
}

// A DNS host name with at least two labels; IDN domains must arrive as A-labels (xn--).
bool host_name(std::string_view s) {
    if (s.size() > 253 || s.find('.') == std::string_view::npos) return false;
    std::size_t start = 0;
    while (start <= s.size()) {
        auto end = s.find('.', start);
        if (end == std::string_view::npos) end = s.size();
        auto label = s.substr(start, end - start);
        if (label.empty() || label.size() > 63 || label.front() == '-' || label.back() == '-') return false;
        for (unsigned char c : label)
            if (!is_alnum(c) && c != '-') return false;
        start = end + 1;
    }
    return true;
}

// A Message-ID we pass through must be an id-left@id-right without anything that could end
// the angle brackets or the header.
bool safe_message_id(std::string_view id) {
    auto at = id.find('@');
    if (id.size() > 250 || at == std::string_view::npos || at == 0 || at + 1 == id.size() || at != id.rfind('@'))
        return false;
    for (unsigned char c : id)
        if (c != '@' && c != '.' && !is_atext(c)) return false;
    return true;
}

// Header field name per RFC 5322 3.6.8 (printable ASCII without ':').
bool field_name(std::string_view s) {
    if (s.empty() || s.size() > 76) return false;
    for (unsigned char c : s)
        if (c < 33 || c > 126 || c == ':') return false;
    return true;
}

// Headers build() writes itself; an extra header must not add a second one or a recipient.
bool reserved_header(std::string_view name) {
    std::string lower;
    for (unsigned char c : name) lower += static_cast<char>(c >= 'A' && c <= 'Z' ? c + 32 : c);
    static constexpr std::array<std::string_view, 11> reserved = {
        "from", "sender", "to", "cc", "bcc", "reply-to", "subject", "date", "message-id", "mime-version", "received"};
    for (auto r : reserved)
        if (lower == r) return true;
    return lower.rfind("content-", 0) == 0;
}

void require_utf8(std::string_view s, const char* what) {
    if (!util::valid_utf8(s)) throw build_error(std::string(what) + " is not valid UTF-8");
}

// Names, subjects and header values: a run of C0, DEL or C1 controls becomes one space, so no
// CR or LF from user data can ever end a header line ("a\r\nBcc: x" gives "a Bcc: x").
std::string header_text(std::string_view s, const char* what) {
    require_utf8(s, what);
    std::string out;
    out.reserve(s.size());
    bool in_controls = false;
    for (std::size_t i = 0; i < s.size(); ++i) {
        const auto c = static_cast<unsigned char>(s[i]);
        const auto next = i + 1 < s.size() ? static_cast<unsigned char>(s[i + 1]) : 0;
        const bool c1 = c == 0xC2 && next >= 0x80 && next <= 0x9F;  // U+0080..U+009F
        if (c < 0x20 || c == 0x7f || c1) {
            if (!in_controls) out += ' ';
            in_controls = true;
            if (c1) ++i;
            continue;
        }
        in_controls = false;
        out += static_cast<char>(c);
    }
    const auto first = out.find_first_not_of(' ');
    if (first == std::string::npos) return {};
    return out.substr(first, out.find_last_not_of(' ') - first + 1);
}

// Bodies keep LF only: GMime's output filter makes every line end CRLF, whereas a CR
// handed to the quoted-printable encoder would come out as a literal "=0D".
std::string unix_newlines(std::string_view s) {
    std::string out;
    out.reserve(s.size());
    for (std::size_t i = 0; i < s.size(); ++i) {
        if (s[i] != '\r') {
            out += s[i];
        } else {
            out += '\n';
            if (i + 1 < s.size() && s[i + 1] == '\n') ++i;
        }
    }
    return out;
}

void set_content(GMimePart* part, std::string_view data) {
    g_ptr<GMimeStream> stream(g_mime_stream_mem_new_with_buffer(data.data(), data.size()));
    g_ptr<GMimeDataWrapper> wrapper(g_mime_data_wrapper_new_with_stream(stream.get(), GMIME_CONTENT_ENCODING_DEFAULT));
    g_mime_part_set_content(part, wrapper.get());
}

// Not g_mime_text_part_set_text: it would label Latin-1-only text iso-8859-1 and convert it.
g_ptr<GMimeObject> text_part(const char* subtype, std::string_view text, const char* what) {
    require_utf8(text, what);
    g_ptr<GMimeTextPart> part(g_mime_text_part_new_with_subtype(subtype));
    g_mime_text_part_set_charset(part.get(), "utf-8");
    set_content(GMIME_PART(part.get()), unix_newlines(text));
    // Always quoted-printable: 7-bit and short lines whatever the text (long words included).
    g_mime_part_set_content_encoding(GMIME_PART(part.get()), GMIME_CONTENT_ENCODING_QUOTEDPRINTABLE);
    return as_object(std::move(part));
}

// GMime would otherwise pick a legacy charset (iso-8859-5 for Cyrillic) for RFC 2231 names.
void utf8_parameter(GMimeParamList* list, const char* name) {
    if (GMimeParam* p = g_mime_param_list_get_parameter(list, name)) g_mime_param_set_charset(p, "utf-8");
}

void set_filename(GMimePart* part, const std::string& filename) {
    auto* object = GMIME_OBJECT(part);
    if (filename.empty()) {
        g_mime_object_set_disposition(object, GMIME_DISPOSITION_ATTACHMENT);
        return;
    }
    g_mime_part_set_filename(part, filename.c_str());  // Content-Disposition filename and Content-Type name
    utf8_parameter(g_mime_content_disposition_get_parameters(g_mime_object_get_content_disposition(object)), "filename");
    utf8_parameter(g_mime_content_type_get_parameters(g_mime_object_get_content_type(object)), "name");
}

g_ptr<GMimeObject> attachment_part(const attachment& a) {
    if (util::has_control_chars(a.content_type, false)) throw build_error("attachment content type has control characters");
    for (unsigned char c : a.content_type)
        if (c > 0x7e) throw build_error("attachment content type is not ASCII");
    auto filename = header_text(a.filename, "attachment filename");

    g_ptr<GMimePart> part(g_mime_part_new());
    if (!a.content_type.empty()) {
        g_ptr<GMimeContentType> type(g_mime_content_type_parse(nullptr, a.content_type.c_str()));
        // Text without a declared charset (an .ics, say) would be read as ASCII.
        if (g_mime_content_type_is_type(type.get(), "text", "*") &&
            !g_mime_content_type_get_parameter(type.get(), "charset") && util::valid_utf8(a.data))
            g_mime_content_type_set_parameter(type.get(), "charset", "utf-8");
        g_mime_object_set_content_type(GMIME_OBJECT(part.get()), type.get());
    }
    set_content(part.get(), a.data);
    g_mime_part_set_content_encoding(part.get(), GMIME_CONTENT_ENCODING_BASE64);
    set_filename(part.get(), filename);
    if (!a.content_id.empty()) {
        if (!safe_message_id(a.content_id)) throw build_error("attachment content id is not usable");
        g_mime_object_set_content_id(GMIME_OBJECT(part.get()), a.content_id.c_str());
        g_mime_object_set_disposition(GMIME_OBJECT(part.get()), GMIME_DISPOSITION_INLINE);
    }
    return as_object(std::move(part));
}

g_ptr<GMimeObject> multipart(const char* subtype, std::vector<g_ptr<GMimeObject>> parts) {
    g_ptr<GMimeMultipart> mp(g_mime_multipart_new_with_subtype(subtype));
    for (auto& p : parts) g_mime_multipart_add(mp.get(), p.get());  // takes its own reference
    return as_object(std::move(mp));
}

g_ptr<GMimeObject> mime_tree(const message& m) {
    auto body = text_part("plain", m.text, "text");
    if (!m.html.empty()) {
        std::vector<g_ptr<GMimeObject>> alternatives;
        alternatives.push_back(std::move(body));
        alternatives.push_back(text_part("html", m.html, "html"));
        body = multipart("alternative", std::move(alternatives));
    }
    // Images the HTML shows (cid:) travel with it in multipart/related; files to open follow in mixed.
    std::vector<g_ptr<GMimeObject>> related, files;
    for (const auto& a : m.attachments) (a.content_id.empty() || m.html.empty() ? files : related).push_back(attachment_part(a));
    if (!related.empty()) {
        related.insert(related.begin(), std::move(body));
        body = multipart("related", std::move(related));
    }
    if (files.empty()) return body;
    files.insert(files.begin(), std::move(body));
    return multipart("mixed", std::move(files));
}

void add_mailbox(GMimeMessage* msg, GMimeAddressType type, std::string_view name, std::string_view address,
                 const char* what) {
    // The address itself is not quoted in the error: it may be the very injection attempt.
    if (!safe_address(address)) throw build_error(std::string(what) + " address is not usable");
    auto clean = header_text(name, what);
    const std::string addr(address);
    g_ptr<InternetAddress> ia(internet_address_mailbox_new(clean.empty() ? nullptr : clean.c_str(), addr.c_str()));
    internet_address_set_charset(ia.get(), "utf-8");  // not a guessed legacy charset
    internet_address_list_add(g_mime_message_get_addresses(msg, type), ia.get());
}

void set_date(GMimeMessage* msg, std::int64_t unix_seconds) {
    std::unique_ptr<GDateTime, date_time_unref> date(unix_seconds == 0 ? g_date_time_new_now_utc()
                                                                      : g_date_time_new_from_unix_utc(unix_seconds));
    if (!date) throw build_error("date is out of range");
    g_mime_message_set_date(msg, date.get());
}

bool ascii(std::string_view s) {
    for (unsigned char c : s)
        if (c >= 0x80) return false;
    return true;
}

// GMime's formatter for unknown headers turns an over-long word (a URL) into RFC 2047 words and
// its folders split such a word with a tab; either breaks List-Unsubscribe. So ASCII values are
// folded here into GMime's raw form (" value\n"): a line break goes only before an existing
// space, which is exactly what unfolding removes again.
std::string fold_at_spaces(std::string_view name, std::string_view value) {
    constexpr std::size_t width = 78;  // RFC 5322 2.1.1 "SHOULD"
    std::string raw = " ";
    std::size_t column = name.size() + 2;  // "Name: "
    std::size_t i = 0;
    while (i < value.size()) {
        // The next chunk: the spaces before a word, then the word.
        auto word = value.find_first_not_of(' ', i);
        if (word == std::string_view::npos) word = value.size();
        auto end = value.find(' ', word);
        if (end == std::string_view::npos) end = value.size();
        if (i > 0 && column + (end - i) > width) {
            raw += '\n';
            column = 0;
        }
        raw.append(value.substr(i, end - i));
        column += end - i;
        i = end;
    }
    return raw + '\n';
}

void add_extra_headers(GMimeMessage* msg, const message& m) {
    auto* object = GMIME_OBJECT(msg);
    for (const auto& [name, value] : m.extra_headers) {
        if (!field_name(name)) throw build_error("extra header name is not a valid field name");
        if (reserved_header(name)) throw build_error("extra header " + name + " is set by build() itself");
        auto clean = header_text(value, "extra header value");
        g_mime_object_append_header(object, name.c_str(), clean.c_str(), "utf-8");  // encodes non-ASCII
        if (!ascii(clean)) continue;
        GMimeHeaderList* headers = g_mime_object_get_header_list(object);
        GMimeHeader* added = g_mime_header_list_get_header_at(headers, g_mime_header_list_get_count(headers) - 1);
        g_mime_header_set_raw_value(added, fold_at_spaces(name, clean).c_str());
    }
}

std::string serialise(GMimeObject* object) {
    std::unique_ptr<GMimeFormatOptions, format_options_free> options(g_mime_format_options_new());
    g_mime_format_options_set_newline_format(options.get(), GMIME_NEWLINE_FORMAT_DOS);
    g_ptr<GMimeStream> out(g_mime_stream_mem_new());
    if (g_mime_object_write_to_stream(object, options.get(), out.get()) < 0)
        throw std::runtime_error("GMime could not write the message");
    GByteArray* bytes = g_mime_stream_mem_get_byte_array(GMIME_STREAM_MEM(out.get()));
    return std::string(reinterpret_cast<const char*>(bytes->data), bytes->len);
}

// The promise to SMTP: 7-bit, CRLF only, no line over 998 octets. GMime keeps it except for a
// header word too long to fold (a huge URL, say); refuse that rather than send it broken.
void check_wire_format(std::string_view s) {
    std::size_t line = 0;
    for (std::size_t i = 0; i < s.size(); ++i) {
        const auto c = static_cast<unsigned char>(s[i]);
        if (c >= 0x80) throw build_error("message is not 7-bit");
        if (c == '\r' && i + 1 < s.size() && s[i + 1] == '\n') {
            line = 0;
            ++i;
        } else if (c == '\r' || c == '\n') {
            throw build_error("message has a bare CR or LF");
        } else if (++line > max_line) {
            throw build_error("message has a line longer than 998 octets");
        }
    }
}

}  // namespace

void init() {
    static std::once_flag once;
    std::call_once(once, [] {
        if (sodium_init() < 0) throw std::runtime_error("libsodium could not be initialised");
        g_mime_init();  // never shut down: other threads may still be building
    });
}

bool safe_address(std::string_view address) {
    if (address.size() > 254) return false;
    const auto at = address.find('@');
    if (at == std::string_view::npos || at != address.rfind('@')) return false;
    const auto local = address.substr(0, at);
    return local.size() <= 64 && dot_atom(local) && host_name(address.substr(at + 1));
}

std::string make_message_id(std::string_view from_address) {
    init();
    std::array<unsigned char, 16> random{};
    randombytes_buf(random.data(), random.size());
    std::array<char, 33> hex{};
    sodium_bin2hex(hex.data(), hex.size(), random.data(), random.size());

    const auto at = from_address.rfind('@');
    std::string_view domain = at == std::string_view::npos ? std::string_view{} : from_address.substr(at + 1);
    if (!host_name(domain)) domain = "localhost";  // also keeps junk out of the header
    return std::string(hex.data()) + "@" + std::string(domain);
}

std::string build(const message& m) {
    init();
    g_ptr<GMimeMessage> msg(g_mime_message_new(TRUE));  // TRUE: the usual header order

    add_mailbox(msg.get(), GMIME_ADDRESS_TYPE_FROM, m.from_name, m.from_address, "from");
    add_mailbox(msg.get(), GMIME_ADDRESS_TYPE_TO, m.to_name, m.to_address, "to");
    if (!m.reply_to_address.empty())
        add_mailbox(msg.get(), GMIME_ADDRESS_TYPE_REPLY_TO, m.reply_to_name, m.reply_to_address, "reply-to");
    g_mime_message_set_subject(msg.get(), header_text(m.subject, "subject").c_str(), "utf-8");
    set_date(msg.get(), m.date);

    const auto id = m.message_id.empty() ? make_message_id(m.from_address) : m.message_id;
    if (!safe_message_id(id)) throw build_error("message id is not usable");
    g_mime_message_set_message_id(msg.get(), id.c_str());

    add_extra_headers(msg.get(), m);
    auto tree = mime_tree(m);
    g_mime_message_set_mime_part(msg.get(), tree.get());
    g_mime_object_set_header(GMIME_OBJECT(msg.get()), "MIME-Version", "1.0", nullptr);

    auto out = serialise(GMIME_OBJECT(msg.get()));
    check_wire_format(out);
    return out;
}

}  // namespace sabor::mail

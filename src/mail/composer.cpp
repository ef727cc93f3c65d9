#include "mail/composer.hpp"

#include "mail/outbox.hpp"
#include "util/clock.hpp"
#include "util/crypto.hpp"
#include "util/qr.hpp"
#include "util/utf8.hpp"

#include <boost/json.hpp>

#include <set>

namespace sabor::mail {
namespace json = boost::json;
namespace {

bool is_plain(std::string_view name) {
    return name.find("/subject.") != std::string_view::npos || name.find("/text.") != std::string_view::npos;
}

using util::trim;

}  // namespace

std::pair<std::string, std::string> split_mailbox(const std::string& s) {
    auto lt = s.rfind('<');
    auto gt = s.rfind('>');
    if (lt == std::string::npos || gt == std::string::npos || gt < lt) return {"", trim(s)};
    return {trim(s.substr(0, lt)), trim(s.substr(lt + 1, gt - lt - 1))};
}

composer::composer(composer_options o) : opts_(std::move(o)), templates_(opts_.templates_dir, is_plain) {
    auto [name, address] = split_mailbox(opts_.from);
    if (!safe_address(address)) throw build_error("[mail] from is not a usable address: " + opts_.from);
    from_name_ = name;
    from_address_ = address;
    if (!templates_.has("layout.html")) throw view::template_error("mail template layout.html is missing");
    std::set<std::string> kinds;
    for (const auto& entry : std::filesystem::directory_iterator(opts_.templates_dir))
        if (entry.is_directory() && entry.path().filename() != "partials") kinds.insert(entry.path().filename().string());
    for (const auto& k : kinds)
        for (const char* part : {"subject", "text", "html"})
            for (const char* lang : {"bg", "en"}) {
                auto n = k + "/" + part + "." + lang;
                if (!templates_.has(n)) throw view::template_error("mail template " + n + " is missing");
            }
}

bool composer::has_kind(std::string_view kind) const {
    return templates_.has(std::string(kind) + "/subject.bg");
}

std::int64_t composer::enqueue(storage::database& db, const outgoing& o) const {
    outbox box(db);
    return enqueue(box, o);
}

std::string composer::render_subject(const std::string& kind, const std::string& lang, boost::json::object& data) const {
    data["site_name"] = opts_.site_name;
    data["public_url"] = opts_.public_base;
    data["lang"] = lang;
    return trim(templates_.render(kind + "/subject." + lang, data));
}

std::int64_t composer::enqueue(outbox& box, const outgoing& o) const {
    if (!has_kind(o.kind)) throw build_error("no mail templates for " + o.kind);
    if (!safe_address(o.to_address)) throw build_error("not a usable recipient address");
    if (!o.reply_to_address.empty() && !safe_address(o.reply_to_address)) throw build_error("not a usable Reply-To address");
    std::string lang = o.locale == "en" ? "en" : "bg";
    auto data = o.data;

    json::array attachments;
    for (const auto& a : o.attachments)
        attachments.push_back(json::object{
            {"filename", a.filename}, {"content_type", a.content_type}, {"data", util::base64_encode(a.data)},
            {"content_id", a.content_id}, {"qr_text", a.qr_text}});
    json::array headers;
    for (const auto& [name, value] : o.extra_headers) headers.push_back(json::array{json::string(name), json::string(value)});
    json::object recipe{{"data", o.data},
                        {"reply_to_name", o.reply_to_name},
                        {"reply_to_address", o.reply_to_address},
                        {"attachments", std::move(attachments)},
                        {"headers", std::move(headers)},
                        {"date", util::now_seconds()}};

    queued_message q;
    q.kind = o.kind;
    q.locale = lang;
    q.event_id = o.event_id;
    q.from_address = from_address_;
    q.to_address = o.to_address;
    q.to_name = o.to_name;
    q.subject = render_subject(o.kind, lang, data);
    q.message_id = make_message_id(from_address_);
    q.recipe = json::serialize(recipe);
    return box.enqueue(q);
}

std::string composer::compose(const stored_message& s) const {
    if (!s.content.empty()) return s.content;
    if (!has_kind(s.kind)) throw build_error("no mail templates for " + s.kind);
    json::value parsed;
    try {
        parsed = json::parse(s.recipe);
    } catch (const std::exception&) {
        throw build_error("the stored recipe is not JSON");
    }
    if (!parsed.is_object()) throw build_error("the stored recipe is not an object");
    const auto& r = parsed.as_object();
    auto text = [&r](const char* key) -> std::string {
        auto* v = r.if_contains(key);
        return v && v->is_string() ? std::string(v->get_string()) : std::string{};
    };
    std::string lang = s.locale == "en" ? "en" : "bg";
    json::object data;
    if (auto* d = r.if_contains("data"); d && d->is_object()) data = d->get_object();

    message m;
    m.from_name = from_name_;
    m.from_address = s.from_address;
    m.to_name = s.to_name;
    m.to_address = s.to_address;
    m.reply_to_name = text("reply_to_name");
    m.reply_to_address = text("reply_to_address");
    m.subject = render_subject(s.kind, lang, data);
    m.text = templates_.render(s.kind + "/text." + lang, data);
    data["content"] = templates_.render(s.kind + "/html." + lang, data);
    data["subject"] = m.subject;
    m.html = templates_.render("layout.html", data);
    if (auto* a = r.if_contains("attachments"); a && a->is_array())
        for (const auto& item : a->get_array()) {
            if (!item.is_object()) continue;
            const auto& o = item.get_object();
            auto field = [&o](const char* key) {
                auto* v = o.if_contains(key);
                return v && v->is_string() ? std::string(v->get_string()) : std::string{};
            };
            try {
                auto qr = field("qr_text");
                m.attachments.push_back({field("filename"), field("content_type"),
                                         qr.empty() ? util::base64_decode(field("data")) : util::qr_png(qr),
                                         field("content_id"), ""});
            } catch (const std::invalid_argument&) {
                throw build_error("a stored attachment is damaged");
            }
        }
    if (auto* h = r.if_contains("headers"); h && h->is_array())
        for (const auto& item : h->get_array())
            if (item.is_array() && item.get_array().size() == 2 && item.get_array()[0].is_string() &&
                item.get_array()[1].is_string())
                m.extra_headers.emplace_back(std::string(item.get_array()[0].get_string()),
                                             std::string(item.get_array()[1].get_string()));
    if (auto* d = r.if_contains("date"); d && d->is_int64()) m.date = d->get_int64();
    m.message_id = s.message_id;
    return build(m);
}

}  // namespace sabor::mail

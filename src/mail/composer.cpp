#include "mail/composer.hpp"

#include "mail/outbox.hpp"
#include "mail/texts_repository.hpp"
#include "util/clock.hpp"
#include "util/crypto.hpp"
#include "util/qr.hpp"
#include "util/utf8.hpp"
#include "view/text.hpp"

#include <boost/json.hpp>

#include <fstream>
#include <set>
#include <sstream>

namespace sabor::mail {
namespace json = boost::json;
namespace {

bool is_plain(std::string_view name) {
    return name.find("/subject.") != std::string_view::npos || name.find("/text.") != std::string_view::npos;
}

using util::trim;

std::string read_file(const std::filesystem::path& p) {
    std::ifstream in(p, std::ios::binary);
    if (!in) throw view::template_error("mail template " + p.filename().string() + " is missing in " +
                                        p.parent_path().filename().string());
    std::ostringstream s;
    s << in.rdbuf();
    return s.str();
}

std::string fill(const std::string& text, const editable_kind& k, const json::object& data) {
    try {
        return view::placeholder_text(text, k.placeholders).fill(placeholder_values_of(data));
    } catch (const view::placeholder_error&) {
        // Checked when saved; a text stored before a placeholder was withdrawn goes out as written.
        return text;
    }
}

std::optional<mail_text> custom_of(const json::object& recipe) {
    auto* t = recipe.if_contains("texts");
    if (!t || !t->is_object()) return std::nullopt;
    auto* s = t->get_object().if_contains("subject");
    auto* b = t->get_object().if_contains("body");
    if (!s || !b || !s->is_string() || !b->is_string()) return std::nullopt;
    return mail_text{std::string(s->get_string()), std::string(b->get_string())};
}

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
    // The editable kinds' defaults are placeholder texts, checked like an organiser's.
    for (const auto& k : editable_kinds())
        for (const char* lang : {"bg", "en"}) {
            auto dir = opts_.templates_dir / std::string(k.kind);
            mail_text t{trim(read_file(dir / (std::string("subject.") + lang + ".mustache"))),
                        trim(read_file(dir / (std::string("body.") + lang + ".txt")))};
            for (const auto* text : {&t.subject, &t.body})
                if (auto bad = view::unknown_placeholder(*text, k.placeholders))
                    throw view::template_error("mail template " + std::string(k.kind) + " (" + lang +
                                               "): unknown placeholder {{" + *bad + "}}");
            defaults_[std::string(k.kind) + "/" + lang] = std::move(t);
        }
}

const mail_text& composer::default_text(std::string_view kind, std::string_view lang) const {
    auto it = defaults_.find(std::string(kind) + "/" + (lang == "en" ? "en" : "bg"));
    if (it == defaults_.end()) throw build_error("no editable mail text for " + std::string(kind));
    return it->second;
}

bool composer::has_kind(std::string_view kind) const {
    return templates_.has(std::string(kind) + "/subject.bg");
}

std::int64_t composer::enqueue(storage::database& db, const outgoing& o) const {
    outbox box(db);
    return enqueue(box, o);
}

std::string composer::subject_for(const std::string& kind, const std::string& lang, json::object& data,
                                  const std::optional<mail_text>& custom) const {
    data["site_name"] = opts_.site_name;
    data["public_url"] = opts_.public_base;
    data["lang"] = lang;
    auto* k = find_editable(kind);
    if (k && custom) return trim(fill(custom->subject, *k, data));
    return trim(templates_.render(kind + "/subject." + lang, data));
}

composer::rendered composer::render(const std::string& kind, const std::string& lang, json::object data,
                                    const std::optional<mail_text>& custom) const {
    rendered r;
    r.subject = subject_for(kind, lang, data, custom);
    if (auto* k = find_editable(kind)) {
        auto intro = fill(custom ? custom->body : default_text(kind, lang).body, *k, data);
        // The same spacing as the templates' own paragraphs (mail clients ignore style sheets).
        auto html = view::render_description(intro);
        for (auto pos = html.find("<p>"); pos != std::string::npos; pos = html.find("<p>", pos))
            html.replace(pos, 3, "<p style=\"margin:0 0 16px;\">");
        data["intro_html"] = std::move(html);
        data["intro"] = std::move(intro);
    }
    r.text = templates_.render(kind + "/text." + lang, data);
    data["content"] = templates_.render(kind + "/html." + lang, data);
    data["subject"] = r.subject;
    r.html = templates_.render("layout.html", data);
    return r;
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
    // The event's own text, if it has one, travels with the message: an edit after this
    // moment does not change what was queued.
    std::optional<mail_text> custom;
    if (o.event_id && find_editable(o.kind)) custom = texts_repository(box.db()).find(*o.event_id, o.kind, lang);
    json::object recipe{{"data", o.data},
                        {"reply_to_name", o.reply_to_name},
                        {"reply_to_address", o.reply_to_address},
                        {"attachments", std::move(attachments)},
                        {"headers", std::move(headers)},
                        {"date", util::now_seconds()}};
    if (custom) recipe["texts"] = json::object{{"subject", custom->subject}, {"body", custom->body}};

    queued_message q;
    q.kind = o.kind;
    q.locale = lang;
    q.event_id = o.event_id;
    q.from_address = from_address_;
    q.to_address = o.to_address;
    q.to_name = o.to_name;
    q.subject = subject_for(o.kind, lang, data, custom);
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
    auto parts = render(s.kind, lang, std::move(data), custom_of(r));
    m.subject = std::move(parts.subject);
    m.text = std::move(parts.text);
    m.html = std::move(parts.html);
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

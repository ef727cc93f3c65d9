#include "mail/composer.hpp"

#include "mail/outbox.hpp"

#include <set>

namespace sabor::mail {
namespace {

bool is_plain(std::string_view name) {
    return name.find("/subject.") != std::string_view::npos || name.find("/text.") != std::string_view::npos;
}

std::string trim(std::string s) {
    while (!s.empty() && (s.back() == ' ' || s.back() == '\n' || s.back() == '\r' || s.back() == '\t')) s.pop_back();
    std::size_t i = 0;
    while (i < s.size() && (s[i] == ' ' || s[i] == '\n' || s[i] == '\r' || s[i] == '\t')) ++i;
    return s.substr(i);
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
        if (entry.is_directory()) kinds.insert(entry.path().filename().string());
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

std::int64_t composer::enqueue(outbox& box, const outgoing& o) const {
    if (!has_kind(o.kind)) throw build_error("no mail templates for " + o.kind);
    std::string lang = o.locale == "en" ? "en" : "bg";
    auto data = o.data;
    data["site_name"] = opts_.site_name;
    data["public_url"] = opts_.public_base;
    data["lang"] = lang;

    message m;
    m.from_name = from_name_;
    m.from_address = from_address_;
    m.to_name = o.to_name;
    m.to_address = o.to_address;
    m.reply_to_name = o.reply_to_name;
    m.reply_to_address = o.reply_to_address;
    m.subject = trim(templates_.render(o.kind + "/subject." + lang, data));
    m.text = templates_.render(o.kind + "/text." + lang, data);
    data["content"] = templates_.render(o.kind + "/html." + lang, data);
    data["subject"] = m.subject;
    m.html = templates_.render("layout.html", data);
    m.attachments = o.attachments;
    m.extra_headers = o.extra_headers;
    m.message_id = make_message_id(from_address_);

    queued_message q;
    q.kind = o.kind;
    q.locale = lang;
    q.event_id = o.event_id;
    q.from_address = from_address_;
    q.to_address = o.to_address;
    q.to_name = o.to_name;
    q.subject = m.subject;
    q.message_id = m.message_id;
    q.content = build(m);  // throws before anything is written when the recipient is unsafe
    return box.enqueue(q);
}

}  // namespace sabor::mail

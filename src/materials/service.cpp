#include "materials/service.hpp"

#include "accounts/repository.hpp"
#include "mail/unsubscribe.hpp"
#include "events/mail_contact.hpp"
#include "events/repository.hpp"
#include "events/service.hpp"
#include "mail/message.hpp"
#include "mail/outbox.hpp"
#include "materials/repository.hpp"
#include "materials/store.hpp"
#include "util/clock.hpp"
#include "util/utf8.hpp"
#include "view/dates.hpp"

#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <iostream>

#include <fcntl.h>
#include <unistd.h>

namespace sabor::materials {

namespace fs = std::filesystem;
namespace json = boost::json;

namespace {

std::string percent_encode(std::string_view s) {
    static const char* hex = "0123456789ABCDEF";
    std::string out;
    for (unsigned char c : s) {
        if (std::isalnum(c) || c == '-' || c == '.' || c == '_' || c == '~') {
            out += static_cast<char>(c);
        } else {
            out += '%';
            out += hex[c >> 4];
            out += hex[c & 15];
        }
    }
    return out;
}

void sync_dir(const fs::path& dir) {
    int fd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (fd < 0) return;
    ::fsync(fd);
    ::close(fd);
}

}  // namespace

std::string download_path(const material& m, const std::string& key) {
    auto p = "/materials/" + std::to_string(m.id) + "/" + percent_encode(m.filename);
    if (!key.empty()) p += "?key=" + key;
    return p;
}

json::object to_json(const material& m, const std::string& public_base) {
    json::object j{{"id", m.id},
                   {"event_id", m.event_id},
                   {"title", m.title},
                   {"filename", m.filename},
                   {"content_type", m.content_type},
                   {"size", m.size},
                   {"sha256", m.sha256},
                   {"url", public_base + download_path(m)},
                   {"created_at", m.created_at}};
    if (m.talk_id) j["talk_id"] = *m.talk_id;
    else j["talk_id"] = nullptr;
    return j;
}

std::string size_label(std::int64_t bytes, const std::string& lang) {
    // Bulgarian writes its own abbreviations (Б, КБ, МБ) and a decimal comma.
    const bool en = lang == "en";
    if (bytes < 1024) return std::to_string(bytes) + (en ? " B" : " Б");
    char buf[32];
    double v = static_cast<double>(bytes) / 1024;
    const char* unit = en ? "KB" : "КБ";
    if (v >= 1024) {
        v /= 1024;
        unit = en ? "MB" : "МБ";
    }
    std::snprintf(buf, sizeof buf, "%.1f %s", v, unit);
    std::string s = buf;
    if (lang != "en")
        for (auto& c : s)
            if (c == '.') c = ',';
    return s;
}

std::string type_label(std::string_view mime) {
    static const std::pair<std::string_view, std::string_view> labels[] = {
        {"application/pdf", "PDF"},
        {"application/vnd.ms-powerpoint", "PPT"},
        {"application/vnd.openxmlformats-officedocument.presentationml.presentation", "PPTX"},
        {"application/vnd.oasis.opendocument.presentation", "ODP"},
        {"application/msword", "DOC"},
        {"application/vnd.openxmlformats-officedocument.wordprocessingml.document", "DOCX"},
        {"application/vnd.ms-excel", "XLS"},
        {"application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", "XLSX"},
        {"application/zip", "ZIP"},
        {"image/png", "PNG"},
        {"image/jpeg", "JPEG"}};
    for (const auto& [m, label] : labels)
        if (m == mime) return std::string(label);
    return std::string(mime);
}

std::optional<std::string> title_error(const std::string& title) {
    if (!util::valid_utf8(title)) return "error_invalid_utf8";
    if (util::has_control_chars(title, false)) return "error_control_chars";
    if (util::utf8_length(title) > 200) return "error_title_too_long";
    return std::nullopt;
}

stored store_upload(storage::database& db, const std::string& data_dir, upload_sink& sink, std::int64_t event_id,
                    const std::optional<std::int64_t>& talk_id, const std::string& title, std::int64_t user_id) {
    const auto& r = sink.result();
    storage::transaction tx(db);
    repository repo(db);
    if (auto same = repo.find_same(event_id, talk_id, r.sha256)) return {*same, false};  // the sink deletes its file
    material m;
    m.event_id = event_id;
    m.talk_id = talk_id;
    m.title = title;
    m.filename = r.filename;
    m.stored_name = new_stored_name(r.kind.extension);
    m.content_type = r.kind.mime;
    m.size = static_cast<std::int64_t>(r.size);
    m.sha256 = r.sha256;
    m.uploaded_by = user_id;
    auto target = store_dir(data_dir) / m.stored_name;
    fs::rename(r.temp, target);
    sink.taken();
    sync_dir(target.parent_path());  // the new name survives a power cut once the row does
    try {
        repo.insert(m);
        tx.commit();
    } catch (...) {
        std::error_code ec;
        fs::remove(target, ec);
        throw;
    }
    return {m, true};
}

void delete_material(storage::database& db, const std::string& data_dir, const material& m) {
    storage::transaction tx(db);
    repository(db).remove(m.id);
    tx.commit();
    std::error_code ec;
    fs::remove(store_dir(data_dir) / m.stored_name, ec);
}

std::string key_of(const http::request& req) {
    auto k = req.query_param("key");
    return k ? *k : std::string{};
}

viewer viewer_of(const std::string& secret, bool organiser, const http::request& req) {
    viewer v;
    v.organiser = organiser;
    if (auto k = req.query_param("key")) {
        v.registration_id = verify_access_key(secret, *k);
        if (v.registration_id) v.key = *k;
    }
    return v;
}

release_setting release_from(const std::string& visibility, const std::string& release_at, const std::string& tz,
                             std::map<std::string, std::string>& errors) {
    release_setting s;
    s.visibility = visibility;
    bool known = false;
    for (auto v : events::visibilities) known = known || v == visibility;
    if (!known) errors["materials_visibility"] = "error_unknown_value";
    if (release_at.empty() || release_at == "event_start") {
        s.release_at = release_at;
    } else {
        auto t = view::parse_iso8601(release_at);
        if (!t && !tz.empty()) t = view::parse_local(release_at, tz);
        if (t) s.release_at = view::format_iso_utc(*t);
        else errors["materials_release_at"] = "error_bad_time";
    }
    return s;
}

json::object release_json(const release_setting& s, const events::event& e) {
    json::object j{{"materials_visibility", s.visibility}, {"materials_release_at", s.release_at}};
    auto t = release_time(s, e);
    if (t) j["released_from"] = view::format_iso_local(t, e.timezone);
    else j["released_from"] = nullptr;
    return j;
}

namespace {

std::string materials_page(const std::string& base, const events::event& e, const std::string& key) {
    return base + "/events/" + e.slug + "/materials" + (key.empty() ? "" : "?key=" + key);
}

}  // namespace

announce_result announce(announce_context& c, const events::event& e, bool attendees_only) {
    announce_result res;
    repository repo(c.db);
    auto people = repo.recipients(e.id, attendees_only, res.suppressed);
    mail::outbox box(c.db);
    const std::string& base = c.public_base;
    for (const auto& p : people) {
        if (repo.announced_within_hour(e.id, p.email)) {
            ++res.skipped_recent;
            continue;
        }
        mail::outgoing o;
        o.kind = "materials_online";
        o.locale = p.locale == "en" ? "en" : "bg";
        o.event_id = e.id;
        o.to_address = p.email;
        o.to_name = p.name;
        auto key = access_key(c.secret, p.registration_id);
        o.data = json::object{{"name", p.name},
                              {"event_title", e.title},
                              {"event_when", view::format_range(e.starts_at, e.ends_at, e.timezone, o.locale)},
                              {"event_url", base + "/events/" + e.slug},
                              {"materials_url", materials_page(base, e, key)},
                              {"archive_url", base + "/events/" + e.slug + "/materials.zip?key=" + key}};
        events::add_mail_contact(o, e);
        mail::make_bulk(o, base, c.secret);
        try {
            c.mail.enqueue(box, o);
            ++res.queued;
        } catch (const mail::build_error& err) {
            // One unusable address must not hold back everyone else's message.
            std::cerr << "materials announcement: skipped registration " << p.registration_id << ": " << err.what()
                      << std::endl;
        }
    }
    return res;
}

namespace {

json::object link_view(const material& m, const std::string& key, const std::string& lang) {
    return json::object{{"title", m.title.empty() ? m.filename : m.title},
                        {"filename", m.filename},
                        {"url", download_path(m, key)},
                        {"talk_title", m.talk_title},
                        {"type", type_label(m.content_type)},
                        {"size", size_label(m.size, lang)}};
}

}  // namespace

void add_personal_view(storage::database& db, const view::i18n& texts, const events::event& e, const viewer& who,
                       const std::string& lang, std::int64_t now, json::object& data) {
    auto list = repository(db).list(e.id);
    if (list.empty()) return;
    auto setting = repository(db).release(e.id);
    const auto& key = who.key;
    auto decision = decide(db, e, setting, who, now);
    json::object view;
    if (decision == access::allowed) {
        json::array items;
        for (const auto& m : list) items.push_back(link_view(m, key, lang));
        view["items"] = std::move(items);
        view["has_items"] = true;
        view["archive_url"] = "/events/" + e.slug + "/materials.zip?key=" + key;
        // The programme page shows the same links (with the key) at their talks.
        bool in_programme = std::any_of(list.begin(), list.end(), [](const material& m) { return m.talk_id.has_value(); });
        if (in_programme) view["programme_url"] = "/events/" + e.slug + "/programme?key=" + key;
    } else if (decision == access::not_yet) {
        view["note"] = texts.text(lang, "materials_not_yet") + " " +
                       view::format_date_time(release_time(setting, e), e.timezone, lang);
    } else {
        return;  // nothing this registrant will get: say nothing
    }
    data["materials"] = std::move(view);
}

talk_materials talk_links(storage::database& db, const events::event& e, const viewer& who, const std::string& lang,
                          std::int64_t now) {
    talk_materials out;
    auto d = download_access(db, e, who, now);
    out.visibility = d.setting.visibility;
    out.registrant = d.who.registration_id.has_value();
    out.decision = d.decision;
    if (auto t = release_time(d.setting, e); t > now) out.changes_at = t;
    if (out.decision != access::allowed) return out;
    const auto& key = who.key;
    for (const auto& m : repository(db).list(e.id))
        if (m.talk_id) out.by_talk[*m.talk_id].push_back(link_view(m, key, lang));
    return out;
}

}  // namespace sabor::materials

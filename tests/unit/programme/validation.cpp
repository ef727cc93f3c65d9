#include "events/repository.hpp"
#include "programme/photos.hpp"
#include "programme/repository.hpp"
#include "programme/service.hpp"
#include "view/ics.hpp"
#include "storage/migrations.hpp"
#include "view/dates.hpp"

#include <boost/json.hpp>
#include <catch2/catch.hpp>

#include <filesystem>
#include <fstream>

using namespace sabor;
using namespace sabor::programme;

namespace {

std::int64_t at(const char* iso) { return *view::parse_iso8601(iso); }

// A two-day event on 11-12 August 2030 (Sofia, +03:00) with two speakers and two sessions.
struct fixture {
    events::event e;
    programme_data d;
    fixture() {
        e.id = 7;
        e.timezone = "Europe/Sofia";
        e.starts_at = at("2030-08-11T09:30:00+03:00");
        e.ends_at = at("2030-08-12T16:00:00+03:00");
        speaker a;
        a.id = 1;
        a.event_id = 7;
        a.honorific = "д-р";
        a.name = "Мария Петрова";
        speaker b = a;
        b.id = 2;
        b.honorific.clear();
        b.name = "Иван Колев";
        d.speakers = {a, b};
        session s1;
        s1.id = 10;
        s1.event_id = 7;
        s1.title = "Откриване";
        s1.starts_at = at("2030-08-11T09:30:00+03:00");
        s1.ends_at = at("2030-08-11T11:00:00+03:00");
        s1.room = "Зала 1";
        session s2 = s1;
        s2.id = 11;
        s2.title = "Панел";
        s2.starts_at = at("2030-08-11T11:30:00+03:00");
        s2.ends_at = at("2030-08-11T13:00:00+03:00");
        d.sessions = {s1, s2};
    }
};

boost::json::object obj(const char* text) { return boost::json::parse(text).as_object(); }

field_errors session_errors(const fixture& f, const boost::json::object& body) {
    field_errors errors;
    session s;
    apply(s, session_from_json(body, errors), f.e, f.d, errors);
    return errors;
}

field_errors talk_errors(const fixture& f, const boost::json::object& body) {
    field_errors errors;
    talk t;
    apply(t, talk_from_json(body, errors), f.e, f.d, errors);
    return errors;
}

talk timed(std::int64_t id, std::int64_t session, const char* from, const char* to, std::vector<talk_speaker> who = {}) {
    talk t;
    t.id = id;
    t.session_id = session;
    t.title = "Доклад " + std::to_string(id);
    t.starts_at = from ? at(from) : 0;
    t.ends_at = to ? at(to) : 0;
    t.speakers = std::move(who);
    return t;
}

}  // namespace

TEST_CASE("valid JSON becomes a speaker, a session and a talk", "[programme]") {
    fixture f;
    field_errors errors;
    speaker sp;
    apply(sp, speaker_from_json(obj(R"({"honorific": "проф.", "name": "  Надежда Колева ", "position": "преподавател",
        "organisation": "ПУ „Паисий Хилендарски“", "bio": "Ред 1\nРед 2", "email": "n.koleva@uni-plovdiv.bg"})"), errors),
          errors);
    CHECK(errors.empty());
    CHECK(sp.name == "Надежда Колева");
    CHECK(display_name(sp) == "проф. Надежда Колева");

    session s;
    apply(s, session_from_json(obj(R"({"title": "Дискусия", "kind": "discussion", "room": "Зала 2", "chair_id": 2,
        "starts_at": "2030-08-12T09:30:00+03:00", "ends_at": "2030-08-12T11:00:00+03:00"})"), errors), f.e, f.d, errors);
    CHECK(errors.empty());
    CHECK(s.chair_id == 2);
    CHECK(view::format_iso_utc(s.starts_at) == "2030-08-12T06:30:00Z");

    talk t;
    apply(t, talk_from_json(obj(R"({"session_id": 10, "title": "Приветствие", "speakers": [{"id": 1, "role": "moderator"}, {"id": 2}],
        "starts_at": "2030-08-11T09:30:00+03:00", "ends_at": "2030-08-11T09:45:00+03:00"})"), errors), f.e, f.d, errors);
    CHECK(errors.empty());
    REQUIRE(t.speakers.size() == 2);
    CHECK(t.speakers[0] == talk_speaker{1, "moderator"});
    CHECK(t.speakers[1] == talk_speaker{2, "speaker"});
    auto j = to_json(t, f.e.timezone);
    CHECK(j["speaker_ids"] == boost::json::array{1, 2});
    CHECK(j["starts_at"] == "2030-08-11T09:30:00+03:00");
}

TEST_CASE("bad programme input is refused field by field", "[programme]") {
    fixture f;
    auto check = [](const field_errors& errors, const std::string& field, const std::string& key) {
        INFO(field << " " << key);
        REQUIRE(errors.count(field));
        CHECK(errors.at(field).key == key);
    };
    field_errors errors;
    speaker sp;
    apply(sp, speaker_from_json(obj(R"({"name": ""})"), errors), errors);
    check(errors, "name", "error_required");
    errors.clear();
    apply(sp, speaker_from_json(obj(R"({"name": "Име\r\nBcc: x@y.bg"})"), errors), errors);
    check(errors, "name", "error_control_chars");
    errors.clear();
    apply(sp, speaker_from_json(obj(R"({"name": 5, "email": "not an address", "colour": "red", "id": 3})"), errors), errors);
    check(errors, "name", "error_must_be_text");
    check(errors, "email", "error_bad_address");
    check(errors, "colour", "error_unknown_field");
    check(errors, "id", "error_read_only");
    errors.clear();
    boost::json::object bad_utf8;
    bad_utf8["name"] = std::string("\xff\xfe", 2);
    apply(sp, speaker_from_json(bad_utf8, errors), errors);
    check(errors, "name", "error_invalid_utf8");
    errors.clear();
    boost::json::object long_name;
    long_name["name"] = std::string(201, 'a');
    apply(sp, speaker_from_json(long_name, errors), errors);
    check(errors, "name", "error_too_long");

    check(session_errors(f, obj(R"({"title": "x", "kind": "party", "starts_at": "2030-08-11T10:00:00+03:00", "ends_at": "2030-08-11T11:00:00+03:00"})")),
          "kind", "error_unknown_value");
    check(session_errors(f, obj(R"({"title": "x", "starts_at": "2030-08-11T10:00:00+03:00", "ends_at": "2030-08-11T09:00:00+03:00"})")),
          "ends_at", "error_end_before_start");
    check(session_errors(f, obj(R"({"title": "x", "starts_at": "2030-08-13T10:00:00+03:00", "ends_at": "2030-08-13T11:00:00+03:00"})")),
          "starts_at", "prog_error_outside_event");
    check(session_errors(f, obj(R"({"title": "x", "starts_at": "2030-08-10T10:00:00+03:00", "ends_at": "2030-08-11T11:00:00+03:00"})")),
          "starts_at", "prog_error_outside_event");
    check(session_errors(f, obj(R"({"title": "x", "starts_at": "tomorrow", "ends_at": "2030-08-11T11:00:00+03:00"})")),
          "starts_at", "error_bad_time");
    check(session_errors(f, obj(R"({"title": "x", "chair_id": 99, "starts_at": "2030-08-11T10:00:00+03:00", "ends_at": "2030-08-11T11:00:00+03:00"})")),
          "chair_id", "prog_error_unknown_speaker");
    check(session_errors(f, obj(R"({"title": "x", "chair_id": "2", "starts_at": "2030-08-11T10:00:00+03:00", "ends_at": "2030-08-11T11:00:00+03:00"})")),
          "chair_id", "prog_error_must_be_id");
    // Before the opening hour on the first day is fine (registration, coffee).
    CHECK(session_errors(f, obj(R"({"title": "Регистрация", "kind": "break", "starts_at": "2030-08-11T08:30:00+03:00", "ends_at": "2030-08-11T09:30:00+03:00"})"))
              .empty());

    check(talk_errors(f, obj(R"({"title": "x"})")), "session_id", "error_required");
    check(talk_errors(f, obj(R"({"title": "x", "session_id": 99})")), "session_id", "prog_error_unknown_session");
    check(talk_errors(f, obj(R"({"title": "x", "session_id": 10, "speaker_ids": [1, 42]})")), "speakers", "prog_error_unknown_speaker");
    check(talk_errors(f, obj(R"({"title": "x", "session_id": 10, "speaker_ids": [1, 1]})")), "speakers", "prog_error_speaker_twice");
    check(talk_errors(f, obj(R"({"title": "x", "session_id": 10, "speaker_ids": ["1"]})")), "speaker_ids", "prog_error_id_list");
    check(talk_errors(f, obj(R"({"title": "x", "session_id": 10, "speakers": [{"id": 1, "role": "singer"}]})")), "speakers",
          "prog_error_unknown_role");
    check(talk_errors(f, obj(R"({"title": "x", "session_id": 10, "speakers": [], "speaker_ids": []})")), "speakers",
          "prog_error_speakers_twice");
    // A malformed entry of "speakers": not an object, no id, a role that is not text, an unknown key.
    for (auto bad : {R"([1])", R"([{"role": "speaker"}])", R"([{"id": 1, "role": 2}])", R"([{"id": 1, "x": 2}])"})
        check(talk_errors(f, obj((std::string(R"({"title": "x", "session_id": 10, "speakers": )") + bad + "}").c_str())), "speakers",
              "prog_error_speaker_list");
    // Both lists and an unknown role: the role is named.
    check(talk_errors(f, obj(R"({"title": "x", "session_id": 10, "speaker_ids": [], "speakers": [{"id": 1, "role": "singer"}]})")),
          "speakers", "prog_error_unknown_role");
    check(talk_errors(f, obj(R"({"title": "x", "session_id": 10, "starts_at": "2030-08-11T09:30:00+03:00"})")), "ends_at",
          "prog_error_both_times");
    auto outside = talk_errors(f, obj(R"({"title": "x", "session_id": 10, "starts_at": "2030-08-11T10:30:00+03:00", "ends_at": "2030-08-11T11:15:00+03:00"})"));
    check(outside, "starts_at", "prog_error_outside_session");
    CHECK(outside.at("starts_at").args == std::vector<std::pair<std::string, std::string>>{{"from", "09:30"}, {"to", "11:00"}});
    check(talk_errors(f, obj(R"({"title": "", "session_id": 10, "position": -1})")), "position", "prog_error_position");
}

TEST_CASE("overlaps are warnings: same room, same session, one speaker in two places", "[programme]") {
    fixture f;
    CHECK(overlaps(f.d).empty());
    auto s3 = f.d.sessions[0];
    s3.id = 12;
    s3.title = "Паралелна";
    s3.room = "Зала 2";  // another room: parallel tracks are normal
    f.d.sessions.push_back(s3);
    CHECK(overlaps(f.d).empty());
    f.d.sessions.back().room = " зала 1 ";  // the same room, typed differently
    auto ws = overlaps(f.d);
    REQUIRE(ws.size() == 1);
    CHECK(ws[0].key == "prog_warn_sessions_room");
    CHECK(ws[0].session_ids == std::vector<std::int64_t>{10, 12});
    CHECK(concerning(ws, 12, 0).size() == 1);
    CHECK(concerning(ws, 11, 0).empty());
    f.d.sessions.pop_back();

    f.d.talks = {timed(1, 10, "2030-08-11T09:30:00+03:00", "2030-08-11T10:00:00+03:00", {{1, "speaker"}}),
                 timed(2, 10, "2030-08-11T09:50:00+03:00", "2030-08-11T10:20:00+03:00"),
                 timed(3, 10, nullptr, nullptr, {{2, "speaker"}}), timed(4, 10, nullptr, nullptr, {{2, "speaker"}})};
    ws = overlaps(f.d);
    REQUIRE(ws.size() == 1);  // untimed talks of one session follow each other
    CHECK(ws[0].key == "prog_warn_talks_overlap");
    CHECK(ws[0].talk_ids == std::vector<std::int64_t>{1, 2});

    // Speaker 1 also in a parallel session in another room at 09:45.
    auto s3b = f.d.sessions[0];
    s3b.id = 12;
    s3b.room = "Зала 2";
    f.d.sessions.push_back(s3b);
    f.d.talks.push_back(timed(5, 12, "2030-08-11T09:45:00+03:00", "2030-08-11T10:15:00+03:00", {{1, "panellist"}}));
    ws = overlaps(f.d);
    REQUIRE(ws.size() == 2);
    CHECK(ws[1].key == "prog_warn_speaker_busy");
    CHECK(ws[1].args[0].second == "д-р Мария Петрова");
    CHECK(concerning(ws, 0, 5).size() == 1);

    // The session shortened after its talks were timed: a warning about the talk left outside.
    f.d.sessions[0].ends_at = at("2030-08-11T10:00:00+03:00");
    ws = overlaps(f.d);
    REQUIRE(ws.size() == 3);
    CHECK(ws[0].key == "prog_warn_talk_outside");
    CHECK(ws[0].talk_ids == std::vector<std::int64_t>{2});
    CHECK(concerning(ws, 10, 0).size() == 3);  // everything that happens in session 10
}

TEST_CASE("talks are placed by time and reordered by index", "[programme]") {
    std::vector<talk> in = {timed(1, 10, "2030-08-11T09:30:00+03:00", "2030-08-11T09:45:00+03:00"),
                            timed(2, 10, "2030-08-11T10:00:00+03:00", "2030-08-11T10:15:00+03:00"),
                            timed(3, 10, nullptr, nullptr)};
    CHECK(placement(in, timed(9, 10, "2030-08-11T09:50:00+03:00", "2030-08-11T09:55:00+03:00")) == 1);
    CHECK(placement(in, timed(9, 10, "2030-08-11T09:00:00+03:00", "2030-08-11T09:10:00+03:00")) == 0);
    CHECK(placement(in, timed(9, 10, nullptr, nullptr)) == 3);
    CHECK(placement({}, timed(9, 10, "2030-08-11T09:00:00+03:00", "2030-08-11T09:10:00+03:00")) == 0);
    CHECK(reorder(in, 3, 0) == std::vector<std::int64_t>{3, 1, 2});
    CHECK(reorder(in, 1, 1) == std::vector<std::int64_t>{2, 1, 3});
    CHECK(reorder(in, 1, -1) == std::vector<std::int64_t>{1, 2, 3});  // clamped
    CHECK(reorder(in, 2, 99) == std::vector<std::int64_t>{1, 3, 2});
    CHECK(reorder(in, 8, 1) == std::vector<std::int64_t>{1, 8, 2, 3});  // moved in from another session
}

TEST_CASE("the programme is stored, nested by day and kept in order", "[programme]") {
    char tmpl[] = "/tmp/sabor-programme-XXXXXX";
    std::filesystem::path dir = mkdtemp(tmpl);
    {
        storage::database db((dir / "t.db").string());
        storage::migrate(db);
        events::event e;
        e.title = "Конференция";
        e.starts_at = at("2030-08-11T09:30:00+03:00");
        e.ends_at = at("2030-08-12T16:00:00+03:00");
        events::repository(db).insert(e, 0);
        repository repo(db);
        speaker sp;
        sp.event_id = e.id;
        sp.name = "Мария Петрова";
        sp.email = "maria@example.bg";
        repo.insert(sp);
        session day2;
        day2.event_id = e.id;
        day2.title = "Втори ден";
        day2.starts_at = at("2030-08-12T09:30:00+03:00");
        day2.ends_at = at("2030-08-12T11:00:00+03:00");
        day2.chair_id = sp.id;
        repo.insert(day2);
        session day1 = day2;
        day1.title = "Първи ден";
        day1.starts_at = at("2030-08-11T09:30:00+03:00");
        day1.ends_at = at("2030-08-11T11:00:00+03:00");
        repo.insert(day1);
        for (int i = 0; i < 3; ++i) {
            talk t;
            t.event_id = e.id;
            t.session_id = day1.id;
            t.title = "Доклад " + std::to_string(i);
            t.position = i;
            t.speakers = {{sp.id, i == 0 ? "moderator" : "speaker"}};
            repo.insert(t);
        }
        auto talks = repo.talks_of_session(day1.id);
        REQUIRE(talks.size() == 3);
        repo.set_order(reorder(talks, talks[2].id, 0));
        auto d = repo.load(e.id);
        auto j = programme_json(e, d, false);
        auto& days = j["days"].as_array();
        REQUIRE(days.size() == 2);
        CHECK(days[0].at("date") == "2030-08-11");
        auto& first = days[0].at("sessions").as_array()[0].as_object();
        CHECK(first.at("title") == "Първи ден");
        auto& ts = first.at("talks").as_array();
        CHECK(ts[0].at("title") == "Доклад 2");
        CHECK(ts[1].at("title") == "Доклад 0");
        CHECK(ts[1].at("speakers").as_array()[0].at("role") == "moderator");
        CHECK(!ts[1].at("speakers").as_array()[0].as_object().contains("email"));  // private
        CHECK(days[1].at("sessions").as_array()[0].at("chair").at("name") == "Мария Петрова");
        CHECK(programme_json(e, d, true)["days"].as_array()[1].at("sessions").as_array()[0].at("chair").at("email") ==
              "maria@example.bg");

        // Deleting a session takes its talks; deleting a speaker clears the chair.
        repo.remove_session(day1.id);
        CHECK(repo.count_talks(e.id) == 0);
        repo.remove_speaker(sp.id);
        CHECK(repo.find_session(day2.id)->chair_id == 0);
    }
    std::filesystem::remove_all(dir);
}

TEST_CASE("speakers' photos are recognised by content", "[programme]") {
    char tmpl[] = "/tmp/sabor-photos-XXXXXX";
    std::filesystem::path dir = mkdtemp(tmpl);
    // The smallest valid PNG: 1x1 pixel.
    const unsigned char png[] = {0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0x00, 0x00, 0x00, 0x0d, 0x49, 0x48, 0x44,
                                 0x52, 0x00, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00, 0x01, 0x08, 0x06, 0x00, 0x00, 0x00, 0x1f,
                                 0x15, 0xc4, 0x89, 0x00, 0x00, 0x00, 0x0d, 0x49, 0x44, 0x41, 0x54, 0x78, 0x9c, 0x63, 0xf8,
                                 0xcf, 0xc0, 0xf0, 0x1f, 0x00, 0x05, 0x00, 0x01, 0xff, 0x89, 0x99, 0x3d, 0x1d, 0x00, 0x00,
                                 0x00, 0x00, 0x49, 0x45, 0x4e, 0x44, 0xae, 0x42, 0x60, 0x82};
    auto ok = save_photo(dir.string(), std::string_view(reinterpret_cast<const char*>(png), sizeof png));
    CHECK(ok.error.empty());
    CHECK(ok.stored.ends_with(".png"));
    CHECK(std::filesystem::file_size(photo_path(dir.string(), ok.stored)) == sizeof png);
    CHECK(photo_content_type(ok.stored) == "image/png");
    CHECK(save_photo(dir.string(), "just text, named photo.png").error == "prog_error_photo_type");
    CHECK(save_photo(dir.string(), "").error == "prog_error_photo_empty");
    CHECK(save_photo(dir.string(), std::string(max_photo_bytes + 1, 'x')).error == "prog_error_photo_too_large");
    remove_photo(dir.string(), ok.stored);
    remove_photo(dir.string(), "../t.db");  // not a name we made: ignored
    CHECK(std::filesystem::is_empty(dir / "photos"));  // nothing left behind by the refusals
    std::filesystem::remove_all(dir);
}

TEST_CASE("the programme calendar has one VEVENT per item", "[programme]") {
    view::calendar_event a, b;
    a.uid = "session-1@example.bg";
    a.title = "Откриване";
    a.starts_at = at("2030-08-11T09:30:00+03:00");
    a.ends_at = at("2030-08-11T10:00:00+03:00");
    b = a;
    b.uid = "talk-1@example.bg";
    b.title = "Приветствие";
    auto text = view::make_ics_calendar({a, b}, "Конференция");
    CHECK(text.find("X-WR-CALNAME:Конференция\r\n") != std::string::npos);
    std::size_t n = 0;
    for (auto p = text.find("BEGIN:VEVENT"); p != std::string::npos; p = text.find("BEGIN:VEVENT", p + 1)) ++n;
    CHECK(n == 2);
    CHECK(text.find("DTSTART:20300811T063000Z") != std::string::npos);
}

TEST_CASE("initials stand in for a missing photo", "[programme]") {
    CHECK(initials("Мария Петрова") == "МП");
    CHECK(initials("  Иван  Колев Иванов") == "ИК");
    CHECK(initials("Ana") == "A");
    CHECK(initials("") == "");
}

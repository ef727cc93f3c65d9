// Shared test fixtures: a migrated SQLite file in a temporary folder, a composer over the
// real mail templates, an organiser's published event.
#pragma once

#include "accounts/repository.hpp"
#include "events/repository.hpp"
#include "mail/composer.hpp"
#include "storage/database.hpp"
#include "storage/migrations.hpp"

#include <cstdlib>
#include <filesystem>
#include <memory>
#include <string>

namespace sabor::test {

// A new empty folder /tmp/sabor-NAME-XXXXXX.
inline std::filesystem::path make_temp_dir(const std::string& name) {
    std::string tmpl = "/tmp/sabor-" + name + "-XXXXXX";
    return mkdtemp(tmpl.data());
}

// A fresh database file /tmp/sabor-NAME-XXXXXX/t.db with every migration; removed at the end.
struct temp_db {
    std::filesystem::path dir;
    std::unique_ptr<storage::database> db;
    explicit temp_db(const std::string& name) {
        dir = make_temp_dir(name);
        db = std::make_unique<storage::database>((dir / "t.db").string());
        storage::migrate(*db);
    }
    ~temp_db() {
        db.reset();
        std::filesystem::remove_all(dir);
    }
    temp_db(const temp_db&) = delete;
    temp_db& operator=(const temp_db&) = delete;
};

// A composer over the project's mail-templates/ sending as FROM.
inline mail::composer make_composer(const std::string& from) {
    return mail::composer({std::filesystem::path(SABOR_SOURCE_DIR) / "mail-templates", from, "https://sabor.example.bg", "Събор"});
}

// Stores E (its id set) as an event of a new organiser org@ruse.bg and publishes it.
inline void insert_published_event(storage::database& db, events::event& e) {
    auto user = accounts::repository(db).create_user("org@ruse.bg", "Организатор", "organiser", "x");
    events::repository(db).insert(e, user);
    events::repository(db).set_status(e.id, events::event_status::published);
    e.status = events::event_status::published;
}

}  // namespace sabor::test

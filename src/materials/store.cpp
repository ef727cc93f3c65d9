#include "materials/store.hpp"

#include "materials/repository.hpp"

#include <sodium.h>

#include <iostream>

namespace sabor::materials {

namespace fs = std::filesystem;

fs::path store_dir(const std::string& data_dir) { return fs::path(data_dir) / "materials"; }
fs::path temp_dir(const std::string& data_dir) { return store_dir(data_dir) / "tmp"; }

int prepare_store(const std::string& data_dir, storage::database& db) {
    fs::create_directories(temp_dir(data_dir));
    int removed = 0;
    std::error_code ec;
    for (const auto& entry : fs::directory_iterator(temp_dir(data_dir))) {
        if (fs::remove(entry.path(), ec)) ++removed;
    }
    repository repo(db);
    for (const auto& entry : fs::directory_iterator(store_dir(data_dir))) {
        if (!entry.is_regular_file()) continue;
        if (repo.stored_name_known(entry.path().filename().string())) continue;
        if (fs::remove(entry.path(), ec)) ++removed;
    }
    if (removed > 0) std::cerr << "materials: removed " << removed << " file(s) left by interrupted uploads or deletes\n";
    return removed;
}

std::vector<std::string> event_files(storage::database& db, std::int64_t event_id) {
    std::vector<std::string> out;
    for (const auto& m : repository(db).list(event_id)) out.push_back(m.stored_name);
    return out;
}

void remove_stored(const std::string& data_dir, const std::vector<std::string>& stored_names) {
    std::error_code ec;
    for (const auto& name : stored_names) fs::remove(store_dir(data_dir) / name, ec);  // a failure is swept at start-up
}

std::string new_stored_name(const std::string& extension) {
    unsigned char raw[16];
    randombytes_buf(raw, sizeof raw);
    char hex[sizeof raw * 2 + 1];
    sodium_bin2hex(hex, sizeof hex, raw, sizeof raw);
    return std::string(hex) + "." + extension;
}

}  // namespace sabor::materials

// Where materials live: <data>/materials/<generated name>, and <data>/materials/tmp/ for
// uploads still arriving. Both on one file system, so moving a finished upload into place
// is one rename(2).
#pragma once
#include "storage/database.hpp"

#include <filesystem>
#include <string>
#include <vector>

namespace sabor::materials {

std::filesystem::path store_dir(const std::string& data_dir);
std::filesystem::path temp_dir(const std::string& data_dir);

// At start-up: creates both folders, deletes what an interrupted upload left in tmp/, and
// files of the store that no row names (a crash between the rename and the commit, a
// delete whose unlink did not happen). Returns how many files it deleted.
int prepare_store(const std::string& data_dir, storage::database& db);

// The stored names of an event's materials: read before the event is deleted (its rows go
// with it, ON DELETE CASCADE), removed with remove_stored once that has committed.
std::vector<std::string> event_files(storage::database& db, std::int64_t event_id);
void remove_stored(const std::string& data_dir, const std::vector<std::string>& stored_names);

// "<32 random hex digits>.<extension>": never the name the uploader gave.
std::string new_stored_name(const std::string& extension);

}  // namespace sabor::materials

// What domains built on events keep for an event (its programme, its materials), handed to
// the events domain by the composition root (cli/compose.cpp): the event's page shows each
// part, the question before a draft is deleted counts it, and the deletion removes its files
// once the commit has happened. So events, which those domains include, never includes them.
#pragma once
#include "events/model.hpp"
#include "storage/database.hpp"

#include <boost/json/object.hpp>

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

namespace sabor::app {
class call;
}

namespace sabor::events {

struct part {
    // Adds the part to the public page's data, which holds "title" and "event".
    std::function<void(app::call&, const event&, boost::json::object& page)> show;
    // One line for the "delete this draft?" question, or nothing when the draft has none of it.
    std::function<std::optional<std::string>(app::call&, const event&)> deletion_note;
    // Called inside the deleting transaction, before the rows go: what removes the part's
    // files (given the data folder) after the commit.
    std::function<std::function<void(const std::string& data_dir)>(storage::database&, std::int64_t event_id)> files;
};

using parts = std::vector<part>;

}  // namespace sabor::events

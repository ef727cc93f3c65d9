// What domains built on registration show on a registrant's personal page (/r/{token}): the
// materials they may download, today. Handed to registration by the composition root
// (cli/compose.cpp), so registration never includes the domains that include it.
#pragma once
#include "events/model.hpp"
#include "registration/model.hpp"

#include <boost/json/object.hpp>

#include <functional>
#include <vector>

namespace sabor::app {
class call;
}

namespace sabor::registration {

struct personal_part {
    // Adds the part to the personal page's data, which holds "event" and "registration".
    std::function<void(app::call&, const events::event&, const registration&, boost::json::object& page)> show;
};

using personal_parts = std::vector<personal_part>;

}  // namespace sabor::registration

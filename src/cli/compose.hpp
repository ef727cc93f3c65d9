// The composition root: the one place that names every domain. The application (app/) is
// the framework and knows none of them; here each domain adds its routes, and the parts
// one domain shows of another (the programme on the event's page, a registrant's materials)
// are handed to it, so no domain includes one built on it.
#pragma once

namespace sabor::app {
class application;
}

namespace sabor::cli {

// Every domain's routes, in the order the route table lists them.
void add_routes(app::application& a);

// One round of what falls due by time: reminders and thank-yous, invitation campaigns, the
// digests of registration requests. Queued mail wakes the worker as its commit happens.
void scheduled_round(app::application& a);

}  // namespace sabor::cli

#include "contacts/routes.hpp"

#include "app/app.hpp"

namespace sabor::contacts {

void register_routes(app::application& a) { (void)a; }

}  // namespace sabor::contacts

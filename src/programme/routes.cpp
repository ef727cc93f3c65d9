#include "programme/routes.hpp"

#include "app/app.hpp"

namespace sabor::programme {

void register_routes(app::application& a) { (void)a; }

}  // namespace sabor::programme

#include "materials/routes.hpp"

#include "app/app.hpp"

namespace sabor::materials {

void register_routes(app::application& a) { (void)a; }

}  // namespace sabor::materials

// A forgotten password: /password/forgot asks for the address and mails a single-use link
// that is valid for an hour (/password/reset/{token}), which sets a new password and ends
// every session of the account. The answer to the request is the same whether an account
// has that address or not, so the form tells nobody who has an account.
#pragma once

namespace sabor::app {
class application;
}

namespace sabor::site {
void register_password_reset_routes(app::application& a);
}  // namespace sabor::site

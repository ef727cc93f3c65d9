// One SMTP connection through libcurl, reused for consecutive messages.
#pragma once
#include <memory>
#include <string>

namespace sabor::mail {

struct smtp_options {
    std::string url;  // smtp://host:port or smtps://host:port
    std::string username;
    std::string password;
    bool require_tls = false;
    long timeout_seconds = 30;
};

struct send_result {
    bool ok = false;
    bool permanent = false;  // a 5xx refusal: retrying will not help
    long code = 0;           // the server's last reply code, 0 when there was none
    std::string error;       // what went wrong, with the server's words when it said any
};

class smtp_client {
public:
    explicit smtp_client(smtp_options o);
    ~smtp_client();
    smtp_client(const smtp_client&) = delete;
    smtp_client& operator=(const smtp_client&) = delete;

    send_result send(const std::string& from, const std::string& to, const std::string& content);
    void disconnect();  // drop the cached connection (after a quiet spell)

private:
    struct impl;
    std::unique_ptr<impl> impl_;
};

void smtp_global_init();  // once, before threads start

}  // namespace sabor::mail

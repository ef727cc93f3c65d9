#include "mail/smtp.hpp"

#include <curl/curl.h>

#include <cstring>
#include <mutex>

namespace sabor::mail {
namespace {

struct upload {
    const std::string* data;
    std::size_t offset = 0;
};

std::size_t read_cb(char* buf, std::size_t size, std::size_t n, void* userp) {
    auto* u = static_cast<upload*>(userp);
    std::size_t room = size * n;
    std::size_t left = u->data->size() - u->offset;
    std::size_t k = left < room ? left : room;
    std::memcpy(buf, u->data->data() + u->offset, k);
    u->offset += k;
    return k;
}

// The server's reply lines, as libcurl's verbose callback sees them, keep the last one.
int debug_cb(CURL*, curl_infotype type, char* data, std::size_t size, void* userp) {
    if (type == CURLINFO_HEADER_IN) {
        auto* last = static_cast<std::string*>(userp);
        last->assign(data, size);
        while (!last->empty() && (last->back() == '\n' || last->back() == '\r')) last->pop_back();
    }
    return 0;
}

}  // namespace

void smtp_global_init() {
    static std::once_flag once;
    std::call_once(once, [] { curl_global_init(CURL_GLOBAL_DEFAULT); });
}

struct smtp_client::impl {
    smtp_options opts;
    CURL* curl = nullptr;
    std::string last_reply;
    char errbuf[CURL_ERROR_SIZE] = {};
};

smtp_client::smtp_client(smtp_options o) : impl_(std::make_unique<impl>()) {
    smtp_global_init();
    impl_->opts = std::move(o);
}

smtp_client::~smtp_client() { disconnect(); }

void smtp_client::disconnect() {
    if (impl_->curl) curl_easy_cleanup(impl_->curl);
    impl_->curl = nullptr;
}

send_result smtp_client::send(const std::string& from, const std::string& to, const std::string& content) {
    auto& s = *impl_;
    // One easy handle lives across messages: libcurl keeps its connection open and reuses it.
    if (!s.curl) {
        s.curl = curl_easy_init();
        if (!s.curl) return {false, false, 0, "libcurl could not start"};
    }
    CURL* c = s.curl;
    upload up{&content};
    std::string mail_from = "<" + from + ">";
    std::string rcpt = "<" + to + ">";
    curl_slist* rcpts = curl_slist_append(nullptr, rcpt.c_str());
    s.errbuf[0] = 0;
    s.last_reply.clear();

    curl_easy_setopt(c, CURLOPT_URL, s.opts.url.c_str());
    curl_easy_setopt(c, CURLOPT_MAIL_FROM, mail_from.c_str());
    curl_easy_setopt(c, CURLOPT_MAIL_RCPT, rcpts);
    curl_easy_setopt(c, CURLOPT_UPLOAD, 1L);
    curl_easy_setopt(c, CURLOPT_READFUNCTION, read_cb);
    curl_easy_setopt(c, CURLOPT_READDATA, &up);
    curl_easy_setopt(c, CURLOPT_INFILESIZE_LARGE, static_cast<curl_off_t>(content.size()));
    curl_easy_setopt(c, CURLOPT_USE_SSL, s.opts.require_tls ? static_cast<long>(CURLUSESSL_ALL) : static_cast<long>(CURLUSESSL_TRY));
    if (!s.opts.username.empty()) {
        curl_easy_setopt(c, CURLOPT_USERNAME, s.opts.username.c_str());
        curl_easy_setopt(c, CURLOPT_PASSWORD, s.opts.password.c_str());
    }
    curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT, s.opts.timeout_seconds);
    curl_easy_setopt(c, CURLOPT_TIMEOUT, s.opts.timeout_seconds);
    curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(c, CURLOPT_ERRORBUFFER, s.errbuf);
    curl_easy_setopt(c, CURLOPT_DEBUGFUNCTION, debug_cb);
    curl_easy_setopt(c, CURLOPT_DEBUGDATA, &s.last_reply);
    curl_easy_setopt(c, CURLOPT_VERBOSE, 1L);  // feeds debug_cb only; nothing is printed

    CURLcode rc = curl_easy_perform(c);
    curl_slist_free_all(rcpts);
    curl_easy_setopt(c, CURLOPT_MAIL_RCPT, nullptr);

    send_result r;
    curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &r.code);
    if (rc == CURLE_OK) {
        r.ok = true;
        return r;
    }
    r.error = s.errbuf[0] ? s.errbuf : curl_easy_strerror(rc);
    if (!s.last_reply.empty() && r.code >= 400) r.error += " (" + s.last_reply + ")";
    // Only a refusal of this message is final. A refused login or missing TLS is the
    // operator's to fix, and the message waits for it.
    r.permanent = r.code >= 500 && r.code < 600 && rc != CURLE_LOGIN_DENIED && rc != CURLE_USE_SSL_FAILED;
    // After a failure the connection may be in any state: start the next message afresh.
    disconnect();
    return r;
}

}  // namespace sabor::mail

// Heroku API requests through libcurl: one easy handle per request, retries on 429/5xx, no secret in any message.
#include "understudy/orchestrator/promotion/heroku_api.hpp"

#include <curl/curl.h>

#include <cstdlib>
#include <memory>
#include <mutex>
#include <thread>

#include "understudy/error.hpp"
#include "understudy/pg/conninfo.hpp"

namespace understudy::orchestrator {
namespace {

// Heroku answers "Retry-After"-less 429s when the per-account rate limit (4500 requests an hour)
// runs out; 5xx comes from a busy control plane. Both are worth a bounded retry; 4xx is final.
bool is_retryable(long status) { return status == 429 || status >= 500; }

std::string env_or(const char* name, const std::string& fallback) {
    const char* value = std::getenv(name);
    return value != nullptr && *value != '\0' ? std::string(value) : fallback;
}

std::string without_trailing_slash(std::string url) {
    while (!url.empty() && url.back() == '/') url.pop_back();
    return url;
}

size_t append_body(char* data, size_t size, size_t count, void* user) {
    static_cast<std::string*>(user)->append(data, size * count);
    return size * count;
}

struct CurlDeleter {
    void operator()(CURL* handle) const { curl_easy_cleanup(handle); }
};
struct HeaderListDeleter {
    void operator()(curl_slist* list) const { curl_slist_free_all(list); }
};

void init_curl_once() {
    static std::once_flag flag;
    std::call_once(flag, [] { curl_global_init(CURL_GLOBAL_DEFAULT); });
}

/// Replaces every occurrence of the key (should the API ever echo it) and masks database URLs.
std::string scrub(std::string text, const std::string& key) {
    if (!key.empty()) {
        for (auto pos = text.find(key); pos != std::string::npos; pos = text.find(key, pos)) {
            text.replace(pos, key.size(), "<redacted>");
        }
    }
    return pg::redact_secrets(text);
}

struct Attempt {
    CURLcode transport = CURLE_OK;
    std::string transport_error;
    HerokuResponse response;
};

}  // namespace

HerokuApiSettings HerokuApiSettings::from_environment() {
    HerokuApiSettings settings;
    settings.platform_url = env_or("HEROKU_API_URL", settings.platform_url);
    settings.data_url = env_or("HEROKU_DATA_API_URL", settings.data_url);
    settings.api_key = env_or("HEROKU_API_KEY", "");
    if (settings.api_key.empty()) {
        throw ConfigError("heroku: HEROKU_API_KEY is not set",
                          "create one with `heroku authorizations:create` and export it as HEROKU_API_KEY");
    }
    return settings;
}

HerokuApi::HerokuApi(HerokuApiSettings settings) : m_settings(std::move(settings)) {
    if (m_settings.api_key.empty()) {
        throw ConfigError("heroku: HEROKU_API_KEY is not set",
                          "create one with `heroku authorizations:create` and export it as HEROKU_API_KEY");
    }
    m_settings.platform_url = without_trailing_slash(m_settings.platform_url);
    m_settings.data_url = without_trailing_slash(m_settings.data_url);
    if (m_settings.max_attempts < 1) m_settings.max_attempts = 1;
    init_curl_once();
}

std::string HerokuApi::path_segment(const std::string& text) {
    static const char k_hex[] = "0123456789ABCDEF";
    std::string out;
    for (unsigned char c : text) {
        bool unreserved = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                          c == '-' || c == '_' || c == '.' || c == '~' || c == ':' || c == '@';
        if (unreserved) {
            out += static_cast<char>(c);
        } else {
            out += '%';
            out += k_hex[c >> 4];
            out += k_hex[c & 0x0F];
        }
    }
    return out;
}

std::string HerokuApi::failure_message(const std::string& method, const std::string& path,
                                       const HerokuResponse& response) const {
    std::string message;
    if (response.body.is_object() && response.body.contains("message") && response.body["message"].is_string()) {
        message = response.body["message"].get<std::string>();
    } else {
        message = "(no message in the response)";
    }
    constexpr size_t k_max_message = 400;
    if (message.size() > k_max_message) message = message.substr(0, k_max_message) + "...";
    return scrub("heroku: " + method + " " + path + " failed: " + std::to_string(response.status) + " " + message,
                 m_settings.api_key);
}

HerokuResponse HerokuApi::send(HerokuHost host, const std::string& method, const std::string& path,
                               const nlohmann::json& body) const {
    const std::string url = (host == HerokuHost::platform ? m_settings.platform_url : m_settings.data_url) + path;
    const std::string payload = body.is_null() ? std::string() : body.dump();

    auto attempt_once = [&]() {
        Attempt attempt;
        std::unique_ptr<CURL, CurlDeleter> handle(curl_easy_init());
        if (!handle) {
            attempt.transport = CURLE_FAILED_INIT;
            attempt.transport_error = "could not initialise libcurl";
            return attempt;
        }
        std::unique_ptr<curl_slist, HeaderListDeleter> headers;
        auto add_header = [&](const std::string& line) {
            headers.reset(curl_slist_append(headers.release(), line.c_str()));
        };
        add_header("Accept: application/vnd.heroku+json; version=3");
        add_header("Authorization: Bearer " + m_settings.api_key);
        add_header("User-Agent: understudy");
        add_header("Expect:");  // no 100-continue round trip for our small bodies
        if (!payload.empty()) add_header("Content-Type: application/json");

        std::string received;
        char error_buffer[CURL_ERROR_SIZE] = {};
        CURL* curl = handle.get();
        curl_easy_setopt(curl, CURLOPT_URL, url.c_str());
        curl_easy_setopt(curl, CURLOPT_CUSTOMREQUEST, method.c_str());
        curl_easy_setopt(curl, CURLOPT_HTTPHEADER, headers.get());
        curl_easy_setopt(curl, CURLOPT_WRITEFUNCTION, append_body);
        curl_easy_setopt(curl, CURLOPT_WRITEDATA, &received);
        curl_easy_setopt(curl, CURLOPT_ERRORBUFFER, error_buffer);
        curl_easy_setopt(curl, CURLOPT_NOSIGNAL, 1L);
        curl_easy_setopt(curl, CURLOPT_TIMEOUT, static_cast<long>(m_settings.request_timeout.count()));
        // Never follow redirects: libcurl would resend the Authorization header to wherever it points.
        curl_easy_setopt(curl, CURLOPT_FOLLOWLOCATION, 0L);
        if (!payload.empty()) {
            curl_easy_setopt(curl, CURLOPT_POSTFIELDS, payload.c_str());
            curl_easy_setopt(curl, CURLOPT_POSTFIELDSIZE, static_cast<long>(payload.size()));
        }
        attempt.transport = curl_easy_perform(curl);
        if (attempt.transport != CURLE_OK) {
            attempt.transport_error = error_buffer[0] != '\0' ? error_buffer : curl_easy_strerror(attempt.transport);
            return attempt;
        }
        curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, &attempt.response.status);
        attempt.response.body = nlohmann::json::parse(received, nullptr, /*allow_exceptions=*/false);
        if (attempt.response.body.is_discarded()) attempt.response.body = nullptr;
        return attempt;
    };

    auto backoff = m_settings.first_backoff;
    for (int attempt_idx = 1;; ++attempt_idx) {
        Attempt attempt = attempt_once();
        bool retryable = attempt.transport != CURLE_OK || is_retryable(attempt.response.status);
        if (!retryable) return attempt.response;
        if (attempt_idx >= m_settings.max_attempts) {
            if (attempt.transport != CURLE_OK) {
                throw Error(ExitCode::target,
                            scrub("heroku: " + method + " " + path + " failed: " + attempt.transport_error,
                                  m_settings.api_key),
                            "check the network, HEROKU_API_URL and HEROKU_DATA_API_URL");
            }
            return attempt.response;
        }
        std::this_thread::sleep_for(backoff);
        backoff *= 2;
    }
}

nlohmann::json HerokuApi::call(HerokuHost host, const std::string& method, const std::string& path,
                               const nlohmann::json& body) const {
    HerokuResponse response = send(host, method, path, body);
    if (response.status < 200 || response.status >= 300) {
        throw Error(ExitCode::target, failure_message(method, path, response));
    }
    return response.body;
}

}  // namespace understudy::orchestrator

// A small client for Heroku's Platform API and Postgres (Data) API over libcurl, key kept out of every message.
#pragma once

#include <chrono>
#include <string>

#include <nlohmann/json.hpp>

namespace understudy::orchestrator {

/// Which of Heroku's two API hosts a request goes to.
enum class HerokuHost { platform, data };

/// Where the APIs are and how to authenticate and retry.
struct HerokuApiSettings {
    std::string platform_url = "https://api.heroku.com";    ///< HEROKU_API_URL
    std::string data_url = "https://api.data.heroku.com";   ///< HEROKU_DATA_API_URL
    std::string api_key;                                     ///< HEROKU_API_KEY: never printed
    int max_attempts = 5;                                    ///< tries per request on 429 and 5xx
    std::chrono::milliseconds first_backoff{1000};           ///< doubled after each retry
    std::chrono::seconds request_timeout{60};                ///< per attempt

    /// Reads HEROKU_API_URL, HEROKU_DATA_API_URL and HEROKU_API_KEY; throws Error(config) when
    /// the key is missing or empty.
    static HerokuApiSettings from_environment();
};

/// The status and parsed JSON body (null when empty or not JSON) of one answered request.
struct HerokuResponse {
    long status = 0;
    nlohmann::json body;
};

/// Sends JSON requests to Heroku. Errors read `heroku: POST /apps/x/addons failed: 422 <message>`:
/// method, path, status and the API's own "message", never the key or a request body.
class HerokuApi {
public:
    /// Throws Error(config) when `settings.api_key` is empty.
    explicit HerokuApi(HerokuApiSettings settings);

    /// Sends one request (retried on 429, 5xx and transport errors, with bounded backoff) and
    /// returns the answer whatever its status, so callers can treat 404 as a state.
    HerokuResponse send(HerokuHost host, const std::string& method, const std::string& path,
                        const nlohmann::json& body = nullptr) const;

    /// Sends and returns the body of a 2xx answer; any other status throws Error(target).
    nlohmann::json call(HerokuHost host, const std::string& method, const std::string& path,
                        const nlohmann::json& body = nullptr) const;

    /// The error `call` throws for `response` (for callers that first inspect a status).
    std::string failure_message(const std::string& method, const std::string& path,
                                const HerokuResponse& response) const;

    /// Percent-encodes one path segment (an app or add-on name).
    static std::string path_segment(const std::string& text);

private:
    HerokuApiSettings m_settings;
};

}  // namespace understudy::orchestrator

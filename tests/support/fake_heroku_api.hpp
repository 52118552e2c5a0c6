// A local stand-in for Heroku's Platform and Data APIs: the endpoints the heroku backend uses, with state and a call log.
#pragma once

#include <atomic>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include <nlohmann/json.hpp>

namespace understudy::testing {

/// An HTTP/1.1 server on 127.0.0.1 (a port the kernel picks) that serves both API hosts from
/// one thread, keeps apps, add-ons, attachments and config vars, and records "METHOD path".
class FakeHerokuApi {
public:
    /// Starts listening; throws std::runtime_error when no socket can be bound.
    FakeHerokuApi();
    /// Stops the server thread.
    ~FakeHerokuApi();
    FakeHerokuApi(const FakeHerokuApi&) = delete;
    FakeHerokuApi& operator=(const FakeHerokuApi&) = delete;

    /// "http://127.0.0.1:<port>", for both HEROKU_API_URL and HEROKU_DATA_API_URL.
    std::string base_url() const;

    /// What gives add-ons real databases: `create` makes one for a new add-on (named like the add-on)
    /// and returns its URL, which the fake then serves as the <ATTACHMENT>_URL config vars of every
    /// attachment of the add-on; `destroy` drops it when the add-on is destroyed. Without a provider
    /// add-ons get unreachable URLs on example.com. Both run on the server thread, under its lock.
    struct DatabaseProvider {
        std::function<std::string(const std::string& addon_name)> create;
        std::function<void(const std::string& addon_name)> destroy;
    };
    /// Set before the first add-on is created: add-ons made earlier keep their example.com URLs.
    void set_database_provider(DatabaseProvider provider);

    /// Creates an app.
    void add_app(const std::string& app);
    /// Creates an available add-on billed to `app`, attached to it as `attachment`; returns its id.
    std::string add_database(const std::string& app, const std::string& addon_name, const std::string& attachment);
    /// Attaches an existing add-on to `app` as `name` (no checks).
    void attach(const std::string& app, const std::string& addon_id, const std::string& name);

    /// Every request so far as "METHOD path", in order.
    std::vector<std::string> calls() const;
    /// Forgets the recorded calls.
    void clear_calls();
    /// Every Authorization header received, in order.
    std::vector<std::string> authorizations() const;

    /// Attachment name -> add-on name on `app`, sorted by attachment name.
    std::map<std::string, std::string> attachments_of(const std::string& app) const;
    /// Names of add-ons that still exist.
    std::vector<std::string> addon_names() const;
    /// The config vars of `app`.
    std::map<std::string, std::string> config_vars(const std::string& app) const;

    /// wait_status answers 404 this many times per new add-on before "waiting?": false.
    void set_provisioning_polls(int polls);
    /// The next POST /apps/{app}/addons answers `status` with this message.
    void fail_next_create(int status, const std::string& message);
    /// wait_status of new add-ons answers "error?": true.
    void set_provisioning_fails(bool fails);
    /// The next `count` requests answer 503 before being handled.
    void fail_next_requests(int count);
    /// The app has a release phase: attaching DATABASE answers with a release that is "pending"
    /// once, then `final_status` ("succeeded" or "failed").
    void set_release_phase(const std::string& final_status);

private:
    struct Addon {
        std::string id;
        std::string name;
        std::string app;
        std::string url;  // from the database provider; empty: an example.com URL
        int polls_left = 0;
        bool failed = false;
    };
    struct Attachment {
        std::string id;
        std::string name;
        std::string app;
        std::string addon_id;
    };
    struct Reply {
        int status;
        nlohmann::json body;
    };

    void serve();
    void handle_connection(int fd);
    Reply handle(const std::string& method, const std::string& path, const nlohmann::json& body);
    Reply create_addon(const std::string& app, const nlohmann::json& body);
    Reply create_attachment(const nlohmann::json& body);
    std::map<std::string, std::string> config_vars_locked(const std::string& app) const;
    nlohmann::json attachment_json(const Attachment& attachment) const;
    const Addon* find_addon(const std::string& id_or_name) const;
    void set_attachment(const std::string& app, const std::string& addon_id, const std::string& name);
    void remove_attachment(const std::string& id);
    std::string next_id(const char* prefix);
    std::string provide_database(const std::string& addon_name);

    int m_listen_fd = -1;
    int m_port = 0;
    std::atomic<bool> m_stop{false};
    std::thread m_thread;

    mutable std::mutex m_mutex;
    std::vector<std::string> m_apps;
    std::vector<Addon> m_addons;
    std::vector<Attachment> m_attachments;
    std::vector<std::string> m_calls;
    std::vector<std::string> m_authorizations;
    int m_counter = 0;
    int m_provisioning_polls = 1;
    bool m_provisioning_fails = false;
    int m_fail_requests = 0;
    int m_fail_create_status = 0;
    std::string m_fail_create_message;
    std::string m_release_final_status;
    std::map<std::string, int> m_release_polls_left;
    DatabaseProvider m_provider;
};

}  // namespace understudy::testing

// The fake Heroku API: a one-request-per-connection HTTP/1.1 server and the state behind each endpoint.
#include "fake_heroku_api.hpp"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#include <algorithm>
#include <stdexcept>

namespace understudy::testing {
namespace {

std::vector<std::string> split_path(const std::string& path) {
    std::vector<std::string> parts;
    size_t start = 1;
    while (start <= path.size()) {
        size_t end = path.find('/', start);
        if (end == std::string::npos) end = path.size();
        parts.push_back(path.substr(start, end - start));
        start = end + 1;
    }
    return parts;
}

std::string database_url(const std::string& addon_name) {
    return "postgres://u_" + addon_name + ":secret-" + addon_name + "@db-" + addon_name +
           ".example.com:5432/d_" + addon_name;
}

std::string reason(int status) {
    switch (status) {
        case 200: return "OK";
        case 201: return "Created";
        case 401: return "Unauthorized";
        case 404: return "Not Found";
        case 422: return "Unprocessable Entity";
        case 503: return "Service Unavailable";
        default: return "Status";
    }
}

/// A name given as "x", {"name": "x"} or {"id": "x"}.
std::string name_of(const nlohmann::json& value) {
    if (value.is_string()) return value.get<std::string>();
    if (value.is_object() && value.contains("name") && value["name"].is_string()) return value["name"].get<std::string>();
    if (value.is_object() && value.contains("id") && value["id"].is_string()) return value["id"].get<std::string>();
    return {};
}

nlohmann::json error_body(const std::string& id, const std::string& message) {
    return {{"id", id}, {"message", message}};
}

}  // namespace

FakeHerokuApi::FakeHerokuApi() {
    m_listen_fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (m_listen_fd < 0) throw std::runtime_error("fake heroku: socket failed");
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    address.sin_port = 0;  // the kernel picks a free port: no clash with parallel tests
    if (::bind(m_listen_fd, reinterpret_cast<sockaddr*>(&address), sizeof address) != 0 ||
        ::listen(m_listen_fd, 16) != 0) {
        ::close(m_listen_fd);
        throw std::runtime_error("fake heroku: bind or listen failed");
    }
    socklen_t length = sizeof address;
    ::getsockname(m_listen_fd, reinterpret_cast<sockaddr*>(&address), &length);
    m_port = ntohs(address.sin_port);
    m_thread = std::thread([this] { serve(); });
}

FakeHerokuApi::~FakeHerokuApi() {
    m_stop = true;
    if (m_thread.joinable()) m_thread.join();
    ::close(m_listen_fd);
}

std::string FakeHerokuApi::base_url() const { return "http://127.0.0.1:" + std::to_string(m_port); }

void FakeHerokuApi::serve() {
    while (!m_stop) {
        pollfd waiting{m_listen_fd, POLLIN, 0};
        if (::poll(&waiting, 1, 20) <= 0) continue;  // the timeout only bounds how long stopping takes
        int fd = ::accept4(m_listen_fd, nullptr, nullptr, SOCK_CLOEXEC);
        if (fd < 0) continue;
        timeval timeout{5, 0};
        ::setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, sizeof timeout);
        handle_connection(fd);
        ::close(fd);
    }
}

void FakeHerokuApi::handle_connection(int fd) {
    std::string data;
    char buffer[4096];
    size_t header_end = std::string::npos;
    while (header_end == std::string::npos) {
        ssize_t got = ::recv(fd, buffer, sizeof buffer, 0);
        if (got <= 0) return;
        data.append(buffer, static_cast<size_t>(got));
        header_end = data.find("\r\n\r\n");
    }
    std::string head = data.substr(0, header_end);
    std::string body_text = data.substr(header_end + 4);

    size_t line_end = head.find("\r\n");
    std::string request_line = head.substr(0, line_end);
    size_t first_space = request_line.find(' ');
    size_t second_space = request_line.find(' ', first_space + 1);
    std::string method = request_line.substr(0, first_space);
    std::string path = request_line.substr(first_space + 1, second_space - first_space - 1);
    path = path.substr(0, path.find('?'));

    size_t content_length = 0;
    std::string authorization;
    size_t position = line_end == std::string::npos ? head.size() : line_end + 2;
    while (position < head.size()) {
        size_t end = head.find("\r\n", position);
        if (end == std::string::npos) end = head.size();
        std::string line = head.substr(position, end - position);
        position = end + 2;
        size_t colon = line.find(':');
        if (colon == std::string::npos) continue;
        std::string name = line.substr(0, colon);
        std::transform(name.begin(), name.end(), name.begin(), [](unsigned char c) { return std::tolower(c); });
        std::string value = line.substr(colon + 1);
        value.erase(0, value.find_first_not_of(' '));
        if (name == "content-length") content_length = std::stoul(value);
        if (name == "authorization") authorization = value;
    }
    while (body_text.size() < content_length) {
        ssize_t got = ::recv(fd, buffer, sizeof buffer, 0);
        if (got <= 0) return;
        body_text.append(buffer, static_cast<size_t>(got));
    }

    Reply reply{500, nullptr};
    {
        std::lock_guard<std::mutex> lock(m_mutex);
        m_calls.push_back(method + " " + path);
        m_authorizations.push_back(authorization);
        if (m_fail_requests > 0) {
            --m_fail_requests;
            reply = {503, error_body("unavailable", "service temporarily unavailable")};
        } else if (authorization.rfind("Bearer ", 0) != 0 || authorization.size() <= 7) {
            reply = {401, error_body("unauthorized", "Invalid credentials provided.")};
        } else {
            nlohmann::json body = nlohmann::json::parse(body_text, nullptr, false);
            if (body.is_discarded()) body = nullptr;
            reply = handle(method, path, body);
        }
    }
    std::string payload = reply.body.is_null() ? std::string() : reply.body.dump();
    std::string response = "HTTP/1.1 " + std::to_string(reply.status) + " " + reason(reply.status) +
                           "\r\nContent-Type: application/json\r\nContent-Length: " + std::to_string(payload.size()) +
                           "\r\nConnection: close\r\n\r\n" + payload;
    size_t sent = 0;
    while (sent < response.size()) {
        ssize_t wrote = ::send(fd, response.data() + sent, response.size() - sent, MSG_NOSIGNAL);
        if (wrote <= 0) return;
        sent += static_cast<size_t>(wrote);
    }
}

FakeHerokuApi::Reply FakeHerokuApi::handle(const std::string& method, const std::string& path,
                                           const nlohmann::json& body) {
    std::vector<std::string> parts = split_path(path);
    auto app_exists = [&](const std::string& app) {
        return std::find(m_apps.begin(), m_apps.end(), app) != m_apps.end();
    };
    // GET /apps/{app}/addon-attachments, /apps/{app}/config-vars; POST /apps/{app}/addons;
    // DELETE /apps/{app}/addons/{id}; GET /apps/{app}/releases/{id}
    if (parts.size() >= 3 && parts[0] == "apps") {
        const std::string& app = parts[1];
        if (!app_exists(app)) return {404, error_body("not_found", "Couldn't find that app.")};
        if (method == "GET" && parts.size() == 3 && parts[2] == "addon-attachments") {
            nlohmann::json list = nlohmann::json::array();
            for (const auto& attachment : m_attachments) {
                if (attachment.app == app) list.push_back(attachment_json(attachment));
            }
            return {200, list};
        }
        if (method == "GET" && parts.size() == 3 && parts[2] == "config-vars") {
            nlohmann::json vars = nlohmann::json::object();
            for (const auto& [name, value] : config_vars_locked(app)) vars[name] = value;
            return {200, vars};
        }
        if (method == "POST" && parts.size() == 3 && parts[2] == "addons") return create_addon(app, body);
        if (method == "GET" && parts.size() == 4 && parts[2] == "releases") {
            auto release = m_release_polls_left.find(parts[3]);
            if (release == m_release_polls_left.end()) return {404, error_body("not_found", "Couldn't find that release.")};
            if (release->second > 0) {
                --release->second;
                return {200, {{"id", parts[3]}, {"status", "pending"}}};
            }
            return {200, {{"id", parts[3]}, {"status", m_release_final_status}}};
        }
        if (method == "DELETE" && parts.size() == 4 && parts[2] == "addons") {
            auto addon = std::find_if(m_addons.begin(), m_addons.end(),
                                      [&](const Addon& candidate) { return candidate.id == parts[3]; });
            if (addon == m_addons.end() || addon->app != app) {
                return {404, error_body("not_found", "Couldn't find that add-on.")};
            }
            nlohmann::json answer = {{"id", addon->id}, {"name", addon->name}};
            if (!addon->url.empty() && m_provider.destroy) m_provider.destroy(addon->name);
            m_attachments.erase(std::remove_if(m_attachments.begin(), m_attachments.end(),
                                               [&](const Attachment& attachment) {
                                                   return attachment.addon_id == addon->id;
                                               }),
                                m_attachments.end());
            m_addons.erase(addon);
            return {200, answer};
        }
    }
    // POST /addon-attachments; DELETE /addon-attachments/{id}
    if (parts.size() == 1 && parts[0] == "addon-attachments" && method == "POST") return create_attachment(body);
    if (parts.size() == 2 && parts[0] == "addon-attachments" && method == "DELETE") {
        auto attachment = std::find_if(m_attachments.begin(), m_attachments.end(),
                                       [&](const Attachment& candidate) { return candidate.id == parts[1]; });
        if (attachment == m_attachments.end()) {
            return {404, error_body("not_found", "Couldn't find that add-on attachment.")};
        }
        nlohmann::json answer = attachment_json(*attachment);
        m_attachments.erase(attachment);
        return {200, answer};
    }
    // GET /client/v11/databases/{id}/wait_status; POST /client/v11/databases/{id}/connection-pooling
    if (parts.size() == 5 && parts[0] == "client" && parts[1] == "v11" && parts[2] == "databases") {
        auto addon = std::find_if(m_addons.begin(), m_addons.end(),
                                  [&](const Addon& candidate) { return candidate.id == parts[3]; });
        if (addon == m_addons.end()) return {404, error_body("not_found", "database not found")};
        if (method == "GET" && parts[4] == "wait_status") {
            if (addon->polls_left > 0) {
                --addon->polls_left;
                return {404, error_body("not_found", "database not found")};
            }
            if (addon->failed) {
                return {200, {{"waiting?", false}, {"error?", true}, {"message", "Provisioning failed"}}};
            }
            return {200, {{"waiting?", false}, {"error?", false}, {"message", "Available"}}};
        }
        if (method == "POST" && parts[4] == "connection-pooling") {
            std::string app = body.is_object() ? name_of(body.value("app", nlohmann::json())) : std::string();
            set_attachment(app, addon->id, body.is_object() ? name_of(body.value("name", nlohmann::json())) : "");
            return {200, {{"name", "DATABASE_CONNECTION_POOL"}}};
        }
    }
    return {404, error_body("not_found", "no such endpoint in the fake: " + method + " " + path)};
}

FakeHerokuApi::Reply FakeHerokuApi::create_addon(const std::string& app, const nlohmann::json& body) {
    if (m_fail_create_status != 0) {
        int status = m_fail_create_status;
        m_fail_create_status = 0;
        return {status, error_body("invalid_params", m_fail_create_message)};
    }
    std::string plan = body.is_object() ? name_of(body.value("plan", nlohmann::json())) : std::string();
    if (plan.rfind("heroku-postgresql:", 0) != 0) return {422, error_body("invalid_params", "Couldn't find that plan.")};
    std::string attachment_name;
    if (body.is_object() && body.contains("attachment")) attachment_name = name_of(body["attachment"]);
    for (const auto& attachment : m_attachments) {
        if (attachment.app == app && attachment.name == attachment_name) {
            return {422, error_body("invalid_params", "Name is already taken")};
        }
    }
    Addon addon;
    addon.id = next_id("addon");
    addon.name = "postgresql-fake-" + std::to_string(m_counter);
    addon.app = app;
    addon.polls_left = m_provisioning_polls;
    addon.failed = m_provisioning_fails;
    addon.url = provide_database(addon.name);
    m_addons.push_back(addon);
    if (attachment_name.empty()) attachment_name = "HEROKU_POSTGRESQL_" + std::to_string(m_counter);
    set_attachment(app, addon.id, attachment_name);
    return {201, {{"id", addon.id}, {"name", addon.name}, {"app", {{"name", app}}},
                  {"plan", {{"name", plan}}}, {"state", "creating"}}};
}

FakeHerokuApi::Reply FakeHerokuApi::create_attachment(const nlohmann::json& body) {
    if (!body.is_object()) return {422, error_body("invalid_params", "Invalid JSON")};
    const Addon* addon = find_addon(name_of(body.value("addon", nlohmann::json())));
    std::string app = name_of(body.value("app", nlohmann::json()));
    std::string name = name_of(body.value("name", nlohmann::json()));
    std::string confirm = name_of(body.value("confirm", nlohmann::json()));
    if (addon == nullptr) return {404, error_body("not_found", "Couldn't find that add-on.")};
    if (std::find(m_apps.begin(), m_apps.end(), app) == m_apps.end()) {
        return {404, error_body("not_found", "Couldn't find that app.")};
    }
    for (const auto& attachment : m_attachments) {
        if (attachment.app == app && attachment.name == name && confirm != app) {
            return {422, error_body("confirmation_required", "Attachment " + name + " already exists; confirm to replace")};
        }
    }
    set_attachment(app, addon->id, name);
    for (const auto& attachment : m_attachments) {
        if (attachment.app != app || attachment.name != name) continue;
        nlohmann::json answer = attachment_json(attachment);
        if (name == "DATABASE" && !m_release_final_status.empty()) {
            // Changing DATABASE_URL makes a release; with a release phase it runs before the app restarts.
            std::string release_id = next_id("release");
            m_release_polls_left[release_id] = 1;
            answer["release"] = {{"id", release_id}, {"version", m_counter}};
        }
        return {201, answer};
    }
    return {500, error_body("internal", "attachment vanished")};
}

nlohmann::json FakeHerokuApi::attachment_json(const Attachment& attachment) const {
    const Addon* addon = find_addon(attachment.addon_id);
    return {{"id", attachment.id},
            {"name", attachment.name},
            {"app", {{"name", attachment.app}}},
            {"addon", {{"id", attachment.addon_id},
                       {"name", addon != nullptr ? addon->name : ""},
                       {"app", {{"name", addon != nullptr ? addon->app : ""}}}}}};
}

const FakeHerokuApi::Addon* FakeHerokuApi::find_addon(const std::string& id_or_name) const {
    for (const auto& addon : m_addons) {
        if (addon.id == id_or_name || addon.name == id_or_name) return &addon;
    }
    return nullptr;
}

void FakeHerokuApi::set_attachment(const std::string& app, const std::string& addon_id, const std::string& name) {
    // Like the real API with confirm: an attachment of the same name on the app is replaced.
    m_attachments.erase(std::remove_if(m_attachments.begin(), m_attachments.end(),
                                       [&](const Attachment& attachment) {
                                           return attachment.app == app && attachment.name == name;
                                       }),
                        m_attachments.end());
    m_attachments.push_back({next_id("attachment"), name, app, addon_id});
}

std::string FakeHerokuApi::provide_database(const std::string& addon_name) {
    return m_provider.create ? m_provider.create(addon_name) : std::string();
}

std::string FakeHerokuApi::next_id(const char* prefix) {
    ++m_counter;
    return std::string(prefix) + "-" + std::to_string(m_counter);
}

void FakeHerokuApi::set_database_provider(DatabaseProvider provider) {
    std::lock_guard<std::mutex> lock(m_mutex);
    m_provider = std::move(provider);
}

void FakeHerokuApi::add_app(const std::string& app) {
    std::lock_guard<std::mutex> lock(m_mutex);
    m_apps.push_back(app);
}

std::string FakeHerokuApi::add_database(const std::string& app, const std::string& addon_name,
                                        const std::string& attachment) {
    std::lock_guard<std::mutex> lock(m_mutex);
    Addon addon;
    addon.id = next_id("addon");
    addon.name = addon_name;
    addon.app = app;
    addon.url = provide_database(addon.name);
    m_addons.push_back(addon);
    set_attachment(app, addon.id, attachment);
    return addon.id;
}

void FakeHerokuApi::attach(const std::string& app, const std::string& addon_id, const std::string& name) {
    std::lock_guard<std::mutex> lock(m_mutex);
    set_attachment(app, addon_id, name);
}

std::vector<std::string> FakeHerokuApi::calls() const {
    std::lock_guard<std::mutex> lock(m_mutex);
    return m_calls;
}

void FakeHerokuApi::clear_calls() {
    std::lock_guard<std::mutex> lock(m_mutex);
    m_calls.clear();
}

std::vector<std::string> FakeHerokuApi::authorizations() const {
    std::lock_guard<std::mutex> lock(m_mutex);
    return m_authorizations;
}

std::map<std::string, std::string> FakeHerokuApi::attachments_of(const std::string& app) const {
    std::lock_guard<std::mutex> lock(m_mutex);
    std::map<std::string, std::string> result;
    for (const auto& attachment : m_attachments) {
        if (attachment.app != app) continue;
        const Addon* addon = find_addon(attachment.addon_id);
        result[attachment.name] = addon != nullptr ? addon->name : "";
    }
    return result;
}

std::vector<std::string> FakeHerokuApi::addon_names() const {
    std::lock_guard<std::mutex> lock(m_mutex);
    std::vector<std::string> names;
    for (const auto& addon : m_addons) names.push_back(addon.name);
    std::sort(names.begin(), names.end());
    return names;
}

std::map<std::string, std::string> FakeHerokuApi::config_vars(const std::string& app) const {
    std::lock_guard<std::mutex> lock(m_mutex);
    return config_vars_locked(app);
}

std::map<std::string, std::string> FakeHerokuApi::config_vars_locked(const std::string& app) const {
    // Config vars follow the attachments: <NAME>_URL for each attachment on the app.
    std::map<std::string, std::string> vars;
    for (const auto& attachment : m_attachments) {
        if (attachment.app != app) continue;
        const Addon* addon = find_addon(attachment.addon_id);
        if (addon != nullptr) vars[attachment.name + "_URL"] = addon->url.empty() ? database_url(addon->name) : addon->url;
    }
    return vars;
}

void FakeHerokuApi::set_provisioning_polls(int polls) {
    std::lock_guard<std::mutex> lock(m_mutex);
    m_provisioning_polls = polls;
}

void FakeHerokuApi::fail_next_create(int status, const std::string& message) {
    std::lock_guard<std::mutex> lock(m_mutex);
    m_fail_create_status = status;
    m_fail_create_message = message;
}

void FakeHerokuApi::set_provisioning_fails(bool fails) {
    std::lock_guard<std::mutex> lock(m_mutex);
    m_provisioning_fails = fails;
}

void FakeHerokuApi::fail_next_requests(int count) {
    std::lock_guard<std::mutex> lock(m_mutex);
    m_fail_requests = count;
}

void FakeHerokuApi::set_release_phase(const std::string& final_status) {
    std::lock_guard<std::mutex> lock(m_mutex);
    m_release_final_status = final_status;
}

}  // namespace understudy::testing

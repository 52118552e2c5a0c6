// Heroku promotion: create/reuse UNDERSTUDY_NEW, wait, promote in `heroku pg:promote`'s order, keep and drop previous add-ons.
#include "understudy/orchestrator/promotion/heroku_backend.hpp"

#include <algorithm>
#include <optional>
#include <set>
#include <thread>

#include "understudy/error.hpp"
#include "understudy/test_pause.hpp"

namespace understudy::orchestrator {
namespace {

constexpr const char* k_pool_attachment = "DATABASE_CONNECTION_POOL";

/// One row of `GET /apps/{app}/addon-attachments`.
struct Attachment {
    std::string id;
    std::string name;
    std::string addon_id;
    std::string addon_name;
    std::string addon_app;  // the app the add-on is billed to (another app for a shared follower)
};

std::string string_at(const nlohmann::json& object, const char* key) {
    if (object.is_object() && object.contains(key) && object[key].is_string()) return object[key].get<std::string>();
    return {};
}

std::string in_quotes(const std::string& text) { return "\"" + text + "\""; }

/// 1 for UNDERSTUDY_PREVIOUS, n for UNDERSTUDY_PREVIOUS_n (n >= 2), 0 for any other name.
int previous_rank(const std::string& name) {
    const std::string base = k_heroku_previous_attachment;
    if (name == base) return 1;
    if (name.rfind(base + "_", 0) != 0) return 0;
    std::string digits = name.substr(base.size() + 1);
    if (digits.empty() || digits.size() > 6 || !std::all_of(digits.begin(), digits.end(), [](char c) { return c >= '0' && c <= '9'; })) return 0;
    int rank = std::stoi(digits);
    return rank >= 2 ? rank : 0;
}

std::string previous_name(int rank) {
    return rank == 1 ? std::string(k_heroku_previous_attachment)
                     : std::string(k_heroku_previous_attachment) + "_" + std::to_string(rank);
}

/// Heroku Postgres gives every database a HEROKU_POSTGRESQL_<COLOR> attachment of its own; such a
/// name alone does not mean someone else uses the add-on.
bool is_understudy_or_default_name(const std::string& name) {
    return name.rfind("UNDERSTUDY_", 0) == 0 || name.rfind("HEROKU_POSTGRESQL_", 0) == 0;
}

const Attachment* find_by_name(const std::vector<Attachment>& attachments, const std::string& name) {
    for (const auto& attachment : attachments) {
        if (attachment.name == name) return &attachment;
    }
    return nullptr;
}

/// The API calls the backend makes, one function per call, so each is written out once.
class HerokuCalls {
public:
    HerokuCalls(const HerokuSettings& settings, const HerokuApi& api) : m_settings(settings), m_api(api) {}

    std::string app_path() const { return "/apps/" + HerokuApi::path_segment(m_settings.app); }

    // GET /apps/{app}/addon-attachments
    std::vector<Attachment> attachments() const {
        nlohmann::json body = m_api.call(HerokuHost::platform, "GET", app_path() + "/addon-attachments");
        std::vector<Attachment> result;
        if (!body.is_array()) return result;
        for (const auto& row : body) {
            Attachment attachment;
            attachment.id = string_at(row, "id");
            attachment.name = string_at(row, "name");
            if (row.contains("addon")) {
                attachment.addon_id = string_at(row["addon"], "id");
                attachment.addon_name = string_at(row["addon"], "name");
                if (row["addon"].contains("app")) attachment.addon_app = string_at(row["addon"]["app"], "name");
            }
            result.push_back(std::move(attachment));
        }
        return result;
    }

    // POST /addon-attachments {"addon": ..., "app": ..., "confirm": app, "name": name}
    // With confirm, an existing attachment of that name on the app is replaced instead of refused.
    nlohmann::json attach(const nlohmann::json& addon, const nlohmann::json& app, const std::string& name,
                          bool with_namespace) const {
        nlohmann::json request = {{"addon", addon}, {"app", app}, {"confirm", m_settings.app}, {"name", name}};
        if (with_namespace) request["namespace"] = nullptr;
        return m_api.call(HerokuHost::platform, "POST", "/addon-attachments", request);
    }

    // DELETE /addon-attachments/{id}
    void detach(const std::string& attachment_id) const {
        m_api.call(HerokuHost::platform, "DELETE", "/addon-attachments/" + HerokuApi::path_segment(attachment_id));
    }

    // GET /client/v11/databases/{addon_id}/wait_status until "waiting?" is false. 404 means the
    // Data API does not know the database yet (still provisioning); "error?" true means it failed.
    void wait_until_available(const std::string& addon_id, const std::string& addon_name) const {
        const std::string path = "/client/v11/databases/" + HerokuApi::path_segment(addon_id) + "/wait_status";
        const auto deadline = std::chrono::steady_clock::now() + m_settings.wait_timeout;
        for (;;) {
            HerokuResponse response = m_api.send(HerokuHost::data, "GET", path);
            if (response.status >= 200 && response.status < 300) {
                if (response.body.value("error?", false)) {
                    throw Error(ExitCode::target,
                                "heroku: add-on " + in_quotes(addon_name) + " failed: " +
                                    string_at(response.body, "message"),
                                "destroy it with `heroku addons:destroy " + addon_name + "` and rerun");
                }
                if (!response.body.value("waiting?", true)) return;
            } else if (response.status != 404) {
                throw Error(ExitCode::target, m_api.failure_message("GET", path, response));
            }
            if (std::chrono::steady_clock::now() >= deadline) {
                throw Error(ExitCode::target,
                            "heroku: add-on " + in_quotes(addon_name) + " is not available after " +
                                std::to_string(std::chrono::duration_cast<std::chrono::seconds>(
                                                   m_settings.wait_timeout).count()) + " s",
                            "rerun later: the add-on stays attached as UNDERSTUDY_NEW and is reused");
            }
            std::this_thread::sleep_for(m_settings.poll_interval);
        }
    }

    // GET /apps/{app}/config-vars, then {attachment}_URL.
    pg::ConnInfo url_of(const std::string& attachment_name) const {
        nlohmann::json vars = m_api.call(HerokuHost::platform, "GET", app_path() + "/config-vars");
        const std::string var = attachment_name + "_URL";
        std::string url = string_at(vars, var.c_str());
        if (url.empty()) {
            throw Error(ExitCode::target,
                        "heroku: app " + in_quotes(m_settings.app) + " has no config var " + in_quotes(var));
        }
        return pg::ConnInfo::parse(url, var);
    }

    // When the attach answer names a release (the app has a release phase), poll
    // GET /apps/{app}/releases/{id} until it leaves "pending": a failed release phase leaves the
    // app on the new database but not restarted cleanly, which the user must hear about.
    void wait_for_release(const nlohmann::json& attach_response) const {
        if (!attach_response.is_object() || !attach_response.contains("release")) return;
        const std::string release_id = string_at(attach_response["release"], "id");
        if (release_id.empty()) return;
        const std::string path = app_path() + "/releases/" + HerokuApi::path_segment(release_id);
        const auto deadline = std::chrono::steady_clock::now() + m_settings.wait_timeout;
        for (;;) {
            nlohmann::json release = m_api.call(HerokuHost::platform, "GET", path);
            const std::string status = string_at(release, "status");
            if (status == "succeeded") return;
            if (status == "failed") {
                throw Error(ExitCode::target,
                            "heroku: the release phase of app " + in_quotes(m_settings.app) +
                                " failed after the database was attached",
                            "see `heroku releases:output`; `understudy rollback` puts the previous database back");
            }
            if (std::chrono::steady_clock::now() >= deadline) {
                throw Error(ExitCode::target,
                            "heroku: the release of app " + in_quotes(m_settings.app) + " is still pending");
            }
            std::this_thread::sleep_for(m_settings.poll_interval);
        }
    }

private:
    const HerokuSettings& m_settings;
    const HerokuApi& m_api;
};

}  // namespace

HerokuBackend::HerokuBackend(HerokuSettings settings, HerokuApi api)
    : m_settings(std::move(settings)), m_api(std::move(api)) {
    if (m_settings.app.empty()) throw ConfigError("heroku: sync.heroku.app is not set");
    if (m_settings.attachment.empty()) m_settings.attachment = "DATABASE";
    if (m_settings.plan.empty()) m_settings.plan = HerokuSettings().plan;
}

std::string HerokuBackend::name() const { return "heroku"; }

pg::ConnInfo HerokuBackend::live_database() { return HerokuCalls(m_settings, m_api).url_of(m_settings.attachment); }

namespace {

std::pair<std::string, std::string> addon_attached_as(const std::vector<Attachment>& attachments,
                                                      const std::string& name) {
    const Attachment* found = find_by_name(attachments, name);
    if (found == nullptr) return {};
    return {found->addon_name, found->addon_id};
}

}  // namespace

// GET /apps/{app}/addon-attachments
std::pair<std::string, std::string> HerokuBackend::live_addon() {
    return addon_attached_as(HerokuCalls(m_settings, m_api).attachments(), m_settings.attachment);
}

// GET /apps/{app}/addon-attachments
std::pair<std::string, std::string> HerokuBackend::new_addon() {
    return addon_attached_as(HerokuCalls(m_settings, m_api).attachments(), k_heroku_new_attachment);
}

pg::ConnInfo HerokuBackend::prepare_new_database() {
    HerokuCalls calls(m_settings, m_api);
    // GET /apps/{app}/addon-attachments
    std::vector<Attachment> attachments = calls.attachments();
    const Attachment* live = find_by_name(attachments, m_settings.attachment);
    std::optional<Attachment> leftover;
    if (const Attachment* found = find_by_name(attachments, k_heroku_new_attachment)) leftover = *found;

    if (leftover && live != nullptr && leftover->addon_id == live->addon_id) {
        // An earlier promote crashed after the attach and before the detach: UNDERSTUDY_NEW is
        // already live. Emptying it would wipe the live database, so finish that promote and
        // build in a new add-on. DELETE /addon-attachments/{id}
        calls.detach(leftover->id);
        leftover.reset();
    }
    if (leftover && leftover->addon_app != m_settings.app) {
        throw Error(ExitCode::protected_target,
                    "heroku: " + std::string(k_heroku_new_attachment) + " on app " + in_quotes(m_settings.app) +
                        " is add-on " + in_quotes(leftover->addon_name) + " of app " + in_quotes(leftover->addon_app) +
                        ": refusing to empty a database another app owns",
                    "detach it with `heroku addons:detach " + std::string(k_heroku_new_attachment) + " -a " +
                        m_settings.app + "`");
    }

    std::string addon_id;
    std::string addon_name;
    if (leftover) {
        // A crashed run left its add-on: reuse it (the caller empties it) instead of paying for two.
        addon_id = leftover->addon_id;
        addon_name = leftover->addon_name;
    } else {
        // POST /apps/{app}/addons {"plan": "heroku-postgresql:<plan>", "attachment": {"name": "UNDERSTUDY_NEW"}}
        const std::string plan = m_settings.plan.find(':') == std::string::npos
                                     ? "heroku-postgresql:" + m_settings.plan
                                     : m_settings.plan;
        nlohmann::json addon = m_api.call(HerokuHost::platform, "POST", calls.app_path() + "/addons",
                                          {{"plan", plan}, {"attachment", {{"name", k_heroku_new_attachment}}}});
        addon_id = string_at(addon, "id");
        addon_name = string_at(addon, "name");
        if (addon_id.empty()) {
            throw Error(ExitCode::target, "heroku: POST " + calls.app_path() + "/addons returned no add-on id");
        }
    }
    // GET /client/v11/databases/{addon_id}/wait_status (until "waiting?" is false)
    calls.wait_until_available(addon_id, addon_name);
    // GET /apps/{app}/config-vars -> UNDERSTUDY_NEW_URL
    return calls.url_of(k_heroku_new_attachment);
}

std::string HerokuBackend::promote() {
    HerokuCalls calls(m_settings, m_api);
    // 1. GET /apps/{app}/addon-attachments: the current DATABASE attachment and the new add-on.
    std::vector<Attachment> attachments = calls.attachments();
    const Attachment* fresh = find_by_name(attachments, k_heroku_new_attachment);
    if (fresh == nullptr) {
        throw Error(ExitCode::target,
                    "heroku: app " + in_quotes(m_settings.app) + " has no " + k_heroku_new_attachment +
                        " attachment to promote",
                    "run `understudy sync` again: it builds a new database first");
    }
    const Attachment new_attachment = *fresh;
    std::optional<Attachment> live;
    if (const Attachment* found = find_by_name(attachments, m_settings.attachment)) live = *found;
    std::optional<Attachment> pool;
    if (const Attachment* found = find_by_name(attachments, k_pool_attachment)) pool = *found;

    std::string kept;
    if (live && live->addon_id == new_attachment.addon_id) {
        // A rerun after a crash between the attach and the detach: only the detach is left.
        calls.detach(new_attachment.id);
        return "add-on " + in_quotes(new_attachment.addon_name) + " was already attached as " + m_settings.attachment +
               " on app " + in_quotes(m_settings.app) + "; detached " + k_heroku_new_attachment;
    }

    // 2. Keep a handle on the old database. pg:promote adds one only when nothing else keeps the
    //    add-on attached; we add UNDERSTUDY_PREVIOUS whenever the add-on has no UNDERSTUDY_PREVIOUS*
    //    name yet, because rollback and drop_old find previous databases by that name alone.
    //    Existing handles move up one rank first (attach as _n+1, then detach _n, so a crash in
    //    between leaves two handles on one add-on, never none).
    if (live) {
        bool has_handle = std::any_of(attachments.begin(), attachments.end(), [&](const Attachment& attachment) {
            return attachment.addon_id == live->addon_id && previous_rank(attachment.name) > 0;
        });
        if (!has_handle) {
            std::vector<Attachment> handles;
            for (const auto& attachment : attachments) {
                if (previous_rank(attachment.name) > 0) handles.push_back(attachment);
            }
            std::sort(handles.begin(), handles.end(), [](const Attachment& left, const Attachment& right) {
                return previous_rank(left.name) > previous_rank(right.name);
            });
            for (const auto& handle : handles) {
                // POST /addon-attachments {"addon": id, "app": app, "confirm": app, "name": "UNDERSTUDY_PREVIOUS_<n+1>"}
                calls.attach(handle.addon_id, m_settings.app, previous_name(previous_rank(handle.name) + 1), false);
                // DELETE /addon-attachments/{id of UNDERSTUDY_PREVIOUS_<n>}
                calls.detach(handle.id);
            }
            // POST /addon-attachments {"addon": "<old id>", "app": app, "confirm": app, "name": "UNDERSTUDY_PREVIOUS"}
            calls.attach(live->addon_id, m_settings.app, k_heroku_previous_attachment, false);
        }
        kept = "; add-on " + in_quotes(live->addon_name) + " kept as " + k_heroku_previous_attachment;
    }

    test_pause_point("heroku:before_attach");

    // 3. GET /client/v11/databases/{new id}/wait_status: never promote a database that is not up.
    calls.wait_until_available(new_attachment.addon_id, new_attachment.addon_name);

    // 4. POST /addon-attachments {"addon": {"name": new}, "app": {"name": app}, "confirm": app,
    //    "name": "DATABASE", "namespace": null}: replaces the DATABASE attachment; Heroku releases
    //    and restarts the app with the new DATABASE_URL.
    nlohmann::json attached = calls.attach({{"name", new_attachment.addon_name}}, {{"name", m_settings.app}},
                                           m_settings.attachment, true);
    test_pause_point("heroku:after_attach");

    // 5. The pooler attachment still points at the old database: pg:promote detaches it
    //    (DELETE /addon-attachments/{pool id}) and creates it on the new leader with
    //    POST /client/v11/databases/{new id}/connection-pooling {"name": "DATABASE_CONNECTION_POOL", ...}.
    if (pool && pool->addon_id != new_attachment.addon_id) {
        calls.detach(pool->id);
        m_api.call(HerokuHost::data, "POST",
                   "/client/v11/databases/" + HerokuApi::path_segment(new_attachment.addon_id) + "/connection-pooling",
                   {{"name", k_pool_attachment}, {"credential", "default"}, {"app", m_settings.app}});
    }

    // 6. With a release phase, GET /apps/{app}/releases/{id} until the release succeeds or fails.
    calls.wait_for_release(attached);

    // 7. DELETE /addon-attachments/{UNDERSTUDY_NEW id}: the new add-on is now only DATABASE.
    calls.detach(new_attachment.id);
    return "attached add-on " + in_quotes(new_attachment.addon_name) + " as " + m_settings.attachment + " on app " +
           in_quotes(m_settings.app) + kept;
}

std::vector<std::string> HerokuBackend::drop_old(int keep) {
    HerokuCalls calls(m_settings, m_api);
    // GET /apps/{app}/addon-attachments
    std::vector<Attachment> attachments = calls.attachments();
    const Attachment* live = find_by_name(attachments, m_settings.attachment);
    const std::string live_addon = live != nullptr ? live->addon_id : std::string();

    std::vector<Attachment> handles;
    for (const auto& attachment : attachments) {
        if (previous_rank(attachment.name) > 0) handles.push_back(attachment);
    }
    std::sort(handles.begin(), handles.end(), [](const Attachment& left, const Attachment& right) {
        return previous_rank(left.name) < previous_rank(right.name);
    });

    std::vector<std::string> dropped;
    std::set<std::string> kept_addons;
    std::set<std::string> destroyed_addons;
    for (const auto& handle : handles) {
        if (destroyed_addons.count(handle.addon_id) != 0) continue;
        if (kept_addons.count(handle.addon_id) == 0 && static_cast<int>(kept_addons.size()) < keep &&
            handle.addon_id != live_addon) {
            kept_addons.insert(handle.addon_id);
            continue;
        }
        std::string foreign_name;
        for (const auto& attachment : attachments) {
            if (attachment.addon_id == handle.addon_id && !is_understudy_or_default_name(attachment.name) &&
                attachment.name != m_settings.attachment) {
                foreign_name = attachment.name;
            }
        }
        const bool destroyable = handle.addon_id != live_addon && kept_addons.count(handle.addon_id) == 0 &&
                                 handle.addon_app == m_settings.app && foreign_name.empty();
        if (!destroyable) {
            // A second handle on a kept or live add-on (left by a crash), or an add-on someone
            // else uses: only our name goes. DELETE /addon-attachments/{id}
            calls.detach(handle.id);
            dropped.push_back("detached " + handle.name + " from add-on " + in_quotes(handle.addon_name) +
                              " (not destroyed: " +
                              (handle.addon_id == live_addon              ? std::string("it is live")
                               : kept_addons.count(handle.addon_id) != 0 ? std::string("it is kept")
                               : handle.addon_app != m_settings.app
                                   ? "it belongs to app " + in_quotes(handle.addon_app)
                                   : "it is also attached as " + foreign_name) +
                              ")");
            continue;
        }
        // DELETE /apps/{billing app}/addons/{id}: destroys the add-on and all its attachments.
        m_api.call(HerokuHost::platform, "DELETE",
                   "/apps/" + HerokuApi::path_segment(handle.addon_app) + "/addons/" +
                       HerokuApi::path_segment(handle.addon_id));
        destroyed_addons.insert(handle.addon_id);
        dropped.push_back("destroyed add-on " + in_quotes(handle.addon_name) + " (was " + handle.name + ")");
    }
    return dropped;
}

std::string HerokuBackend::rollback() {
    HerokuCalls calls(m_settings, m_api);
    // GET /apps/{app}/addon-attachments
    std::vector<Attachment> attachments = calls.attachments();
    const Attachment* live = find_by_name(attachments, m_settings.attachment);
    if (live == nullptr) {
        throw Error(ExitCode::target,
                    "heroku: app " + in_quotes(m_settings.app) + " has no " + m_settings.attachment + " attachment");
    }
    const Attachment live_attachment = *live;

    if (const Attachment* swap = find_by_name(attachments, k_heroku_rollback_attachment)) {
        const Attachment leftover = *swap;
        if (leftover.addon_id != live_attachment.addon_id) {
            // An earlier rollback crashed after its attach: only the renaming is left.
            calls.attach(leftover.addon_id, m_settings.app, k_heroku_previous_attachment, false);
            calls.detach(leftover.id);
            return "finished an interrupted rollback: add-on " + in_quotes(live_attachment.addon_name) + " is " +
                   m_settings.attachment + ", add-on " + in_quotes(leftover.addon_name) + " is " +
                   k_heroku_previous_attachment;
        }
        calls.detach(leftover.id);  // the earlier rollback crashed before its attach: start over
    }

    const Attachment* previous = find_by_name(attachments, k_heroku_previous_attachment);
    if (previous == nullptr || previous->addon_id == live_attachment.addon_id) {
        throw Error(ExitCode::target,
                    "heroku: app " + in_quotes(m_settings.app) + " has no " + k_heroku_previous_attachment +
                        " database to roll back to");
    }
    const Attachment previous_attachment = *previous;

    // 1. POST /addon-attachments {"addon": live id, "name": "UNDERSTUDY_ROLLBACK", "confirm": app}:
    //    a handle that keeps the live add-on findable while it has no other name.
    nlohmann::json swap = calls.attach(live_attachment.addon_id, m_settings.app, k_heroku_rollback_attachment, false);
    // 2. GET /client/v11/databases/{previous id}/wait_status
    calls.wait_until_available(previous_attachment.addon_id, previous_attachment.addon_name);
    // 3. POST /addon-attachments {"addon": {"name": previous}, "app": {"name": app}, "confirm": app,
    //    "name": "DATABASE", "namespace": null}
    nlohmann::json attached = calls.attach({{"name", previous_attachment.addon_name}}, {{"name", m_settings.app}},
                                           m_settings.attachment, true);
    calls.wait_for_release(attached);
    // 4. POST /addon-attachments {"addon": old live id, "name": "UNDERSTUDY_PREVIOUS", "confirm": app}:
    //    replaces the handle that pointed at the add-on that is now live.
    calls.attach(live_attachment.addon_id, m_settings.app, k_heroku_previous_attachment, false);
    // 5. DELETE /addon-attachments/{UNDERSTUDY_ROLLBACK id}
    calls.detach(string_at(swap, "id"));
    return "attached add-on " + in_quotes(previous_attachment.addon_name) + " as " + m_settings.attachment + " on app " +
           in_quotes(m_settings.app) + "; add-on " + in_quotes(live_attachment.addon_name) + " kept as " +
           k_heroku_previous_attachment;
}

}  // namespace understudy::orchestrator

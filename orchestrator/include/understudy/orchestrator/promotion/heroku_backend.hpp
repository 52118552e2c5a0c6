// The heroku promotion backend: a new Heroku Postgres add-on per sync, swapped in the way `heroku pg:promote` does it.
#pragma once

#include <chrono>
#include <string>
#include <vector>

#include "understudy/orchestrator/promotion/heroku_api.hpp"
#include "understudy/orchestrator/promotion/promotion_backend.hpp"

namespace understudy::orchestrator {

/// What the heroku backend creates and where it promotes it.
struct HerokuSettings {
    std::string app;                                    ///< the staging app whose database is replaced
    std::string plan = "essential-0";                   ///< "essential-0" or "heroku-postgresql:standard-0"
    std::string attachment = "DATABASE";                ///< the attachment name that is promoted
    std::chrono::milliseconds poll_interval{5000};      ///< between wait_status and release polls
    std::chrono::milliseconds wait_timeout{std::chrono::minutes(30)};  ///< provisioning and release
};

/// Attachment names under which understudy tracks its add-ons on the app.
inline constexpr const char* k_heroku_new_attachment = "UNDERSTUDY_NEW";
inline constexpr const char* k_heroku_previous_attachment = "UNDERSTUDY_PREVIOUS";
inline constexpr const char* k_heroku_rollback_attachment = "UNDERSTUDY_ROLLBACK";

/// Builds each sync in a fresh add-on attached as UNDERSTUDY_NEW, promotes it to DATABASE, keeps
/// the replaced one as UNDERSTUDY_PREVIOUS (older ones as UNDERSTUDY_PREVIOUS_2, _3, ...).
class HerokuBackend : public PromotionBackend {
public:
    /// Throws Error(config) when the app is empty.
    HerokuBackend(HerokuSettings settings, HerokuApi api);

    /// "heroku".
    std::string name() const override;
    /// The promoted attachment's URL (DATABASE_URL) from the app's config vars.
    pg::ConnInfo live_database() override;
    /// Reuses an UNDERSTUDY_NEW add-on left by a crashed run, else creates one; waits until it is
    /// available and returns its URL.
    pg::ConnInfo prepare_new_database() override;
    /// Attaches UNDERSTUDY_NEW's add-on as DATABASE (old one kept as UNDERSTUDY_PREVIOUS).
    std::string promote() override;
    /// Destroys understudy's previous add-ons beyond the newest `keep`.
    std::vector<std::string> drop_old(int keep) override;
    /// Attaches UNDERSTUDY_PREVIOUS's add-on as DATABASE; the live one becomes UNDERSTUDY_PREVIOUS.
    std::string rollback() override;
    /// The add-on attached as DATABASE (GET /apps/{app}/addon-attachments).
    std::pair<std::string, std::string> live_addon() override;
    /// The add-on attached as UNDERSTUDY_NEW (GET /apps/{app}/addon-attachments).
    std::pair<std::string, std::string> new_addon() override;

private:
    HerokuSettings m_settings;
    HerokuApi m_api;
};

}  // namespace understudy::orchestrator

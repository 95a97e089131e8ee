// A complete host for the reliability tests, assembled like the reference host (practice, role
// store, notification store, the sample host services) with RecordingServices in between, and
// the real plugin module loaded from the build's plugins directory through the real SDK.
#pragma once

#include <filesystem>
#include <functional>
#include <memory>
#include <string>
#include <string_view>

#include "ehr/host/host.hpp"
#include "notification_store.hpp"
#include "practice.hpp"
#include "practice_host_services.hpp"
#include "practice_user_directory.hpp"
#include "support/recording_services.hpp"

namespace ehr::reliability {

// A master instance with two locations, My Messages on at "north": admin (manage_users,
// manage_portal_settings), drlee (available, on p1's care team), a patient p1 at north with
// portal user pat1, a patient p2 at north with portal user pat2. `patient_name` and the like let
// a test plant sentinel PHI.
struct PracticeNames {
  std::string patient_name = "Patient One";
  std::string other_patient_name = "Patient Two";
  std::string portal_user_name = "Portal One";
  std::string portal_email = "portal.one@mail.example";
};
[[nodiscard]] std::string practice_xml(const PracticeNames& names = {});

class ReliabilityHost {
 public:
  struct Options {
    std::filesystem::path data_directory;
    std::string practice = practice_xml();
    std::filesystem::path plugins_directory = EHR_TEST_PLUGINS_DIR;
    ehr::host::PluginManagerOptions manager;  // directories are filled in from the above
    bool turn_messaging_on = true;            // save My Messages on at north as admin
    std::function<void()> before_discover;    // runs just before the plugins load
  };

  // Options for a host whose data directory is `data` (the rest as defaulted above).
  static Options in(std::filesystem::path data, bool turn_messaging_on = true) {
    Options options;
    options.data_directory = std::move(data);
    options.turn_messaging_on = turn_messaging_on;
    return options;
  }

  // Throws std::runtime_error naming what failed (practice, stores, plugin load).
  explicit ReliabilityHost(Options options);
  ~ReliabilityHost();
  ReliabilityHost(const ReliabilityHost&) = delete;
  ReliabilityHost& operator=(const ReliabilityHost&) = delete;

  [[nodiscard]] ehr::host::PluginManager& plugins() { return *plugins_; }
  [[nodiscard]] ehr::host::RoleStore& roles() { return *roles_; }
  [[nodiscard]] RecordingServices& services() { return *recording_; }
  [[nodiscard]] ehr::sample::NotificationStore& notifications() { return *notifications_; }
  // Throw std::runtime_error when the plugin did not register one.
  [[nodiscard]] ehr::host::MessagingChannel channel() const;
  [[nodiscard]] ehr::host::SettingsPages settings() const;
  [[nodiscard]] ehr::host::AuditLog audit() const;

 private:
  Options options_;
  std::unique_ptr<ehr::sample::Practice> practice_;
  std::unique_ptr<ehr::sample::PracticeUserDirectory> directory_;
  std::unique_ptr<ehr::host::KeyStore> keys_;  // before the notification store, which uses it
  std::unique_ptr<ehr::sample::NotificationStore> notifications_;
  std::unique_ptr<ehr::host::RoleStore> roles_;
  std::unique_ptr<ehr::sample::PracticeHostServices> services_;
  std::unique_ptr<RecordingServices> recording_;
  std::unique_ptr<ehr::host::PluginManager> plugins_;
};

}  // namespace ehr::reliability

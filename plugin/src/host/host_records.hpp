#pragma once

#include <array>
#include <cstdint>
#include <string>

#include "ehr/host_services.h"
#include "host/principal.hpp"

namespace ehr::portal {

// What the host tells the plugin, as C++ values owned by the plugin (copied out of the host's
// sink callbacks). Asked at the moment of each decision, never cached.

struct UserInfo {
  std::string id;
  std::string display_name;
  bool active = false;
};

struct PatientInfo {
  std::string id;
  std::string display_name;  // PHI: never logged, never in a notification
  std::string location_id;   // empty in a single instance
};

enum class PortalUserKind : uint32_t {
  patient = EHR_PORTAL_PATIENT,
  guardian = EHR_PORTAL_GUARDIAN,
  guarantor = EHR_PORTAL_GUARANTOR,
};

struct PortalUserInfo {
  std::string id;
  std::string display_name;
  std::string first_name;
  PortalUserKind kind = PortalUserKind::patient;
  bool active = false;
};

// The company (location_id empty) or one of its locations.
struct OrganizationInfo {
  std::string location_id;
  std::string name;
  std::string alias;
  std::string address;
  std::string phone;
  std::string portal_url;
  bool is_master = false;

  // R-BRAND-3: the Alias when it is not empty, else the name.
  [[nodiscard]] const std::string& brand_name() const { return alias.empty() ? name : alias; }
};

enum class NotificationKind : uint32_t {
  portal_invitation = EHR_NOTIFY_PORTAL_INVITATION,
  new_message = EHR_NOTIFY_NEW_MESSAGE,
};

enum class Delivery : uint32_t {
  portal_contact = EHR_DELIVERY_PORTAL_CONTACT,
  in_app = EHR_DELIVERY_IN_APP,
};

// Something the host delivers. Never carries message content or PHI (R-BRAND-4).
struct Notification {
  NotificationKind kind = NotificationKind::new_message;
  Delivery delivery = Delivery::portal_contact;
  Principal recipient;
  std::string subject;
  std::string text;
  std::string html;
  std::string brand_name;
};

enum class LogLevel : uint32_t {
  debug = EHR_LOG_DEBUG,
  info = EHR_LOG_INFO,
  warning = EHR_LOG_WARNING,
  error = EHR_LOG_ERROR,
};

// A key the host keeps for the plugin (get_key, ABI 1.1). Its bytes are wiped when it is destroyed.
struct HostKey {
  uint32_t id = 0;
  std::array<unsigned char, 32> bytes{};

  HostKey() = default;
  HostKey(const HostKey&) = default;
  HostKey& operator=(const HostKey&) = default;
  ~HostKey();
};

}  // namespace ehr::portal

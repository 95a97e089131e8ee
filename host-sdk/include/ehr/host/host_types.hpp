// Value types exchanged between the host and a plugin through the host services table, in C++.
#pragma once

#include <array>
#include <cstdint>
#include <string>

#include "ehr/host/principal.hpp"
#include "ehr/host_services.h"

namespace ehr::host {

enum class LogLevel : std::uint32_t {
  debug = EHR_LOG_DEBUG,
  info = EHR_LOG_INFO,
  warning = EHR_LOG_WARNING,
  error = EHR_LOG_ERROR,
};

// A staff user of the host.
struct User {
  std::string id;
  std::string display_name;
  bool active = true;
  friend bool operator==(const User&, const User&) = default;
};

struct Patient {
  std::string id;
  std::string display_name;  // PHI: never logged, never put in a notification
  std::string location_id;   // empty in a single instance
  friend bool operator==(const Patient&, const Patient&) = default;
};

enum class PortalUserKind : std::uint32_t {
  patient = EHR_PORTAL_PATIENT,
  guardian = EHR_PORTAL_GUARDIAN,
  guarantor = EHR_PORTAL_GUARANTOR,
};

// A patient, guardian or guarantor with a portal account.
struct PortalUser {
  std::string id;
  std::string display_name;
  std::string first_name;
  PortalUserKind kind = PortalUserKind::patient;
  bool active = true;  // the portal account is active
  friend bool operator==(const PortalUser&, const PortalUser&) = default;
};

// The company (location_id empty) or one of its locations, as set in the host's Company tab.
struct Organization {
  std::string location_id;
  std::string name;
  std::string alias;  // when not empty, shown instead of name
  std::string address;
  std::string phone;
  std::string portal_url;  // where portal users sign in
  bool is_master = false;  // company only: a master instance with locations
  friend bool operator==(const Organization&, const Organization&) = default;
};

enum class NotificationKind : std::uint32_t {
  portal_invitation = EHR_NOTIFY_PORTAL_INVITATION,
  new_message = EHR_NOTIFY_NEW_MESSAGE,
};

enum class Delivery : std::uint32_t {
  portal_contact = EHR_DELIVERY_PORTAL_CONTACT,  // the host picks email or SMS from the record
  in_app = EHR_DELIVERY_IN_APP,
};

// Something a plugin asks the host to deliver. It never carries message content or PHI.
struct Notification {
  NotificationKind kind = NotificationKind::new_message;
  Delivery delivery = Delivery::portal_contact;
  Principal recipient;
  std::string subject;
  std::string text;
  std::string html;  // may be empty
  std::string brand_name;
};

// One audit record, as a plugin stores it (and mirrors it to the host's audit sink).
struct AuditEvent {
  std::int64_t sequence = 0;  // position in the plugin's hash chain, from 1
  std::int64_t at_unix_ms = 0;
  Principal actor;
  std::string action;      // e.g. "message.send", "settings.change", "role.assign"
  std::string patient_id;  // may be empty
  std::string target;
  std::string outcome;  // "ok" or the refusal reason code
  std::string detail;   // never message content
  std::string hash;     // hex SHA-256 chained to the previous record
};

// What a key is for (host_services.h, ABI 1.1).
enum class KeyPurpose : std::uint32_t {
  data = EHR_KEY_DATA,    // encrypts message subjects and bodies and contact details at rest
  audit = EHR_KEY_AUDIT,  // the HMAC key of the plugin's audit chain
};

// A 256-bit secret key with the id stored next to what it protects. The bytes are wiped when the
// value is destroyed; copy it as little as possible.
struct Key {
  std::uint32_t id = 0;  // never 0 for a real key
  KeyPurpose purpose = KeyPurpose::data;
  std::array<std::uint8_t, 32> bytes{};

  Key() = default;
  Key(const Key&) = default;
  Key& operator=(const Key&) = default;
  ~Key();
};

}  // namespace ehr::host

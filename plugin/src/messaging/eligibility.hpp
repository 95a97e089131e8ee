// Who may message whom (SPEC R-MSG-1..R-MSG-5): one pure decision over facts.
//
// Gathering the facts (host calls, settings lookups) lives in the conversation service; this
// file only decides, so every combination is testable without a host or a database.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "ehr/channel.h"
#include "settings/settings_service.hpp"  // Audience

namespace ehr::portal {

// The effective settings for the patient's location (R-SET-3/R-SET-4), as far as they matter here.
struct MessagingSettingsFacts {
  bool my_messages = false;
  Audience audience = Audience::care_team_only;
  std::string location_id;                 // empty in a single instance
  bool location_has_own_settings = false;  // else General applies
  int64_t version = 0;                     // the settings version decided by (PortalSettings::version)
};

struct PatientFacts {
  bool exists = false;
};

struct StaffFacts {
  std::string user_id;
  bool exists = false;
  bool active = false;
  bool holds_messaging_role = false;  // available_for_portal_messages
  bool on_care_team = false;
};

struct PortalUserFacts {
  std::string portal_user_id;
  bool exists = false;
  bool account_active = false;
  bool contact_on_chart = false;  // patient, guardian or guarantor of this chart
};

// An absent side is not asked about (e.g. "may this staff user message anyone on this chart").
struct EligibilityFacts {
  PatientFacts patient;
  MessagingSettingsFacts settings;
  std::optional<StaffFacts> staff;
  std::optional<PortalUserFacts> portal_user;
};

struct Eligibility {
  ehr_deny_reason reason = EHR_DENY_NONE;
  // Words an admin can act on; for an allowed pair, why it is allowed. No PHI: ids only.
  std::string explanation;

  [[nodiscard]] bool allowed() const { return reason == EHR_DENY_NONE; }
  explicit operator bool() const { return allowed(); }
};

// The first failing rule wins, in the order an admin would fix things: the chart, the
// location's settings, then the staff side (R-MSG-2), then the portal side (R-MSG-3).
// EHR_DENY_NONE when allowed. Builds no text: this is the hot path of recipient lists.
[[nodiscard]] ehr_deny_reason deny_reason(const EligibilityFacts& facts);

// The reason in words an admin can act on (R-MSG-5); for EHR_DENY_NONE, why it is allowed.
[[nodiscard]] std::string explain_reason(const EligibilityFacts& facts, ehr_deny_reason reason);

// Both at once.
[[nodiscard]] Eligibility decide_eligibility(const EligibilityFacts& facts);

}  // namespace ehr::portal

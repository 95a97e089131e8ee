// Gathers the facts the eligibility policy decides on, asking the host and the settings at the
// moment of the decision (nothing is cached, so a care-team change or a role removal counts at
// once, R-MSG-4). Deciding stays in eligibility.cpp.
#pragma once

#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "messaging/eligibility.hpp"

namespace ehr::portal {

class HostClient;

// What is known about one chart: the patient, its location's effective settings, its care team.
struct ChartFacts {
  std::string patient_id;
  PatientFacts patient;
  MessagingSettingsFacts settings;
  std::vector<std::string> care_team;
};

class EligibilityFactsSource {
 public:
  // The effective messaging settings of a location ("" in a single instance), from the settings.
  using SettingsLookup = std::function<MessagingSettingsFacts(const std::string& location_id)>;

  EligibilityFactsSource(const HostClient& host, SettingsLookup settings);

  [[nodiscard]] ChartFacts chart(const std::string& patient_id) const;
  [[nodiscard]] StaffFacts staff(const ChartFacts& chart, const std::string& user_id) const;
  [[nodiscard]] PortalUserFacts portal_user(const ChartFacts& chart, const std::string& portal_user_id) const;

  // The facts for one pair (either side may be absent).
  [[nodiscard]] EligibilityFacts facts(const ChartFacts& chart, const std::optional<StaffFacts>& staff,
                                       const std::optional<PortalUserFacts>& portal_user) const;

 private:
  const HostClient& host_;
  SettingsLookup settings_;
};

}  // namespace ehr::portal

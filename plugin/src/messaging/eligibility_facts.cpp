#include "messaging/eligibility_facts.hpp"

#include <algorithm>
#include <utility>

#include "host/host_client.hpp"
#include "roles/portal_roles.hpp"

namespace ehr::portal {

EligibilityFactsSource::EligibilityFactsSource(const HostClient& host, SettingsLookup settings)
    : host_(host), settings_(std::move(settings)) {}

ChartFacts EligibilityFactsSource::chart(const std::string& patient_id) const {
  ChartFacts chart;
  chart.patient_id = patient_id;
  std::optional<PatientInfo> patient = host_.get_patient(patient_id);
  if (!patient) return chart;
  chart.patient.exists = true;
  chart.settings = settings_(patient->location_id);
  chart.care_team = host_.list_care_team(patient_id);
  return chart;
}

StaffFacts EligibilityFactsSource::staff(const ChartFacts& chart, const std::string& user_id) const {
  StaffFacts staff;
  staff.user_id = user_id;
  std::optional<UserInfo> user = host_.get_user(user_id);
  if (!user) return staff;
  staff.exists = true;
  staff.active = user->active;
  staff.holds_messaging_role = host_.user_has_role(user_id, kAvailableForPortalMessages);
  staff.on_care_team =
      std::find(chart.care_team.begin(), chart.care_team.end(), user_id) != chart.care_team.end();
  return staff;
}

PortalUserFacts EligibilityFactsSource::portal_user(const ChartFacts& chart,
                                                    const std::string& portal_user_id) const {
  PortalUserFacts portal;
  portal.portal_user_id = portal_user_id;
  std::optional<PortalUserInfo> user = host_.get_portal_user(portal_user_id);
  if (!user) return portal;
  portal.exists = true;
  portal.account_active = user->active;
  if (chart.patient.exists) {
    const std::vector<std::string> charts = host_.list_contact_charts(portal_user_id);
    portal.contact_on_chart = std::find(charts.begin(), charts.end(), chart.patient_id) != charts.end();
  }
  return portal;
}

EligibilityFacts EligibilityFactsSource::facts(const ChartFacts& chart,
                                               const std::optional<StaffFacts>& staff,
                                               const std::optional<PortalUserFacts>& portal_user) const {
  return EligibilityFacts{chart.patient, chart.settings, staff, portal_user};
}

}  // namespace ehr::portal

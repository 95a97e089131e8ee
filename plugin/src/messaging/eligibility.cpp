#include "messaging/eligibility.hpp"

#include <string>

namespace ehr::portal {
namespace {

std::string quoted(const std::string& id) {
  return "'" + id + "'";
}

std::string where(const MessagingSettingsFacts& settings) {
  if (settings.location_id.empty()) return "in the General portal settings";
  if (settings.location_has_own_settings)
    return "in the Location Settings of location " + quoted(settings.location_id);
  return "for location " + quoted(settings.location_id) + ", which follows the General portal settings";
}

const char* audience_words(Audience audience) {
  return audience == Audience::care_team_only ? "Care Team only" : "Selected users";
}

}  // namespace

ehr_deny_reason deny_reason(const EligibilityFacts& facts) {
  if (!facts.patient.exists) return EHR_DENY_UNKNOWN_PATIENT;
  if (!facts.settings.my_messages) return EHR_DENY_MESSAGING_OFF;  // R-MSG-1
  if (const auto& staff = facts.staff) {                           // R-MSG-2
    if (!staff->exists) return EHR_DENY_UNKNOWN_USER;
    if (!staff->active) return EHR_DENY_STAFF_INACTIVE;
    if (!staff->holds_messaging_role) return EHR_DENY_STAFF_LACKS_ROLE;
    if (facts.settings.audience == Audience::care_team_only && !staff->on_care_team)
      return EHR_DENY_NOT_ON_CARE_TEAM;
  }
  if (const auto& portal = facts.portal_user) {  // R-MSG-3
    if (!portal->exists) return EHR_DENY_UNKNOWN_USER;
    if (!portal->contact_on_chart) return EHR_DENY_NOT_A_CONTACT;
    if (!portal->account_active) return EHR_DENY_PORTAL_ACCOUNT_INACTIVE;
  }
  return EHR_DENY_NONE;
}

std::string explain_reason(const EligibilityFacts& facts, ehr_deny_reason reason) {
  const std::string staff_id = facts.staff ? quoted(facts.staff->user_id) : std::string();
  const std::string portal_id = facts.portal_user ? quoted(facts.portal_user->portal_user_id) : std::string();
  switch (reason) {
    case EHR_DENY_UNKNOWN_PATIENT:
      return "The patient is not known to the host; check the chart id.";
    case EHR_DENY_MESSAGING_OFF:
      return "My Messages is off " + where(facts.settings) +
             ". A user with the Manage Portal Settings role can turn it on under Settings > Portal.";
    case EHR_DENY_UNKNOWN_USER:
      if (facts.staff && !facts.staff->exists) return "Staff user " + staff_id + " is not known to the host.";
      return "Portal user " + portal_id + " is not known to the host.";
    case EHR_DENY_STAFF_INACTIVE:
      return "Staff user " + staff_id + " is inactive. An admin can reactivate the user in Manage Users.";
    case EHR_DENY_STAFF_LACKS_ROLE:
      return "Staff user " + staff_id +
             " does not hold the 'Available for portal messages' role. An admin can assign it in Manage "
             "Users > "
             "Edit (Patient Portal roles) or Manage Users > Assign Roles.";
    case EHR_DENY_NOT_ON_CARE_TEAM:
      return "Staff user " + staff_id + " is not on this patient's care team, and the audience " +
             where(facts.settings) +
             " is 'Care Team only'. Add the user to the care team, or choose 'Selected users'.";
    case EHR_DENY_NOT_A_CONTACT:
      return "Portal user " + portal_id +
             " is not a contact (patient, guardian or guarantor) on this chart. Link the portal user to the "
             "chart in "
             "the host first.";
    case EHR_DENY_PORTAL_ACCOUNT_INACTIVE:
      return "The portal account of " + portal_id +
             " is inactive. Reactivate it, or send a new portal invitation.";
    case EHR_DENY_NONE:
      break;
    default:
      return std::string("Refused: ") + ehr_deny_reason_name(reason) + ".";
  }
  std::string because = "Allowed: My Messages is on " + where(facts.settings) + " (audience " +
                        audience_words(facts.settings.audience) + ")";
  if (facts.staff) {
    because += "; staff user " + staff_id + " is active, holds 'Available for portal messages'";
    if (facts.settings.audience == Audience::care_team_only) because += " and is on the care team";
  }
  if (facts.portal_user)
    because += "; portal user " + portal_id + " has an active account and is a contact on the chart";
  return because + ".";
}

Eligibility decide_eligibility(const EligibilityFacts& facts) {
  const ehr_deny_reason reason = deny_reason(facts);
  return {reason, explain_reason(facts, reason)};
}

}  // namespace ehr::portal

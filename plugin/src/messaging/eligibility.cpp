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

Eligibility deny(ehr_deny_reason reason, std::string explanation) {
  return {reason, std::move(explanation)};
}

const char* audience_words(Audience audience) {
  return audience == Audience::care_team_only ? "Care Team only" : "Selected users";
}

}  // namespace

Eligibility decide_eligibility(const EligibilityFacts& facts) {
  if (!facts.patient.exists) {
    return deny(EHR_DENY_UNKNOWN_PATIENT, "The patient is not known to the host; check the chart id.");
  }
  // R-MSG-1
  if (!facts.settings.my_messages) {
    return deny(EHR_DENY_MESSAGING_OFF, "My Messages is off " + where(facts.settings) +
                                            ". A user with the Manage Portal Settings role can turn it on "
                                            "under Settings > Portal.");
  }
  std::string allowed_because = "My Messages is on " + where(facts.settings) + " (audience " +
                                audience_words(facts.settings.audience) + ")";
  // R-MSG-2
  if (facts.staff) {
    const StaffFacts& staff = *facts.staff;
    if (!staff.exists) {
      return deny(EHR_DENY_UNKNOWN_USER,
                  "Staff user " + quoted(staff.user_id) + " is not known to the host.");
    }
    if (!staff.active) {
      return deny(EHR_DENY_STAFF_INACTIVE,
                  "Staff user " + quoted(staff.user_id) +
                      " is inactive. An admin can reactivate the user in Manage Users.");
    }
    if (!staff.holds_messaging_role) {
      return deny(EHR_DENY_STAFF_LACKS_ROLE,
                  "Staff user " + quoted(staff.user_id) +
                      " does not hold the 'Available for portal messages' role. An admin can assign it in "
                      "Manage Users > Edit (Patient Portal roles) or Manage Users > Assign Roles.");
    }
    if (facts.settings.audience == Audience::care_team_only && !staff.on_care_team) {
      return deny(EHR_DENY_NOT_ON_CARE_TEAM,
                  "Staff user " + quoted(staff.user_id) +
                      " is not on this patient's care team, and the audience " + where(facts.settings) +
                      " is 'Care Team only'. Add the user to the care team, or choose 'Selected users'.");
    }
    allowed_because +=
        "; staff user " + quoted(staff.user_id) + " is active, holds 'Available for portal messages'";
    if (facts.settings.audience == Audience::care_team_only) allowed_because += " and is on the care team";
  }
  // R-MSG-3
  if (facts.portal_user) {
    const PortalUserFacts& portal = *facts.portal_user;
    if (!portal.exists) {
      return deny(EHR_DENY_UNKNOWN_USER,
                  "Portal user " + quoted(portal.portal_user_id) + " is not known to the host.");
    }
    if (!portal.contact_on_chart) {
      return deny(EHR_DENY_NOT_A_CONTACT,
                  "Portal user " + quoted(portal.portal_user_id) +
                      " is not a contact (patient, guardian or guarantor) on this chart. "
                      "Link the portal user to the chart in the host first.");
    }
    if (!portal.account_active) {
      return deny(EHR_DENY_PORTAL_ACCOUNT_INACTIVE,
                  "The portal account of " + quoted(portal.portal_user_id) +
                      " is inactive. Reactivate it, or send a new portal invitation.");
    }
    allowed_because += "; portal user " + quoted(portal.portal_user_id) +
                       " has an active account and is a contact on the chart";
  }
  return {EHR_DENY_NONE, "Allowed: " + allowed_because + "."};
}

const char* deny_reason_code(ehr_deny_reason reason) {
  switch (reason) {
    case EHR_DENY_NONE:
      return "ok";
    case EHR_DENY_MESSAGING_OFF:
      return "messaging_off";
    case EHR_DENY_STAFF_LACKS_ROLE:
      return "staff_lacks_role";
    case EHR_DENY_STAFF_INACTIVE:
      return "staff_inactive";
    case EHR_DENY_NOT_ON_CARE_TEAM:
      return "not_on_care_team";
    case EHR_DENY_PORTAL_ACCOUNT_INACTIVE:
      return "portal_account_inactive";
    case EHR_DENY_NOT_A_CONTACT:
      return "not_a_contact";
    case EHR_DENY_UNKNOWN_PATIENT:
      return "unknown_patient";
    case EHR_DENY_UNKNOWN_USER:
      return "unknown_user";
    case EHR_DENY_NOT_A_PARTICIPANT:
      return "not_a_participant";
    default:
      return "unknown_reason";
  }
}

}  // namespace ehr::portal

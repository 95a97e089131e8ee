#include "branding/portal_notifier.hpp"

#include <string>

#include "audit/audit_log.hpp"
#include "common/error.hpp"
#include "host/host_client.hpp"

namespace ehr::portal {

PortalNotifier::PortalNotifier(const HostClient& host, SettingsService& settings, AuditLog& audit)
    : host_(host), audit_(audit), brands_(host, settings), composer_(settings) {}

void PortalNotifier::new_message(const NewMessageNotice& notice) noexcept {
  try {
    if (!host_.supports_notify() || notice.recipients.empty()) return;
    const Brand brand = brands_.for_patient(notice.patient_id);
    for (const NoticeRecipient& recipient : notice.recipients) {
      try {
        std::string first_name;
        if (recipient.principal.kind == PrincipalKind::portal_user) {
          if (auto user = host_.get_portal_user(recipient.principal.id)) first_name = user->first_name;
        } else if (auto user = host_.get_user(recipient.principal.id)) {
          first_name = user->display_name;
        }
        host_.notify(composer_.compose(TemplateKind::new_message, recipient.principal, recipient.delivery,
                                       first_name, brand));
      } catch (const std::exception&) {
        host_.log(LogLevel::warning, "a new-message notification for thread " +
                                         std::to_string(notice.thread_id) + " could not be delivered");
      }
    }
  } catch (...) {
    try {
      host_.log(LogLevel::warning, "new-message notifications for thread " +
                                       std::to_string(notice.thread_id) + " were not sent");
    } catch (...) {
    }
  }
}

void PortalNotifier::invite(std::string_view actor_user_id, std::string_view portal_user_id) {
  const std::string actor(actor_user_id);
  auto staff = host_.get_user(actor);
  if (!staff || !staff->active) {
    throw Error(EHR_STATUS_FORBIDDEN,
                "only an active staff user may invite to the portal; '" + actor + "' is " +
                    (staff ? "inactive" : "unknown"),
                "actor_user_id");
  }
  auto invitee = host_.get_portal_user(portal_user_id);
  if (!invitee) {
    throw Error(EHR_STATUS_NOT_FOUND, "unknown portal user '" + std::string(portal_user_id) + "'",
                "portal_user_id");
  }
  if (!host_.supports_notify()) {
    throw Error(EHR_STATUS_UNSUPPORTED,
                "the host does not deliver notifications, so no invitation can be sent");
  }
  const auto charts = host_.list_contact_charts(invitee->id);
  const Brand brand = charts.empty() ? brands_.for_location("") : brands_.for_patient(charts.front());
  host_.notify(composer_.compose(TemplateKind::portal_invitation, Principal::portal_user(invitee->id),
                                 Delivery::portal_contact, invitee->first_name, brand));
  audit_.append({Principal::staff(actor), "portal.invite", "", "portal:" + invitee->id, "ok",
                 "branded as " + (brand.location_id.empty() ? std::string("the company")
                                                            : "location " + brand.location_id)});
}

}  // namespace ehr::portal

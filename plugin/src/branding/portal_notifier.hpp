#pragma once

#include <string_view>

#include "branding/brand.hpp"
#include "branding/notification_composer.hpp"
#include "messaging/new_message_notice.hpp"

namespace ehr::portal {

class AuditLog;
class HostClient;
class SettingsService;

// Sends what portal users and staff receive, branded (R-BRAND-1..4): new-message notices (the
// ConversationService's NewMessageNotifier) and portal invitations. Thread-safe.
class PortalNotifier {
 public:
  PortalNotifier(const HostClient& host, SettingsService& settings, AuditLog& audit);

  // One notification per recipient, branded by the patient's location. Never throws: a failure is
  // logged without PHI and never undoes the send that triggered it.
  void new_message(const NewMessageNotice& notice) noexcept;

  // Invites a portal user (patient, guardian, guarantor) to the portal, branded by the location
  // of the first chart it is a contact on. The actor must be an active staff user; audited.
  // Throws Error: FORBIDDEN, NOT_FOUND (portal user), UNSUPPORTED (host without notify).
  void invite(std::string_view actor_user_id, std::string_view portal_user_id);

 private:
  const HostClient& host_;
  AuditLog& audit_;
  BrandResolver brands_;
  NotificationComposer composer_;
};

}  // namespace ehr::portal

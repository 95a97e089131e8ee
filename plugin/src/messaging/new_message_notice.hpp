// Who is told that a message is waiting (issue 5): each portal user the message reached when
// staff wrote, the staff recipient (in-app) when a portal user wrote. The notice says only who
// and where: it has no field for a subject or a body, so it cannot leak one (R-BRAND-4). What is
// sent, and under which brand, is decided by whoever receives the notice.
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "host/host_records.hpp"
#include "host/principal.hpp"

namespace ehr::portal {

struct NoticeRecipient {
  Principal principal;
  Delivery delivery = Delivery::portal_contact;  // in_app for staff
};

struct NewMessageNotice {
  std::string patient_id;  // picks the brand (the patient's location); never shown
  int64_t thread_id = 0;
  int64_t message_id = 0;
  Principal sender;
  std::vector<NoticeRecipient> recipients;
};

// Called after the message is committed, on the sender's thread; may be called concurrently.
// A failure is logged and never undoes or fails the send.
using NewMessageNotifier = std::function<void(const NewMessageNotice&)>;

}  // namespace ehr::portal

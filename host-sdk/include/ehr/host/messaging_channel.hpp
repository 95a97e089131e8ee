// MessagingChannel: the C++ wrapper over a plugin's messaging channel (ehr_channel_api).
// Every call names the acting principal; the plugin checks access and audits every call.
// Refusals come back as EHR_STATUS_FORBIDDEN with Status::deny_reason() and words an admin can
// act on. A disabled plugin's channel answers EHR_STATUS_DISABLED without reaching the plugin.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "ehr/channel.h"
#include "ehr/host/principal.hpp"
#include "ehr/host/status.hpp"

namespace ehr::host {

namespace detail {
struct ChannelBinding;
}

struct Decision {
  bool allowed = false;
  ehr_deny_reason reason = EHR_DENY_NONE;
  std::string explanation;  // for allowed too: why it is allowed
};

// May the staff user and the portal user message about the patient? An empty portal_user_id
// asks about the staff side only.
struct ExplainRequest {
  std::string staff_user_id;
  std::string portal_user_id;
  std::string patient_id;
};

struct Recipient {
  Principal principal;
  std::string display_name;
};

// Whose name, phone and address a portal page about a chart shows (the plugin's brand rules).
struct ChartBrand {
  std::string name;  // the alias when set, else the name
  std::string phone;
  std::string address;
  std::string location_id;  // empty: the company's brand
};

// Staff write to the patient's portal users (recipients empty: every eligible portal user on the
// chart); a portal user writes to one staff recipient it was offered.
struct StartRequest {
  Principal sender;
  std::string patient_id;
  std::vector<Principal> recipients;
  std::string subject;  // optional
  std::string body;     // UTF-8 plain text within the plugin's size limit
};

struct ReplyRequest {
  Principal sender;
  std::int64_t thread_id = 0;
  std::string body;
};

// Returned once the message is durably committed.
struct Sent {
  std::int64_t thread_id = 0;
  std::int64_t message_id = 0;
  std::int64_t sent_at_unix_ms = 0;
};

struct ListRequest {
  Principal reader;
  bool archived = false;    // false: inbox; true: archived threads only
  std::uint32_t limit = 0;  // 0: the plugin's default page size
  std::uint32_t offset = 0;
};

struct ThreadSummary {
  std::int64_t thread_id = 0;
  std::string patient_id;
  std::string subject;
  Principal started_by;
  Principal last_sender;
  std::int64_t last_message_at_unix_ms = 0;
  std::uint32_t message_count = 0;
  std::uint32_t unread_count = 0;  // for this reader
  bool archived = false;           // for this reader
};

struct InboxTotals {
  std::uint64_t thread_count = 0;  // threads matching the request, across all pages
  std::uint64_t unread_total = 0;  // the badge
};

struct ThreadList {
  std::vector<ThreadSummary> threads;  // newest first
  InboxTotals totals;
};

struct MessageView {
  std::int64_t message_id = 0;
  std::int64_t thread_id = 0;
  Principal sender;
  std::string sender_display_name;
  std::string body;
  std::int64_t sent_at_unix_ms = 0;
};

struct InviteRequest {
  std::string actor_user_id;
  std::string portal_user_id;
};

// Export and import (since ABI 1.1): a chart's conversations as plain records, which the host
// maps to a format of its choice (the reference host: FHIR R4, ehr::fhir). Identifiers never
// change: the plugin's own are "<store id>.<number>", imported ones keep what they came with.
struct RecordIdentifier {
  std::string system;
  std::string value;
  friend bool operator==(const RecordIdentifier&, const RecordIdentifier&) = default;
};

struct MessageRecord {
  RecordIdentifier identifier;
  RecordIdentifier in_response_to;  // empty: the thread's first message
  Principal sender;
  std::vector<Principal> recipients;  // the thread's other participants
  std::string body;
  std::int64_t sent_at_unix_ms = 0;
  std::optional<std::int64_t> received_at_unix_ms;  // first read by a recipient, when known
  friend bool operator==(const MessageRecord&, const MessageRecord&) = default;
};

struct ThreadRecord {
  RecordIdentifier identifier;
  std::string patient_id;
  std::string subject;
  Principal started_by;
  std::vector<Principal> recipients;  // the participants other than started_by
  std::int64_t started_at_unix_ms = 0;
  std::vector<MessageRecord> messages;  // oldest first
  friend bool operator==(const ThreadRecord&, const ThreadRecord&) = default;
};

struct ExportRequest {
  Principal actor;  // staff with access to the chart
  std::string patient_id;
  std::int64_t since_unix_ms = 0;  // 0: every thread; else threads with a message at or after it
};

struct ImportRequest {
  Principal actor;  // staff with access to every chart named
  std::vector<ThreadRecord> threads;
};

struct ImportCounts {
  std::uint64_t threads_added = 0;
  std::uint64_t messages_added = 0;  // 0 when everything was already there
};

// One message's delivery to the plugin's webhook (ABI 1.1): ids, state and attempts, never
// anything of the message itself.
struct WebhookDelivery {
  std::int64_t delivery_id = 0;
  std::int64_t message_id = 0;
  std::int64_t thread_id = 0;
  std::string idempotency_key;
  std::string state;  // "pending", "delivered" or "dead"
  std::uint32_t attempts = 0;
  std::int64_t created_at_unix_ms = 0;
  std::int64_t next_attempt_at_unix_ms = 0;  // pending only
  std::int64_t delivered_at_unix_ms = 0;     // delivered only
  std::string last_error;                    // the last failed attempt in words; empty if none
};

// A cheap, copyable handle. THREADING: any method may be called concurrently.
class MessagingChannel {
 public:
  explicit MessagingChannel(std::shared_ptr<const detail::ChannelBinding> binding);

  const std::string& id() const;
  const std::string& plugin_id() const;

  Result<Decision> explain(const ExplainRequest& request) const;
  // The staff a portal user may write to about a patient: exactly the allowed set.
  Result<std::vector<Recipient>> list_recipients(const Principal& reader, std::string_view patient_id) const;
  Result<Sent> start_thread(const StartRequest& request) const;
  Result<Sent> reply(const ReplyRequest& request) const;
  // Newest first, with the totals across all pages.
  Result<ThreadList> list_threads(const ListRequest& request) const;
  Result<std::uint64_t> unread_total(const Principal& reader) const;
  // Oldest first; marks the thread read for this reader only.
  Result<std::vector<MessageView>> read_thread(const Principal& reader, std::int64_t thread_id) const;
  Status set_archived(const Principal& reader, std::int64_t thread_id, bool archived) const;
  // Optional in the plugin: EHR_STATUS_UNSUPPORTED when it does not offer invitations.
  Status invite_portal_user(const InviteRequest& request) const;
  // A staff participant adds an eligible staff colleague, who then sees the whole thread. True
  // when added, false when the colleague was already on it (nothing changes, nothing audited).
  // EHR_STATUS_UNSUPPORTED from a plugin built against ABI 1.0.
  Result<bool> add_participant(const Principal& actor, std::int64_t thread_id, const Principal& added) const;
  // Everyone on the thread, by display name, for a reader that may open it.
  // EHR_STATUS_UNSUPPORTED from a plugin built against ABI 1.0.
  Result<std::vector<Recipient>> list_participants(const Principal& reader, std::int64_t thread_id) const;
  // The brand of a chart, for an active staff user or a portal user who is a contact on it.
  // EHR_STATUS_UNSUPPORTED from a plugin built against ABI 1.0.
  Result<ChartBrand> chart_brand(const Principal& reader, std::string_view patient_id) const;
  // A chart's threads, oldest first, for staff with access to the chart; audited.
  // EHR_STATUS_UNSUPPORTED from a plugin built against ABI 1.0.
  Result<std::vector<ThreadRecord>> export_records(const ExportRequest& request) const;
  // Stores what the plugin does not hold yet (by identifier), all or nothing; refused naming the
  // first unknown patient or person. EHR_STATUS_UNSUPPORTED from a plugin built against ABI 1.0.
  Result<ImportCounts> import_records(const ImportRequest& request) const;
  // The webhook's deliveries, newest first, for the host's admin tooling. state: empty for all,
  // else "pending", "delivered" or "dead"; limit 0: 100. EHR_STATUS_UNSUPPORTED from a plugin
  // built against ABI 1.0.
  Result<std::vector<WebhookDelivery>> list_webhook_deliveries(std::string_view state = {},
                                                               std::uint32_t limit = 0) const;
  // A dead delivery (or, with delivery_id 0, every dead one) back to pending with a fresh round
  // of attempts; how many. EHR_STATUS_UNSUPPORTED from a plugin built against ABI 1.0.
  Result<std::uint64_t> retry_webhook_deliveries(std::int64_t delivery_id) const;
  // Key rotation (R-SEC-2): everything stored re-encrypted under the host's current data key,
  // batch_size values per transaction; audited by `actor`. EHR_STATUS_UNSUPPORTED from a plugin
  // without it.
  struct Rekeyed {
    std::uint32_t key_id = 0;
    std::uint64_t resealed = 0;
  };
  Result<Rekeyed> rekey(const Principal& actor, std::uint32_t batch_size) const;

 private:
  std::shared_ptr<const detail::ChannelBinding> binding_;
};

}  // namespace ehr::host

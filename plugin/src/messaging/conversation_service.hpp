// Conversations between a patient's portal users and staff (R-MSG-1..5, R-CONV-1..5, R-AUD-1,
// R-HOOK-1): every call checks access with facts asked from the host at that moment, audits what
// it did or refused, and writes through the group-commit writer so that a message and its audit
// record commit together and are acknowledged only once durable.
//
// THREADING: every member may be called concurrently from many host threads.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "audit/audit_log.hpp"
#include "common/storage.hpp"
#include "host/principal.hpp"
#include "messaging/conversation_store.hpp"
#include "messaging/eligibility.hpp"
#include "messaging/eligibility_facts.hpp"
#include "messaging/group_commit.hpp"
#include "messaging/new_message_notice.hpp"

namespace ehr::portal {

class HookRegistry;
class HostClient;
class SettingsService;
class WebhookDelivery;
struct WebhookDraft;

struct ExplainQuery {
  std::string staff_user_id;   // empty: ask about the portal side only
  std::string portal_user_id;  // empty: ask about the staff side only
  std::string patient_id;
};

struct Recipient {
  Principal principal;
  std::string display_name;
};

struct StartThreadRequest {
  Principal sender;
  std::string patient_id;
  std::vector<Principal> recipients;  // staff sender: empty means every eligible portal user of the chart
  std::string subject;
  std::string body;
};

struct ReplyRequest {
  Principal sender;
  int64_t thread_id = 0;
  std::string body;
};

struct SentMessage {
  int64_t thread_id = 0;
  int64_t message_id = 0;
  int64_t sent_at_ms = 0;
};

struct InboxRequest {
  Principal reader;
  bool archived = false;
  uint32_t limit = 0;  // 0: kDefaultPageSize
  uint32_t offset = 0;
};

struct InboxPage {
  std::vector<ThreadSummaryRecord> threads;
  uint64_t thread_count = 0;  // across all pages
  uint64_t unread_total = 0;  // the badge
};

struct MessageView {
  MessageRecord message;
  std::string sender_display_name;
};

// A thread and its messages as export and import carry them (ehr_thread_record): plain records,
// mapped to FHIR by the host.
struct ExchangedMessage {
  RecordIdentifier identifier;
  RecordIdentifier in_response_to;  // empty: the thread's first message
  Principal sender;
  std::vector<Principal> recipients;  // the thread's other participants
  std::string body;
  int64_t sent_at_ms = 0;
  std::optional<int64_t> received_at_ms;
};

struct ExchangedThread {
  RecordIdentifier identifier;
  std::string patient_id;
  std::string subject;
  Principal started_by;
  std::vector<Principal> recipients;  // the participants other than started_by
  int64_t started_at_ms = 0;
  std::vector<ExchangedMessage> messages;  // oldest first
};

struct ImportCounts {
  uint64_t threads_added = 0;
  uint64_t messages_added = 0;
};

class ConversationService {
 public:
  static constexpr uint32_t kDefaultPageSize = 50;
  static constexpr uint32_t kMaxPageSize = 500;

  // `db` is the plugin's store (shared with the audit log): reads run on snapshots of it (on
  // SQLite, a read connection of their own), writes through the group-commit writer.
  ConversationService(Store& db, const HostClient& host, SettingsService& settings, AuditLog& audit,
                      HookRegistry& hooks, AtRest& at_rest);
  ~ConversationService();
  ConversationService(const ConversationService&) = delete;
  ConversationService& operator=(const ConversationService&) = delete;

  // R-SEC-2 key rotation: asks the host for its current data key, then re-seals every subject,
  // body and waiting webhook payload not under it, `batch_size` values per write transaction, so sends go on
  // between batches (a send that committed under the old key before a batch reached its row is re-sealed by a
  // later batch: rows are walked in id order and new rows get higher ids). Audited as keys.rotate
  // (counts only). batch_size: 1 to 10000, else Error(EHR_STATUS_INVALID_ARGUMENT, "batch_size").
  struct RekeyReport {
    uint32_t key_id = 0;
    uint64_t resealed = 0;  // every value re-encrypted, webhook payloads included (what the ABI reports)
    uint64_t payloads = 0;  // of which waiting webhook payloads
    uint64_t batches = 0;
  };
  RekeyReport rekey(const Principal& actor, uint32_t batch_size);

  // R-MSG-5: the same decision a send would meet, without sending anything.
  [[nodiscard]] Eligibility explain(const ExplainQuery& query) const;
  // R-MSG-3: exactly the staff this portal user may write to about the patient.
  [[nodiscard]] std::vector<Recipient> list_recipients(const Principal& reader,
                                                       const std::string& patient_id) const;

  SentMessage start_thread(const StartThreadRequest& request);
  SentMessage reply(const ReplyRequest& request);

  // R-CONV-2/R-CONV-3: the reader's own threads, newest first, with unread counts and the badge.
  [[nodiscard]] InboxPage list_threads(const InboxRequest& request);
  [[nodiscard]] uint64_t unread_total(const Principal& reader);
  // Oldest first; marks the thread read for this reader only, audits the read, runs on_read.
  std::vector<MessageView> read_thread(const Principal& reader, int64_t thread_id);
  // R-CONV-4, per reader.
  void set_archived(const Principal& reader, int64_t thread_id, bool archived);

  // R-CONV-6: a staff participant brings in a colleague eligible for the thread's patient. False
  // (and no audit record) when the colleague was already on the thread.
  bool add_participant(const Principal& actor, int64_t thread_id, const Principal& added);
  // Everyone on the thread, by display name, for any reader that may open it; audited.
  [[nodiscard]] std::vector<Recipient> list_participants(const Principal& reader, int64_t thread_id);

  // May `reader` see which practice the chart belongs to (its brand)? An active staff user may; a
  // portal user must be active and a contact on the chart. Audits and throws the refusal when
  // not; an unknown patient is Error(EHR_STATUS_NOT_FOUND) for staff (NOT_A_CONTACT for a portal
  // user). Answers the chart's location.
  [[nodiscard]] std::string check_chart_reader(const Principal& reader, const std::string& patient_id);
  // A chart's threads (those with a message at or after since_ms; 0: all), for staff with access
  // to the chart (the staff side of a send about the patient). Audited as chart.export, refusals too.
  [[nodiscard]] std::vector<ExchangedThread> export_chart(const Principal& actor,
                                                          const std::string& patient_id, int64_t since_ms);
  // Stores the threads and messages whose identifiers the store does not hold yet, all in one
  // transaction, after checking every record: the actor's access to each chart, and that the host
  // knows every patient and person named. Each imported message is audited as message.import.
  ImportCounts import_threads(const Principal& actor, const std::vector<ExchangedThread>& threads);

  // Where new-message notices go (issue 5); set once while wiring, before any call.
  void set_new_message_notifier(NewMessageNotifier notifier) { notifier_ = std::move(notifier); }
  // The webhook (config webhook.url): every stored message gets an outbox row in its own
  // transaction, and the worker is woken after COMMIT. Set once while wiring, before any call.
  void set_webhook(WebhookDelivery* webhook) noexcept { webhook_ = webhook; }

 private:
  // A thread the caller may open, as it was when access was checked.
  struct Access {
    ThreadRecord thread;
    std::vector<Principal> participants;
  };

  [[nodiscard]] std::size_t body_limit() const;
  // The charts a portal reader may see now; nullopt for staff. Audits and throws when the
  // reader's account cannot use messaging at all.
  [[nodiscard]] std::optional<std::vector<std::string>> visible_charts(const Principal& reader,
                                                                       const char* action);
  // May `who` open this thread now (R-CONV-3)? Audits and throws the refusal when not.
  Access check_access(const Principal& who, int64_t thread_id, const char* action);
  // R-MSG-2/R-MSG-3 for the sender and toward each counterpart; fills `allowed` with those it may
  // write to. Refuses with the sender's own reason first, else with the first counterpart's when
  // `require_all` or when nobody is left.
  [[nodiscard]] Eligibility check_send(const Principal& sender, const ChartFacts& chart,
                                       const std::vector<Principal>& counterparts, bool require_all,
                                       std::vector<Principal>& allowed) const;
  // R-HOOK-1: runs outside any transaction; throws Error(EHR_STATUS_REJECTED) with the hook's reason.
  void run_before_store(const Principal& sender, const std::string& patient_id, int64_t thread_id,
                        const std::string& subject, const std::string& body, const char* action);
  void after_store(const Principal& sender, const std::string& patient_id, const SentMessage& sent,
                   const std::string& subject, const std::string& body,
                   const std::vector<Principal>& recipients);
  // Runs `write` in the writer's transaction if the settings `chart` was decided by are still
  // current there. When another writer of the same database changed them after the check,
  // `decide_again` refreshes `chart` and decides again (refusing by throwing), then it retries.
  SentMessage write_decided(const ChartFacts& chart, const std::function<void()>& decide_again,
                            const std::function<SentMessage(Transaction&)>& write);
  // With the webhook on: the message's people as FHIR knows them, asked of the host now (before
  // the write), for the outbox row the write adds.
  [[nodiscard]] std::optional<WebhookDraft> webhook_draft(const Principal& sender,
                                                          const std::vector<Principal>& people,
                                                          const std::string& patient_id,
                                                          const std::string& subject, const std::string& body,
                                                          int64_t at_ms) const;
  // Audits the refusal (committed through the writer before the caller hears of it), then throws it.
  [[noreturn]] void refuse(AuditEntry entry, ehr_status code, ehr_deny_reason reason,
                           const std::string& message, const std::string& field = {});
  [[nodiscard]] std::string display_name(const Principal& who) const;
  // Export and import: staff with access to the chart (the staff side of a send), else refused.
  void require_chart_access(const Principal& actor, const std::string& patient_id, const char* action);

  const HostClient& host_;
  AtRest& at_rest_;
  SettingsService& settings_;
  AuditLog& audit_;
  HookRegistry& hooks_;
  EligibilityFactsSource facts_;
  ConversationStore store_;
  Store& db_;  // reads on snapshots; writes through writer_
  GroupCommitWriter writer_;
  NewMessageNotifier notifier_;
  WebhookDelivery* webhook_ = nullptr;
};

}  // namespace ehr::portal

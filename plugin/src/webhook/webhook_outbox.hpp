// The webhook's outbox (at-least-once delivery of each stored message to the host admin's HTTP
// endpoint). A row is written in the SAME transaction as its message, so whatever was
// acknowledged to a sender is also queued for delivery, and a restart finds every row that was
// not delivered yet. The row holds the payload (the message as a FHIR Communication) because the
// delivery worker may not ask the host anything: host services are called only during a plugin
// call, and the worker runs between calls.
//
// The payload carries the subject and body, so it is sealed like them (R-SEC-2, crypto/at_rest.hpp)
// under the data key, bound to its row ("webhook_outbox:<id>:payload"), its key id in payload_key
// (0: clear, rows from before or an admin's opt-out). The worker opens it with keys loaded during
// a host call (it may not ask the host), and a payload that does not open is a failed attempt with
// the reason as last_error, never sent as garbage.
//
// States: pending (waiting for its next attempt), delivered (a 2xx answer; payload cleared),
// dead (max_attempts failed; kept with its payload until retried). Within a thread the oldest
// pending row goes first, so a receiver sees a thread's messages in order; a dead row does not
// hold up the ones after it.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "common/storage.hpp"
#include "fhir/fhir_mapping.hpp"
#include "host/principal.hpp"

namespace ehr::portal {

class AtRest;
class HostClient;
class PluginConfig;

// The admin's webhook configuration (config keys webhook.*). Values never reach a log or error.
struct WebhookSettings {
  std::string url;
  std::string secret;
  int64_t max_attempts = 10;
  int64_t backoff_base_ms = 1000;
  int64_t backoff_max_ms = 600'000;
  int64_t timeout_ms = 10'000;

  // nullopt when webhook.url is not set. Throws Error(EHR_STATUS_INVALID_ARGUMENT, field
  // "config") naming the key that is wrong (never its value).
  [[nodiscard]] static std::optional<WebhookSettings> from(const PluginConfig& config);
};

enum class OutboxState { pending, delivered, dead };
[[nodiscard]] const char* outbox_state_name(OutboxState state) noexcept;
[[nodiscard]] std::optional<OutboxState> parse_outbox_state(std::string_view name) noexcept;

// What the outbox needs of a message, gathered on the sender's thread before the write (the
// people's kinds and names are asked of the host there).
struct WebhookDraft {
  std::string patient_id;
  std::string patient_name;  // the subject reference's display
  std::string subject;
  fhir::Person sender;
  std::vector<fhir::Person> recipients;
  std::string body;
  int64_t sent_at_ms = 0;
};

// One row as `ehr-host webhooks list` shows it: no payload, nothing that is PHI.
struct OutboxEntry {
  int64_t id = 0;
  int64_t message_id = 0;
  int64_t thread_id = 0;
  std::string idempotency_key;
  OutboxState state = OutboxState::pending;
  uint32_t attempts = 0;
  int64_t created_at_ms = 0;
  int64_t next_attempt_at_ms = 0;  // pending rows; 0: due at once
  int64_t delivered_at_ms = 0;     // delivered rows
  std::string last_error;          // e.g. "HTTP 503", "timed out"; never the receiver's words
};

// A row due for an attempt.
struct OutboxDue {
  int64_t id = 0;
  std::string idempotency_key;
  std::string payload;       // as stored: sealed unless payload_key is 0
  uint32_t payload_key = 0;  // 0: clear
  uint32_t attempts = 0;
};

class WebhookOutbox {
 public:
  // On the sender's thread, before the write: the people as FHIR knows them.
  [[nodiscard]] static WebhookDraft draft(const HostClient& host, const Principal& sender,
                                          const std::vector<Principal>& recipients, std::string patient_id,
                                          std::string subject, std::string body, int64_t sent_at_ms);
  // In the message's transaction: the row, due at once, with the payload built now that the ids
  // are known. now_ms (the host's clock) is when it was queued; attempt times are the system
  // clock's, which is the one the worker waits on.
  // recipients: who the message went to in the end (the draft's people not among them are left
  // out: a send decided again in the writer may reach fewer).
  // The payload is sealed by `at_rest` (in clear only when it is not encrypting).
  static void enqueue(Transaction& tx, const AtRest& at_rest, const WebhookDraft& draft,
                      const std::vector<Principal>& recipients, int64_t thread_id, int64_t message_id,
                      int64_t now_ms);
  // The payload in clear, on the worker's thread (never asks the host). Throws
  // Error(EHR_STATUS_STORAGE) naming the delivery and the key when it does not open: its key is
  // not loaded or gone, or it was altered or moved from another row.
  [[nodiscard]] static std::string open_payload(const AtRest& at_rest, const OutboxDue& due);

  // The row that goes next: the oldest pending row of each thread, the earliest due among them.
  // Its next_attempt_at may be in the future (then the worker waits until then).
  [[nodiscard]] static std::optional<std::pair<OutboxDue, int64_t>> next(Transaction& tx);
  static void delivered(Transaction& tx, int64_t id, int64_t now_ms);
  // A failed attempt: pending again at `retry_at_ms`, or dead when it was the last one.
  static void failed(Transaction& tx, int64_t id, const std::string& error, bool dead, int64_t retry_at_ms);

  // Newest first. state: only rows in that state.
  [[nodiscard]] static std::vector<OutboxEntry> list(Transaction& tx, std::optional<OutboxState> state,
                                                     uint32_t limit);
  // Dead rows back to pending with no attempts, due now; id 0: every dead row. Returns how many.
  // A row that is not dead is refused (Error NOT_FOUND / INVALID_ARGUMENT naming it).
  static uint64_t retry(Transaction& tx, int64_t id);

  // Key rotation: the distinct keys that payloads still waiting (pending or dead) are under, for
  // a host call to load before the worker or a rotation needs them.
  [[nodiscard]] static std::vector<uint32_t> payload_keys(Transaction& tx);
  // Re-seals up to `limit` waiting payloads not under the current key, ids after *cursor (moved
  // on). Returns how many.
  static uint64_t reseal(Transaction& tx, const AtRest& at_rest, int64_t* cursor, uint32_t limit);
};

}  // namespace ehr::portal

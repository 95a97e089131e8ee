// The webhook's delivery worker: one thread per plugin instance that has webhook.url set (none
// otherwise), which POSTs the outbox's rows one at a time, in transactions of its own on the plugin's store.
// It never calls the host (host services are for the duration of a plugin call), so what it did is kept in
// the outbox rows (attempts, state, last error) for `ehr-host webhooks list`, and it logs nothing. A send
// only wakes it: no send waits on the network.
//
// Each POST carries the Communication as the body and the headers
//   Content-Type: application/fhir+json
//   Idempotency-Key: <store id>.<message id>   (the same on every attempt of a message)
//   X-Webhook-Timestamp: <unix seconds of this attempt>
//   X-Signature: sha256=<hex HMAC-SHA256(secret, timestamp + "." + body)>
// A 2xx answer delivers it. Anything else (another status, no connection, a timeout) is a failed
// attempt: the next waits base * 2^(attempts - 1) capped at the maximum, with full jitter in its
// upper half, and after max_attempts the row is dead until retried.
#pragma once

#include <condition_variable>
#include <cstdint>
#include <functional>
#include <mutex>
#include <optional>
#include <random>
#include <string>
#include <thread>

#include "common/storage.hpp"
#include "webhook/webhook_outbox.hpp"

namespace ehr::portal {

class AtRest;

// "sha256=" and the lowercase hex HMAC-SHA256 of timestamp + "." + body under `secret`.
[[nodiscard]] std::string webhook_signature(const std::string& secret, const std::string& timestamp,
                                            const std::string& body);

class WebhookDelivery {
 public:
  // Starts the worker, which resumes every pending row left by an earlier run. It reads on
  // snapshots of `store` and records each attempt in a write transaction of its own (SQLite:
  // read connections and the write connection; PostgreSQL: pooled connections). Payloads are
  // opened with the keys `at_rest` has loaded (the worker asks the host for none: see
  // WebhookOutbox::payload_keys).
  // OWNERSHIP: borrows `store` and `at_rest`, which must outlive this.
  WebhookDelivery(WebhookSettings settings, Store& store, const AtRest& at_rest);
  // Interrupts an attempt in flight (it stays pending, to be made again next time) and joins.
  ~WebhookDelivery();
  WebhookDelivery(const WebhookDelivery&) = delete;
  WebhookDelivery& operator=(const WebhookDelivery&) = delete;

  // Something was queued or retried: look again now. Never blocks on delivery.
  void wake();

  [[nodiscard]] const WebhookSettings& settings() const noexcept { return settings_; }

 private:
  void run();
  // One POST of `payload` (in clear); empty on a 2xx answer, else the error words for the row;
  // nullopt when it was not made or was cut short by the destructor (it does not count).
  std::optional<std::string> post(const OutboxDue& due, const std::string& payload);
  [[nodiscard]] int64_t backoff_ms(uint32_t attempts);

  const WebhookSettings settings_;
  const AtRest& at_rest_;
  Store& store_;
  std::mt19937_64 random_;
  std::mutex mutex_;
  std::condition_variable wake_cv_;
  bool woken_ = false;
  bool stopping_ = false;
  std::function<void()> interrupt_;  // stops the attempt in flight, under mutex_
  bool cut_ = false;                 // the destructor stopped an attempt in flight
  std::thread thread_;
};

}  // namespace ehr::portal

#include "webhook/webhook_delivery.hpp"

#include <sodium.h>

#include <httplib.h>
#include <algorithm>
#include <chrono>

#include "common/error.hpp"
#include "common/storage.hpp"
#include "crypto/at_rest.hpp"
#include "storage/transaction.hpp"

namespace ehr::portal {

namespace {

int64_t now_ms() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

// "https://host:port/path?query" -> ("https://host:port", "/path?query").
std::pair<std::string, std::string> split_url(const std::string& url) {
  const std::size_t scheme_end = url.find("://");
  const std::size_t path_start =
      url.find_first_of("/?#", scheme_end == std::string::npos ? 0 : scheme_end + 3);
  if (path_start == std::string::npos) return {url, "/"};
  std::string path = url.substr(path_start);
  if (path.front() != '/') path.insert(0, "/");
  if (const std::size_t fragment = path.find('#'); fragment != std::string::npos) path.resize(fragment);
  return {url.substr(0, path_start), path};
}

// What went wrong, in words that name no URL, body or answer (they may hold anything).
std::string error_words(httplib::Error error) {
  switch (error) {
    case httplib::Error::Connection:
      return "could not connect";
    case httplib::Error::ConnectionTimeout:
      return "timed out connecting";
    case httplib::Error::Read:
      return "timed out or lost the connection waiting for the answer";
    case httplib::Error::Write:
      return "lost the connection sending";
    case httplib::Error::SSLConnection:
      return "TLS handshake failed";
    case httplib::Error::SSLLoadingCerts:
      return "could not load the CA certificates";
    case httplib::Error::SSLServerVerification:
      return "the server's TLS certificate did not verify";
    case httplib::Error::Canceled:
      return "canceled";
    default:
      return "request failed (" + httplib::to_string(error) + ")";
  }
}

}  // namespace

std::string webhook_signature(const std::string& secret, const std::string& timestamp,
                              const std::string& body) {
  crypto_auth_hmacsha256_state state;
  crypto_auth_hmacsha256_init(&state, reinterpret_cast<const unsigned char*>(secret.data()), secret.size());
  const std::string signed_prefix = timestamp + ".";
  crypto_auth_hmacsha256_update(&state, reinterpret_cast<const unsigned char*>(signed_prefix.data()),
                                signed_prefix.size());
  crypto_auth_hmacsha256_update(&state, reinterpret_cast<const unsigned char*>(body.data()), body.size());
  unsigned char mac[crypto_auth_hmacsha256_BYTES];
  crypto_auth_hmacsha256_final(&state, mac);
  char hex[crypto_auth_hmacsha256_BYTES * 2 + 1];
  sodium_bin2hex(hex, sizeof hex, mac, sizeof mac);
  return std::string("sha256=") + hex;
}

WebhookDelivery::WebhookDelivery(WebhookSettings settings, Store& store, const AtRest& at_rest)
    : settings_(std::move(settings)), at_rest_(at_rest), store_(store), random_(std::random_device{}()) {
  if (sodium_init() < 0) throw Error(EHR_STATUS_INTERNAL, "libsodium could not be initialized");
  thread_ = std::thread([this] { run(); });
}

WebhookDelivery::~WebhookDelivery() {
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
    if (interrupt_) {
      cut_ = true;
      interrupt_();
    }
  }
  wake_cv_.notify_all();
  thread_.join();
}

void WebhookDelivery::wake() {
  {
    std::lock_guard lock(mutex_);
    woken_ = true;
  }
  wake_cv_.notify_all();
}

int64_t WebhookDelivery::backoff_ms(uint32_t attempts) {
  // base * 2^(attempts - 1), capped; then a random wait in its upper half, so that many rows
  // failing together do not come back together.
  int64_t wait = settings_.backoff_base_ms;
  for (uint32_t i = 1; i < attempts && wait < settings_.backoff_max_ms; ++i) wait *= 2;
  wait = std::min(wait, settings_.backoff_max_ms);
  std::uniform_int_distribution<int64_t> jitter(wait / 2, wait);
  return jitter(random_);
}

std::optional<std::string> WebhookDelivery::post(const OutboxDue& due, const std::string& payload) {
  const auto [origin, path] = split_url(settings_.url);
  httplib::Client client(origin);
  if (!client.is_valid()) return "the webhook address is not usable";
  const auto timeout = std::chrono::milliseconds(settings_.timeout_ms);
  client.set_connection_timeout(timeout);
  client.set_read_timeout(timeout);
  client.set_write_timeout(timeout);
  {
    std::lock_guard lock(mutex_);
    if (stopping_) return std::nullopt;
    interrupt_ = [&client] { client.stop(); };
  }
  const std::string timestamp = std::to_string(now_ms() / 1000);
  const httplib::Headers headers{{"Idempotency-Key", due.idempotency_key},
                                 {"X-Webhook-Timestamp", timestamp},
                                 {"X-Signature", webhook_signature(settings_.secret, timestamp, payload)}};
  httplib::Result result = client.Post(path, headers, payload, "application/fhir+json");
  {
    std::lock_guard lock(mutex_);
    interrupt_ = nullptr;
    if (cut_) return std::nullopt;
  }
  if (!result) return error_words(result.error());
  if (result->status >= 200 && result->status < 300) return std::string();
  return "HTTP " + std::to_string(result->status);
}

void WebhookDelivery::run() {
  for (;;) {
    std::optional<std::pair<OutboxDue, int64_t>> next;
    try {
      Transaction tx(store_, TransactionMode::read);
      next = WebhookOutbox::next(tx);
    } catch (const std::exception&) {
      next.reset();  // the database is busy or failing: look again after a while
    }
    const int64_t now = now_ms();
    if (!next || next->second > now) {
      std::unique_lock lock(mutex_);
      const auto wait =
          next ? std::chrono::milliseconds(next->second - now) : std::chrono::milliseconds(60'000);
      wake_cv_.wait_for(lock, wait, [&] { return stopping_ || woken_; });
      if (stopping_) return;
      woken_ = false;
      continue;
    }
    const OutboxDue& due = next->first;
    std::optional<std::string> outcome;
    try {
      // A payload that does not open (its key gone, or altered, or moved from another row) is
      // never sent: it is a failed attempt naming why, and goes the way of any other.
      outcome = post(due, WebhookOutbox::open_payload(at_rest_, due));
    } catch (const Error& e) {
      outcome = e.what();
    }
    // Not made, or cut by shutdown: the attempt does not count; the row is tried again next
    // start. One that ended before the stop is recorded even if the stop came meanwhile: its
    // answer is known (a short-lived host used to lose it, so `webhooks list` showed no attempt).
    if (!outcome) return;
    const std::string& error = *outcome;
    try {
      Transaction tx(store_, TransactionMode::write);
      if (error.empty()) {
        WebhookOutbox::delivered(tx, due.id, now_ms());
      } else {
        const uint32_t attempts = due.attempts + 1;
        const bool dead = attempts >= static_cast<uint32_t>(settings_.max_attempts);
        WebhookOutbox::failed(tx, due.id, error, dead, now_ms() + (dead ? 0 : backoff_ms(attempts)));
      }
      tx.commit();
    } catch (const std::exception&) {
      // Not recorded: the row stays as it was and is attempted again, which the idempotency key
      // makes harmless. Wait a little so a failing database is not spun on.
      std::unique_lock lock(mutex_);
      wake_cv_.wait_for(lock, std::chrono::milliseconds(settings_.backoff_base_ms),
                        [&] { return stopping_; });
      if (stopping_) return;
    }
  }
}

}  // namespace ehr::portal

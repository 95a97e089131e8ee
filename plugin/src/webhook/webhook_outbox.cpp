#include "webhook/webhook_outbox.hpp"

#include <algorithm>
#include <utility>

#include "common/error.hpp"
#include "config/plugin_config.hpp"
#include "host/host_client.hpp"
#include "messaging/conversation_store.hpp"
#include "storage/transaction.hpp"

namespace ehr::portal {

namespace {

constexpr std::size_t kMinSecretLength = 16;

fhir::Person person(const HostClient& host, const Principal& who) {
  if (who.kind == PrincipalKind::staff) {
    const std::optional<UserInfo> user = host.get_user(who.id);
    return {fhir::PersonKind::staff, who.id, user ? user->display_name : std::string()};
  }
  const std::optional<PortalUserInfo> user = host.get_portal_user(who.id);
  fhir::PersonKind kind = fhir::PersonKind::patient;
  if (user && user->kind == PortalUserKind::guardian) kind = fhir::PersonKind::guardian;
  if (user && user->kind == PortalUserKind::guarantor) kind = fhir::PersonKind::guarantor;
  return {kind, who.id, user ? user->display_name : std::string()};
}

OutboxState state_at(const Statement& row, int column) {
  return parse_outbox_state(row.text(column)).value_or(OutboxState::pending);
}

}  // namespace

std::optional<WebhookSettings> WebhookSettings::from(const PluginConfig& config) {
  std::optional<std::string> url = config.get("webhook.url");
  if (!url) return std::nullopt;
  WebhookSettings settings;
  settings.url = std::move(*url);
  if (settings.url.rfind("http://", 0) != 0 && settings.url.rfind("https://", 0) != 0) {
    throw Error(EHR_STATUS_INVALID_ARGUMENT,
                "the configuration key 'webhook.url' takes an http:// or https:// address", "config");
  }
  settings.secret = config.get("webhook.secret").value_or("");
  if (settings.secret.size() < kMinSecretLength) {
    throw Error(EHR_STATUS_INVALID_ARGUMENT,
                "the configuration key 'webhook.secret' must be set, at least " +
                    std::to_string(kMinSecretLength) + " characters, when webhook.url is",
                "config");
  }
  settings.max_attempts = config.get_integer("webhook.max_attempts", settings.max_attempts, 1, 100);
  settings.backoff_base_ms =
      config.get_integer("webhook.backoff_base_ms", settings.backoff_base_ms, 1, 3'600'000);
  settings.backoff_max_ms =
      config.get_integer("webhook.backoff_max_ms", settings.backoff_max_ms, 1, 86'400'000);
  settings.timeout_ms = config.get_integer("webhook.timeout_ms", settings.timeout_ms, 1, 120'000);
  return settings;
}

const char* outbox_state_name(OutboxState state) noexcept {
  switch (state) {
    case OutboxState::pending:
      return "pending";
    case OutboxState::delivered:
      return "delivered";
    case OutboxState::dead:
      return "dead";
  }
  return "pending";
}

std::optional<OutboxState> parse_outbox_state(std::string_view name) noexcept {
  for (OutboxState state : {OutboxState::pending, OutboxState::delivered, OutboxState::dead}) {
    if (name == outbox_state_name(state)) return state;
  }
  return std::nullopt;
}

WebhookDraft WebhookOutbox::draft(const HostClient& host, const Principal& sender,
                                  const std::vector<Principal>& recipients, std::string patient_id,
                                  std::string subject, std::string body, int64_t sent_at_ms) {
  WebhookDraft draft;
  if (std::optional<PatientInfo> patient = host.get_patient(patient_id))
    draft.patient_name = patient->display_name;
  draft.patient_id = std::move(patient_id);
  draft.subject = std::move(subject);
  draft.sender = person(host, sender);
  for (const Principal& to : recipients) {
    if (to != sender) draft.recipients.push_back(person(host, to));
  }
  draft.body = std::move(body);
  draft.sent_at_ms = sent_at_ms;
  return draft;
}

void WebhookOutbox::enqueue(Transaction& tx, const WebhookDraft& draft,
                            const std::vector<Principal>& recipients, int64_t thread_id, int64_t message_id,
                            int64_t now_ms) {
  const std::string store = ConversationStore::store_id(tx);
  fhir::MessageRecord record;
  record.identifier = fhir::local_message_identifier(store, message_id);
  record.thread = fhir::local_thread_identifier(store, thread_id);
  Statement previous = tx.prepare("SELECT MAX(id) FROM messages WHERE thread_id = ?1 AND id < ?2");
  previous.bind_all(thread_id, message_id);
  if (previous.step() && !previous.is_null(0)) {
    record.in_response_to = fhir::local_message_identifier(store, previous.int64(0));
  }
  record.patient_id = draft.patient_id;
  record.patient_name = draft.patient_name;
  record.subject = draft.subject;
  record.sender = draft.sender;
  for (const fhir::Person& person : draft.recipients) {
    const PrincipalKind kind =
        person.kind == fhir::PersonKind::staff ? PrincipalKind::staff : PrincipalKind::portal_user;
    if (std::find(recipients.begin(), recipients.end(), Principal{kind, person.id}) != recipients.end()) {
      record.recipients.push_back(person);
    }
  }
  record.body = draft.body;
  record.sent_at_unix_ms = draft.sent_at_ms;
  tx.prepare(
        "INSERT INTO webhook_outbox (message_id, thread_id, idempotency_key, payload, next_attempt_at, "
        "created_at) VALUES (?1, ?2, ?3, ?4, 0, ?5)")
      .bind_all(message_id, thread_id, record.identifier.value, fhir::to_communication(record).dump(), now_ms)
      .run();
}

std::optional<std::pair<OutboxDue, int64_t>> WebhookOutbox::next(Transaction& tx) {
  Statement query = tx.prepare(
      "SELECT o.id, o.idempotency_key, o.payload, o.attempts, o.next_attempt_at FROM webhook_outbox o "
      "WHERE o.state = 'pending' AND NOT EXISTS (SELECT 1 FROM webhook_outbox e "
      "WHERE e.state = 'pending' AND e.thread_id = o.thread_id AND e.id < o.id) "
      "ORDER BY o.next_attempt_at, o.id LIMIT 1");
  if (!query.step()) return std::nullopt;
  OutboxDue due{query.int64(0), query.text(1), query.text(2), static_cast<uint32_t>(query.int64(3))};
  return std::make_pair(std::move(due), query.int64(4));
}

void WebhookOutbox::delivered(Transaction& tx, int64_t id, int64_t now_ms) {
  tx.prepare(
        "UPDATE webhook_outbox SET state = 'delivered', attempts = attempts + 1, delivered_at = ?2, "
        "payload = NULL, last_error = '' WHERE id = ?1")
      .bind_all(id, now_ms)
      .run();
}

void WebhookOutbox::failed(Transaction& tx, int64_t id, const std::string& error, bool dead,
                           int64_t retry_at_ms) {
  tx.prepare(
        "UPDATE webhook_outbox SET attempts = attempts + 1, last_error = ?2, state = ?3, next_attempt_at = "
        "?4 "
        "WHERE id = ?1 AND state = 'pending'")
      .bind_all(id, error, dead ? "dead" : "pending", retry_at_ms)
      .run();
}

std::vector<OutboxEntry> WebhookOutbox::list(Transaction& tx, std::optional<OutboxState> state,
                                             uint32_t limit) {
  Statement query = tx.prepare(
      "SELECT id, message_id, thread_id, idempotency_key, state, attempts, created_at, next_attempt_at, "
      "COALESCE(delivered_at, 0), last_error FROM webhook_outbox WHERE (?1 IS NULL OR state = ?1) "
      "ORDER BY id DESC LIMIT ?2");
  if (state) {
    query.bind(1, outbox_state_name(*state));
  } else {
    query.bind_null(1);
  }
  query.bind(2, static_cast<int64_t>(limit));
  std::vector<OutboxEntry> entries;
  while (query.step()) {
    OutboxEntry entry;
    entry.id = query.int64(0);
    entry.message_id = query.int64(1);
    entry.thread_id = query.int64(2);
    entry.idempotency_key = query.text(3);
    entry.state = state_at(query, 4);
    entry.attempts = static_cast<uint32_t>(query.int64(5));
    entry.created_at_ms = query.int64(6);
    entry.next_attempt_at_ms = entry.state == OutboxState::pending ? query.int64(7) : 0;
    entry.delivered_at_ms = query.int64(8);
    entry.last_error = query.text(9);
    entries.push_back(std::move(entry));
  }
  return entries;
}

uint64_t WebhookOutbox::retry(Transaction& tx, int64_t id) {
  if (id != 0) {
    Statement find = tx.prepare("SELECT state FROM webhook_outbox WHERE id = ?1");
    find.bind(1, id);
    if (!find.step()) {
      throw Error(EHR_STATUS_NOT_FOUND, "there is no webhook delivery " + std::to_string(id), "id");
    }
    if (find.text(0) != "dead") {
      throw Error(EHR_STATUS_INVALID_ARGUMENT,
                  "webhook delivery " + std::to_string(id) + " is " + find.text(0) +
                      ", not dead: only a dead-lettered delivery is retried",
                  "id");
    }
  }
  Statement update = tx.prepare(
      "UPDATE webhook_outbox SET state = 'pending', attempts = 0, next_attempt_at = 0 "
      "WHERE state = 'dead' AND (?1 = 0 OR id = ?1) RETURNING id");
  update.bind(1, id);
  uint64_t count = 0;
  while (update.step()) ++count;
  return count;
}

}  // namespace ehr::portal

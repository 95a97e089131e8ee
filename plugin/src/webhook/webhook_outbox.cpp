#include "webhook/webhook_outbox.hpp"

#include <algorithm>
#include <utility>

#include "common/error.hpp"
#include "common/storage.hpp"
#include "config/plugin_config.hpp"
#include "crypto/at_rest.hpp"
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

// AtRest's associated data: the row and the field, so a payload copied into another row fails.
std::string payload_binding(int64_t id) {
  return "webhook_outbox:" + std::to_string(id) + ":payload";
}

void store_payload(Transaction& tx, int64_t id, const Sealed& sealed) {
  Statement update = tx.prepare("UPDATE webhook_outbox SET payload = ?2, payload_key = ?3 WHERE id = ?1");
  update.bind(1, id);
  // Clear text stays TEXT as before, so a clear row reads the same whatever wrote it.
  if (sealed.key_id == 0) {
    update.bind(2, sealed.bytes);
  } else {
    update.bind_blob(2, sealed.bytes);
  }
  update.bind(3, static_cast<int64_t>(sealed.key_id)).run();
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

void WebhookOutbox::enqueue(Transaction& tx, const AtRest& at_rest, const WebhookDraft& draft,
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
  // The row first, without its payload: the seal is bound to the row's id, known only now. Both
  // are in the message's transaction, so no one ever sees the row without it.
  Statement insert = tx.prepare(
      "INSERT INTO webhook_outbox (message_id, thread_id, idempotency_key, payload, next_attempt_at, "
      "created_at) VALUES (?1, ?2, ?3, NULL, 0, ?4) RETURNING id");
  insert.bind_all(message_id, thread_id, record.identifier.value, now_ms);
  if (!insert.step()) throw Error(EHR_STATUS_STORAGE, "the webhook delivery could not be queued");
  const int64_t id = insert.int64(0);
  insert.reset();
  store_payload(tx, id, at_rest.seal(fhir::to_communication(record).dump(), payload_binding(id)));
}

std::string WebhookOutbox::open_payload(const AtRest& at_rest, const OutboxDue& due) {
  return at_rest.open(due.payload_key, due.payload, payload_binding(due.id),
                      "payload of webhook delivery " + std::to_string(due.id), /*ask_host=*/false);
}

std::optional<std::pair<OutboxDue, int64_t>> WebhookOutbox::next(Transaction& tx) {
  Statement query = tx.prepare(
      "SELECT o.id, o.idempotency_key, o.payload, o.attempts, o.next_attempt_at, o.payload_key "
      "FROM webhook_outbox o "
      "WHERE o.state = 'pending' AND NOT EXISTS (SELECT 1 FROM webhook_outbox e "
      "WHERE e.state = 'pending' AND e.thread_id = o.thread_id AND e.id < o.id) "
      "ORDER BY o.next_attempt_at, o.id LIMIT 1");
  if (!query.step()) return std::nullopt;
  OutboxDue due{query.int64(0), query.text(1), query.text(2), static_cast<uint32_t>(query.int64(5)),
                static_cast<uint32_t>(query.int64(3))};
  return std::make_pair(std::move(due), query.int64(4));
}

void WebhookOutbox::delivered(Transaction& tx, int64_t id, int64_t now_ms) {
  tx.prepare(
        "UPDATE webhook_outbox SET state = 'delivered', attempts = attempts + 1, delivered_at = ?2, "
        "payload = NULL, payload_key = 0, last_error = '' WHERE id = ?1")
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
      "COALESCE(delivered_at, 0), last_error FROM webhook_outbox WHERE (CAST(?1 AS TEXT) IS NULL OR state = "
      "?1) "
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

std::vector<uint32_t> WebhookOutbox::payload_keys(Transaction& tx) {
  Statement query = tx.prepare(
      "SELECT DISTINCT payload_key FROM webhook_outbox WHERE payload IS NOT NULL AND payload_key <> 0");
  std::vector<uint32_t> keys;
  while (query.step()) keys.push_back(static_cast<uint32_t>(query.int64(0)));
  return keys;
}

uint64_t WebhookOutbox::reseal(Transaction& tx, const AtRest& at_rest, int64_t* cursor, uint32_t limit) {
  // Delivered rows hold no payload; pending and dead ones wait with theirs.
  Statement rows = tx.prepare(
      "SELECT id, payload, payload_key FROM webhook_outbox WHERE id > ?1 AND payload IS NOT NULL AND "
      "payload_key <> ?2 ORDER BY id LIMIT ?3");
  rows.bind_all(*cursor, static_cast<int64_t>(at_rest.current_key_id()), static_cast<int64_t>(limit));
  std::vector<std::pair<int64_t, Sealed>> resealed;
  while (rows.step()) {
    const int64_t id = rows.int64(0);
    const std::string payload =
        at_rest.open(static_cast<uint32_t>(rows.int64(2)), rows.text(1), payload_binding(id),
                     "payload of webhook delivery " + std::to_string(id));
    resealed.emplace_back(id, at_rest.seal(payload, payload_binding(id)));
    *cursor = id;
  }
  rows.reset();
  for (const auto& [id, sealed] : resealed) store_payload(tx, id, sealed);
  return resealed.size();
}

}  // namespace ehr::portal

#include "audit/audit_log.hpp"

#include <sodium.h>

#include <algorithm>
#include <array>
#include <iterator>
#include <string>
#include <utility>

#include "audit/audit_schema.hpp"
#include "common/error.hpp"
#include "common/storage.hpp"
#include "host/host_client.hpp"
#include "storage/transaction.hpp"

namespace ehr::portal {

namespace {

constexpr std::string_view kColumns =
    "sequence, at_unix_ms, actor_kind, actor_id, action, patient_id, target, outcome, detail, previous_hash, "
    "hash, key_id";

// Who records what the plugin does by itself (checkpoints, keying the chain).
const Principal kPluginActor = Principal::staff("(plugin)");

// Each field as "<length>:<bytes>;" so no choice of field contents can mimic another record.
void append_field(std::string& out, std::string_view field) {
  out += std::to_string(field.size());
  out += ':';
  out += field;
  out += ';';
}

std::string canonical_content(const AuditRecord& record) {
  std::string canonical;
  append_field(canonical, record.previous_hash);
  append_field(canonical, std::to_string(record.sequence));
  append_field(canonical, std::to_string(record.at_unix_ms));
  append_field(canonical, std::to_string(static_cast<uint32_t>(record.entry.actor.kind)));
  append_field(canonical, record.entry.actor.id);
  append_field(canonical, record.entry.action);
  append_field(canonical, record.entry.patient_id);
  append_field(canonical, record.entry.target);
  append_field(canonical, record.entry.outcome);
  append_field(canonical, record.entry.detail);
  return canonical;
}

template <size_t N>
std::string hex(const std::array<unsigned char, N>& digest) {
  std::array<char, N * 2 + 1> text{};
  sodium_bin2hex(text.data(), text.size(), digest.data(), digest.size());
  return std::string(text.data(), N * 2);
}

// The chain of a plugin without a key service (and of every database before 1.1).
std::string unkeyed_hash(const AuditRecord& record) {
  const std::string canonical = canonical_content(record);
  std::array<unsigned char, crypto_hash_sha256_BYTES> digest{};
  crypto_hash_sha256(digest.data(), reinterpret_cast<const unsigned char*>(canonical.data()),
                     canonical.size());
  return hex(digest);
}

std::string hmac(const AuditKey& key, std::string_view message) {
  crypto_auth_hmacsha256_state state;
  crypto_auth_hmacsha256_init(&state, reinterpret_cast<const unsigned char*>(key.secret.data()),
                              key.secret.size());
  crypto_auth_hmacsha256_update(&state, reinterpret_cast<const unsigned char*>(message.data()),
                                message.size());
  std::array<unsigned char, crypto_auth_hmacsha256_BYTES> mac{};
  crypto_auth_hmacsha256_final(&state, mac.data());
  sodium_memzero(&state, sizeof state);
  return hex(mac);
}

// The keyed chain: the key id is part of what is MACed, and a tag keeps a record's MAC from ever
// being taken for a checkpoint's.
std::string keyed_hash(const AuditKey& key, const AuditRecord& record) {
  std::string message;
  append_field(message, "ehr-audit-record-v1");
  append_field(message, std::to_string(key.id));
  message += canonical_content(record);
  return hmac(key, message);
}

bool same_hex(const std::string& a, const std::string& b) {
  return a.size() == b.size() && sodium_memcmp(a.data(), b.data(), a.size()) == 0;
}

AuditRecord read_record(const Statement& row) {
  AuditRecord record;
  record.sequence = row.int64(0);
  record.at_unix_ms = row.int64(1);
  record.entry.actor = {static_cast<PrincipalKind>(row.int64(2)), row.text(3)};
  record.entry.action = row.text(4);
  record.entry.patient_id = row.text(5);
  record.entry.target = row.text(6);
  record.entry.outcome = row.text(7);
  record.entry.detail = row.text(8);
  record.previous_hash = row.text(9);
  record.hash = row.text(10);
  record.key_id = static_cast<uint32_t>(row.int64(11));
  return record;
}

ehr_str view(const std::string& text) {
  return ehr_str{text.data(), text.size()};
}

void fail(AuditVerification& result, ehr_audit_finding finding, int64_t sequence, std::string problem,
          int64_t checkpoint_sequence = 0) {
  result.ok = false;
  result.finding = finding;
  result.first_bad_sequence = sequence;
  result.checkpoint_sequence = checkpoint_sequence;
  result.problem = std::move(problem);
}

}  // namespace

AuditKey::~AuditKey() {
  if (!secret.empty()) sodium_memzero(secret.data(), secret.size());
}

ehr_audit_event to_abi_event(const AuditRecord& record) {
  ehr_audit_event event{};
  event.struct_type = EHR_STRUCT_AUDIT_EVENT;
  event.struct_size = sizeof event;
  event.sequence = record.sequence;
  event.at_unix_ms = record.at_unix_ms;
  event.actor.struct_type = EHR_STRUCT_PRINCIPAL;
  event.actor.struct_size = sizeof event.actor;
  event.actor.kind = static_cast<ehr_principal_kind>(record.entry.actor.kind);
  event.actor.id = view(record.entry.actor.id);
  event.action = view(record.entry.action);
  event.patient_id = view(record.entry.patient_id);
  event.target = view(record.entry.target);
  event.outcome = view(record.entry.outcome);
  event.detail = view(record.entry.detail);
  event.hash = view(record.hash);
  return event;
}

AuditLog::AuditLog(Store& db, const HostClient& host, AuditKeySource keys, std::string plugin_id,
                   std::string host_id)
    : db_(db),
      host_(host),
      keys_(std::move(keys)),
      plugin_id_(std::move(plugin_id)),
      checkpoint_target_(host_id.empty() ? std::string(kUnnamedCheckpointTarget)
                                         : std::string(kUnnamedCheckpointTarget) + ":" + host_id) {
  if (sodium_init() < 0) throw Error(EHR_STATUS_INTERNAL, "libsodium could not be initialized");
}

bool AuditLog::checkpoints() const noexcept {
  return keyed() && host_.supports_checkpoints();
}

bool AuditLog::own_checkpoint(const AuditRecord& record) const {
  // A record from before hosts were named was taken by the one host the chain then had: the host
  // whose data directory holds its checkpoint.
  return record.entry.action == kCheckpointAction &&
         (record.entry.target == checkpoint_target_ || record.entry.target == kUnnamedCheckpointTarget);
}

std::optional<AuditKey> AuditLog::key(uint32_t key_id) {
  {
    std::lock_guard lock(keys_mutex_);
    if (auto known = known_keys_.find(key_id); known != known_keys_.end()) return known->second;
  }
  if (!keys_) return std::nullopt;
  std::optional<AuditKey> asked = keys_(key_id);
  if (!asked || asked->id != key_id) return std::nullopt;  // 0 is never a record's key
  std::lock_guard lock(keys_mutex_);
  known_keys_.insert_or_assign(key_id, *asked);
  return asked;
}

void AuditLog::start() {
  if (keys_) current_key_ = keys_(0);
  if (!keyed()) return;
  {
    std::lock_guard lock(keys_mutex_);
    known_keys_.insert_or_assign(current_key_->id, *current_key_);
  }
  hand_over_unsaved_checkpoint();
  Transaction tx(db_);
  // Only a chain that is unkeyed from end to end is one from before the key service. Unkeyed
  // records in a keyed chain, or when the host already holds checkpoints, were written by someone
  // without the key: re-chaining them would launder them, so they stay for verify() to name.
  // Asked as two EXISTS, each stopping at the first record that answers it (a keyed log answers at
  // its first): counting the records read the whole log at every start, inside this write
  // transaction, whose lock every host's writes wait for.
  auto kinds = tx.prepare(
      "SELECT CASE WHEN EXISTS (SELECT 1 FROM audit_log WHERE key_id <> 0) THEN 1 ELSE 0 END, "
      "CASE WHEN EXISTS (SELECT 1 FROM audit_log) THEN 1 ELSE 0 END");
  (void)kinds.step();
  const bool any_keyed = kinds.int64(0) != 0;
  const bool any_record = kinds.int64(1) != 0;
  if (any_keyed || !any_record) return;
  if (host_.supports_checkpoints() && !host_.list_audit_checkpoints(plugin_id_).empty()) {
    host_.log(
        LogLevel::error,
        "the audit log is unkeyed but the host holds checkpoints of a keyed chain: it was rebuilt without "
        "the audit key; it is left as found for `audit verify` to name");
    return;
  }
  // Both passes read the log in batches of kRechainBatch records, so keying a log of millions
  // holds one batch in memory, not the whole log.
  const auto batch_after = [&](int64_t sequence) {
    std::vector<AuditRecord> batch;
    batch.reserve(kRechainBatch);
    auto rows = tx.prepare("SELECT " + std::string(kColumns) +
                           " FROM audit_log WHERE sequence > ?1 ORDER BY sequence LIMIT ?2");
    rows.bind_all(sequence, kRechainBatch);
    while (rows.step()) batch.push_back(read_record(rows));
    return batch;
  };
  std::string previous(kGenesisHash);
  int64_t expected = 1;
  for (auto batch = batch_after(0); !batch.empty(); batch = batch_after(batch.back().sequence)) {
    for (const AuditRecord& record : batch) {
      if (record.sequence != expected || record.previous_hash != previous ||
          record.hash != unkeyed_hash(record)) {
        throw Error(EHR_STATUS_STORAGE,
                    "the audit log cannot be keyed: its unkeyed chain is broken at record " +
                        std::to_string(expected) +
                        " (altered, removed or reordered), and keying it would hide that. Restore portal.db "
                        "from a backup taken before the break, or keep this database for investigation");
      }
      previous = record.hash;
      ++expected;
    }
  }
  const int64_t rechained = expected - 1;
  // One transaction: outside it the append-only triggers are never absent (the schema change is
  // transactional in both databases). SQLite cannot disable a trigger, so it drops and restores it.
  const bool sqlite = tx.dialect() == Dialect::sqlite;
  tx.execute_script(sqlite ? "DROP TRIGGER IF EXISTS audit_log_refuse_update"
                           : "ALTER TABLE audit_log DISABLE TRIGGER audit_log_refuse_update");
  previous = std::string(kGenesisHash);
  for (auto batch = batch_after(0); !batch.empty(); batch = batch_after(batch.back().sequence)) {
    auto update =
        tx.prepare("UPDATE audit_log SET previous_hash = ?1, hash = ?2, key_id = ?3 WHERE sequence = ?4");
    for (AuditRecord& record : batch) {
      record.previous_hash = previous;
      record.key_id = current_key_->id;
      record.hash = keyed_hash(*current_key_, record);
      update.reset();
      update.bind_all(record.previous_hash, record.hash, record.key_id, record.sequence).run();
      previous = record.hash;
    }
  }
  tx.execute_script(sqlite ? kAuditRefuseUpdateTriggerSql
                           : "ALTER TABLE audit_log ENABLE TRIGGER audit_log_refuse_update");
  const AuditRecord keyed_record =
      insert(tx, {kPluginActor, "audit.keyed", "", "", "ok",
                  std::to_string(rechained) + " records re-chained under the host's audit key " +
                      std::to_string(current_key_->id)});
  if (host_.supports_checkpoints()) checkpoint(tx);
  tx.after_commit([this, keyed_record] { mirror(keyed_record); });
  tx.commit();
  host_.log(LogLevel::info, "audit log: " + std::to_string(rechained) +
                                " records verified and re-chained under the host's audit key");
}

AuditRecord AuditLog::insert(Transaction& tx, AuditEntry entry, Head* head) {
  if (entry.action.empty())
    throw Error(EHR_STATUS_INVALID_ARGUMENT, "an audit record needs an action", "action");
  AuditRecord record;
  record.entry = std::move(entry);
  const auto chain_to = [&](const Head& previous) {
    record.sequence = previous.sequence + 1;
    record.previous_hash = previous.hash;
    if (keyed()) {
      record.key_id = current_key_->id;
      record.hash = keyed_hash(*current_key_, record);
    } else {
      record.hash = unkeyed_hash(record);
    }
  };
  // The chain's head as the table holds it, under the write lock every writer of every host takes.
  const auto read_head = [&] {
    auto last = tx.prepare("SELECT sequence, hash FROM audit_log ORDER BY sequence DESC LIMIT 1");
    if (last.step()) return Head{last.int64(0), last.text(1), 0};
    return Head{0, std::string(kGenesisHash), 0};
  };
  const auto bound_row = [&](const std::string& sql) {
    Statement statement = tx.prepare(sql);
    statement.bind_all(record.sequence, record.at_unix_ms, static_cast<uint32_t>(record.entry.actor.kind),
                       record.entry.actor.id, record.entry.action, record.entry.patient_id,
                       record.entry.target, record.entry.outcome, record.entry.detail, record.previous_hash,
                       record.hash, record.key_id);
    return statement;
  };
  const auto insert_row = [&](const std::string& sql) {
    Statement statement = bound_row(sql);
    statement.run();
    return statement.changes() == 1;
  };
  static const std::string insert_sql = "INSERT INTO audit_log(" + std::string(kColumns) +
                                        ") VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12)";
  // On PostgreSQL each statement is a round trip to the server: the head this process wrote last
  // is tried first, and the insert itself checks that it is still the head (record ?1 - 1 holds
  // hash ?10, and nothing comes after it), so the chain stays one chain whoever wrote last. "Nothing
  // after it" is asked as MAX, which reads the end of the key's index whatever the plan: as
  // NOT EXISTS (sequence >= ?1), a generic plan, which cannot know that ?1 is past the end,
  // scanned the whole table (2.7 ms a record on the quick dataset, 100 ms at full scale).
  static const std::string insert_if_head_sql =
      "INSERT INTO audit_log(" + std::string(kColumns) +
      ") SELECT CAST(?1 AS BIGINT), CAST(?2 AS BIGINT), CAST(?3 AS BIGINT), CAST(?4 AS TEXT), CAST(?5 AS "
      "TEXT), "
      "CAST(?6 AS TEXT), CAST(?7 AS TEXT), CAST(?8 AS TEXT), CAST(?9 AS TEXT), CAST(?10 AS TEXT), "
      "CAST(?11 AS TEXT), CAST(?12 AS BIGINT) "
      "WHERE COALESCE((SELECT MAX(sequence) FROM audit_log), 0) = ?1 - 1 "
      "AND EXISTS (SELECT 1 FROM audit_log WHERE sequence = ?1 - 1 AND hash = ?10)";
  // Left for later, a head that moved refuses to run, which keeps the COMMIT sent with it from
  // running too.
  static const std::string insert_if_head_guarded_sql =
      "WITH i AS (" + insert_if_head_sql + " RETURNING 1) SELECT portal_guess_held(COUNT(*) = 1) FROM i";
  if (head != nullptr && head->sequence > 0) {
    record.at_unix_ms = head->at_unix_ms;
    chain_to(*head);
    insert_row(insert_sql);
  } else {
    record.at_unix_ms = host_.now_unix_ms();
    Head guess;
    if (tx.dialect() == Dialect::postgresql) {
      std::lock_guard lock(last_written_mutex_);
      guess = last_written_;
    }
    bool written = false;
    if (guess.sequence > 0) {
      chain_to(guess);
      if (tx.defers_checks()) {
        // Read with the batch's other answers and COMMIT's (Transaction::commit_checked): a head
        // that moved makes the batch run again, checking as it goes.
        Statement sent = bound_row(insert_if_head_guarded_sql);
        sent.send();
        tx.check_later(std::move(sent));
        written = true;
      } else {
        written = insert_row(insert_if_head_sql);
      }
    }
    if (!written) {
      chain_to(read_head());
      insert_row(insert_sql);
    }
  }
  if (tx.dialect() == Dialect::postgresql) {
    std::lock_guard lock(last_written_mutex_);
    last_written_ = {record.sequence, record.hash, 0};
  }
  if (head != nullptr) *head = {record.sequence, record.hash, record.at_unix_ms};
  return record;
}

AuditRecord AuditLog::append(Transaction& tx, AuditEntry entry) {
  return append(tx, std::move(entry), nullptr);
}

AuditRecord AuditLog::append(Transaction& tx, AuditEntry entry, Head* head) {
  AuditRecord record = insert(tx, std::move(entry), head);
  tx.after_commit([this, record] { mirror(record); });
  if (checkpoints() && record.sequence % kCheckpointEvery == 0) {
    // A failed periodic checkpoint must not fail the caller's change: it is undone alone, and
    // the next one (or the next verify) anchors the chain.
    tx.execute_script("SAVEPOINT audit_checkpoint");
    const Head before = head != nullptr ? *head : Head{};
    try {
      checkpoint(tx, head);
      tx.execute_script("RELEASE audit_checkpoint");
    } catch (const std::exception& failed) {
      tx.execute_script("ROLLBACK TO audit_checkpoint; RELEASE audit_checkpoint");
      if (head != nullptr) *head = before;
      host_.log(LogLevel::warning, std::string("audit checkpoint not taken: ") + failed.what());
    }
  }
  return record;
}

AuditRecord AuditLog::append(AuditEntry entry) {
  Transaction tx(db_);
  AuditRecord record = append(tx, std::move(entry));
  tx.commit();
  return record;
}

void AuditLog::append_host_records(std::vector<AuditEntry> entries) {
  for (const AuditEntry& entry : entries) {
    if (std::find(std::begin(kHostActions), std::end(kHostActions), entry.action) == std::end(kHostActions))
      throw Error(EHR_STATUS_INVALID_ARGUMENT,
                  "a host may record only role.assign and role.unassign in the audit log, not \"" +
                      entry.action + "\"",
                  "action");
    if (!entry.actor.is_staff() || entry.actor.id.empty())
      throw Error(EHR_STATUS_INVALID_ARGUMENT, "a host audit record needs a staff user as its actor",
                  "actor");
  }
  if (entries.empty()) return;
  Transaction tx(db_);
  Head head;  // one operation: chained in memory, one time for all its records
  for (AuditEntry& entry : entries) append(tx, std::move(entry), &head);
  tx.commit();
}

std::string AuditLog::checkpoint_mac(const AuditKey& key, int64_t sequence, int64_t at_unix_ms,
                                     const std::string& hash) const {
  std::string message;
  append_field(message, "ehr-audit-checkpoint-v1");
  append_field(message, plugin_id_);
  append_field(message, std::to_string(key.id));
  append_field(message, std::to_string(sequence));
  append_field(message, std::to_string(at_unix_ms));
  append_field(message, hash);
  return hmac(key, message);
}

void AuditLog::checkpoint(Transaction& tx, Head* head) {
  // The checkpoint's own record is the head it checkpoints: the chain then says which checkpoints
  // the host must hold, and a deleted one is missed.
  const AuditRecord checkpointed =
      insert(tx, {kPluginActor, std::string(kCheckpointAction), "", checkpoint_target_, "ok", ""}, head);
  tx.after_commit([this, checkpointed] {
    hand_to_host(checkpointed.key_id, checkpointed);
    mirror(checkpointed);
  });
}

void AuditLog::hand_to_host(uint32_t key_id, const AuditRecord& record) noexcept {
  try {
    const std::optional<AuditKey> with = key(key_id);
    if (!with) throw Error(EHR_STATUS_INTERNAL, "its audit key is gone");
    host_.save_audit_checkpoint(plugin_id_,
                                {record.sequence, record.at_unix_ms, key_id, record.hash,
                                 checkpoint_mac(*with, record.sequence, record.at_unix_ms, record.hash)});
  } catch (const std::exception& failed) {
    // The record stays in the chain: the next start hands it over if it is still the newest.
    try {
      host_.log(LogLevel::warning, "audit checkpoint of record " + std::to_string(record.sequence) +
                                       " not handed to the host: " + failed.what());
    } catch (...) {
    }
  }
}

void AuditLog::hand_over_unsaved_checkpoint() {
  if (!checkpoints()) return;
  int64_t held = 0;
  for (const HostClient::Checkpoint& saved : host_.list_audit_checkpoints(plugin_id_))
    held = std::max(held, saved.sequence);
  std::optional<AuditRecord> unsaved;
  {
    Transaction tx(db_, TransactionMode::read);
    // The action as the SQL's own text, not a parameter: only then may either database's planner
    // read the checkpoint records' partial index (audit_log_checkpoints) instead of the whole log
    // back to the host's newest checkpoint, every record of it for a host that holds none.
    static const std::string newest_checkpoint_sql =
        "SELECT " + std::string(kColumns) + " FROM audit_log WHERE sequence > ?1 AND action = '" +
        std::string(kCheckpointAction) + "' AND (target = ?2 OR target = ?3) ORDER BY sequence DESC LIMIT 1";
    auto rows = tx.prepare(newest_checkpoint_sql);
    rows.bind_all(held, checkpoint_target_, kUnnamedCheckpointTarget);
    if (rows.step()) unsaved = read_record(rows);
  }
  if (!unsaved) return;
  const std::optional<AuditKey> with = key(unsaved->key_id);
  if (!with || !same_hex(unsaved->hash, keyed_hash(*with, *unsaved))) return;  // verify() names it
  hand_to_host(unsaved->key_id, *unsaved);
}

void AuditLog::checkpoint_quietly() noexcept {
  try {
    if (!checkpoints()) return;
    Transaction tx(db_);
    // Unless the head is this host's own checkpoint: another host's does not anchor this one's file.
    auto last =
        tx.prepare("SELECT " + std::string(kColumns) + " FROM audit_log ORDER BY sequence DESC LIMIT 1");
    if (!last.step() || own_checkpoint(read_record(last))) return;
    checkpoint(tx);
    tx.commit();
  } catch (const std::exception& failed) {
    host_.log(LogLevel::warning, std::string("audit checkpoint not taken: ") + failed.what());
  }
}

AuditVerification AuditLog::verify() {
  AuditVerification result;
  // The host's checkpoints first: each must be the plugin's own (its MAC), and is then compared
  // with the record it names as the chain is walked.
  std::map<int64_t, HostClient::Checkpoint> held;
  if (checkpoints()) {
    for (HostClient::Checkpoint& saved : host_.list_audit_checkpoints(plugin_id_)) {
      ++result.checkpoints_checked;
      const std::optional<AuditKey> with = key(saved.key_id);
      if (!with ||
          !same_hex(saved.mac, checkpoint_mac(*with, saved.sequence, saved.at_unix_ms, saved.hash))) {
        fail(result, EHR_AUDIT_CHECKPOINT_FORGED, saved.sequence,
             "the host's checkpoint of audit record " + std::to_string(saved.sequence) +
                 " was not made by the plugin",
             saved.sequence);
        return result;
      }
      held.insert_or_assign(saved.sequence, std::move(saved));
    }
  }
  // Records saying a checkpoint was handed to this host. Another host's checkpoint records are
  // checked by that host, whose store holds them: this one never had them.
  std::vector<int64_t> announced;
  int64_t last_sequence = 0;
  {
    Transaction tx(db_, TransactionMode::read);
    auto rows = tx.prepare("SELECT " + std::string(kColumns) + " FROM audit_log ORDER BY sequence");
    std::string previous_hash(kGenesisHash);
    int64_t expected = 1;
    bool more = rows.step();
    while (more) {
      const AuditRecord record = read_record(rows);
      more = rows.step();
      const bool at_end = !more;
      ++result.records_checked;
      const std::string at = "audit record " + std::to_string(expected);
      if (record.sequence != expected) {
        if (record.sequence > expected)
          fail(result, EHR_AUDIT_REMOVED, expected, at + " is missing");
        else
          fail(result, EHR_AUDIT_REORDERED, expected, at + " is out of order");
        return result;
      }
      if (record.previous_hash != previous_hash) {
        fail(result, EHR_AUDIT_ALTERED, expected, at + " does not follow the record before it");
        return result;
      }
      if (record.key_id == 0) {
        const bool fits = same_hex(record.hash, unkeyed_hash(record));
        if (keyed() && fits) {
          fail(result, EHR_AUDIT_UNKEYED, expected,
               at + " is not keyed: the chain was rebuilt without the audit key");
          return result;
        }
        if (!fits) {
          fail(result, at_end && keyed() ? EHR_AUDIT_FORGED : EHR_AUDIT_ALTERED, expected,
               at + " was altered");
          return result;
        }
      } else {
        const std::optional<AuditKey> with = key(record.key_id);
        if (!with) {
          fail(result, EHR_AUDIT_UNKNOWN_KEY, expected,
               at + " was made with an audit key the host does not have");
          return result;
        }
        if (!same_hex(record.hash, keyed_hash(*with, record))) {
          fail(result, at_end ? EHR_AUDIT_FORGED : EHR_AUDIT_ALTERED, expected,
               at + (at_end ? " was appended by forgery" : " was altered"));
          return result;
        }
      }
      if (auto held_at = held.find(record.sequence);
          held_at != held.end() && !same_hex(held_at->second.hash, record.hash)) {
        fail(result, EHR_AUDIT_CHECKPOINT_MISMATCH, expected,
             at + " differs from the host's checkpoint of it", record.sequence);
        return result;
      }
      if (own_checkpoint(record)) announced.push_back(record.sequence);
      last_sequence = record.sequence;
      previous_hash = record.hash;
      ++expected;
    }
  }
  if (!held.empty() && held.rbegin()->first > last_sequence) {
    fail(result, EHR_AUDIT_TRUNCATED, last_sequence + 1,
         "the audit log was truncated: records from " + std::to_string(last_sequence + 1) +
             " on are missing, but the host holds a checkpoint of record " +
             std::to_string(held.rbegin()->first),
         held.rbegin()->first);
    return result;
  }
  if (checkpoints()) {
    for (int64_t sequence : announced) {
      if (!held.contains(sequence)) {
        fail(result, EHR_AUDIT_CHECKPOINT_MISSING, sequence,
             "the host's checkpoint of audit record " + std::to_string(sequence) + " is missing");
        return result;
      }
    }
    // Intact: anchor what was just verified (unless its head already is a checkpoint).
    if (announced.empty() || announced.back() != last_sequence) {
      Transaction tx(db_);
      checkpoint(tx);
      tx.commit();
    }
  }
  return result;
}

std::vector<AuditRecord> AuditLog::list(std::string_view patient_id) {
  std::vector<AuditRecord> records;
  Transaction tx(db_, TransactionMode::read);
  auto rows = patient_id.empty()
                  ? tx.prepare("SELECT " + std::string(kColumns) + " FROM audit_log ORDER BY sequence")
                  : tx.prepare("SELECT " + std::string(kColumns) +
                               " FROM audit_log WHERE patient_id = ?1 ORDER BY sequence");
  if (!patient_id.empty()) rows.bind(1, patient_id);
  while (rows.step()) records.push_back(read_record(rows));
  return records;
}

void AuditLog::mirror(const AuditRecord& record) const noexcept {
  if (!host_.supports_audit()) return;
  try {
    host_.audit(to_abi_event(record));
  } catch (...) {
    // The record is safely in the plugin's own log; the host's copy is a convenience.
    try {
      host_.log(LogLevel::warning, "audit record " + std::to_string(record.sequence) +
                                       " was not mirrored to the host's audit service");
    } catch (...) {
    }
  }
}

}  // namespace ehr::portal

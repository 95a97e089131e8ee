#include "audit/audit_log.hpp"

#include <sodium.h>

#include <array>
#include <string>
#include <utility>

#include "common/error.hpp"
#include "host/host_client.hpp"
#include "storage/database.hpp"
#include "storage/transaction.hpp"

namespace ehr::portal {

namespace {

constexpr std::string_view kColumns =
    "sequence, at_unix_ms, actor_kind, actor_id, action, patient_id, target, outcome, detail, previous_hash, "
    "hash";

// Each field as "<length>:<bytes>;" so no choice of field contents can mimic another record.
void append_field(std::string& out, std::string_view field) {
  out += std::to_string(field.size());
  out += ':';
  out += field;
  out += ';';
}

std::string chained_hash(const AuditRecord& record) {
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
  std::array<unsigned char, crypto_hash_sha256_BYTES> digest{};
  crypto_hash_sha256(digest.data(), reinterpret_cast<const unsigned char*>(canonical.data()),
                     canonical.size());
  std::array<char, crypto_hash_sha256_BYTES * 2 + 1> hex{};
  sodium_bin2hex(hex.data(), hex.size(), digest.data(), digest.size());
  return std::string(hex.data(), crypto_hash_sha256_BYTES * 2);
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
  return record;
}

ehr_str view(const std::string& text) {
  return ehr_str{text.data(), text.size()};
}

}  // namespace

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

AuditLog::AuditLog(Database& db, const HostClient& host) : db_(db), host_(host) {
  if (sodium_init() < 0) throw Error(EHR_STATUS_INTERNAL, "libsodium could not be initialized");
}

AuditRecord AuditLog::append(Transaction& tx, AuditEntry entry) {
  if (entry.action.empty())
    throw Error(EHR_STATUS_INVALID_ARGUMENT, "an audit record needs an action", "action");
  AuditRecord record;
  record.entry = std::move(entry);
  record.at_unix_ms = host_.now_unix_ms();
  auto last = tx.prepare("SELECT sequence, hash FROM audit_log ORDER BY sequence DESC LIMIT 1");
  if (last.step()) {
    record.sequence = last.int64(0) + 1;
    record.previous_hash = last.text(1);
  } else {
    record.sequence = 1;
    record.previous_hash = std::string(kGenesisHash);
  }
  record.hash = chained_hash(record);
  tx.prepare("INSERT INTO audit_log(" + std::string(kColumns) + ") VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)")
      .bind_all(record.sequence, record.at_unix_ms, static_cast<uint32_t>(record.entry.actor.kind),
                record.entry.actor.id, record.entry.action, record.entry.patient_id, record.entry.target,
                record.entry.outcome, record.entry.detail, record.previous_hash, record.hash)
      .run();
  tx.after_commit([this, record] { mirror(record); });
  return record;
}

AuditRecord AuditLog::append(AuditEntry entry) {
  Transaction tx(db_);
  AuditRecord record = append(tx, std::move(entry));
  tx.commit();
  return record;
}

AuditVerification AuditLog::verify() {
  AuditVerification result;
  Transaction tx(db_, TransactionMode::read);
  auto rows = tx.prepare("SELECT " + std::string(kColumns) + " FROM audit_log ORDER BY sequence");
  std::string previous_hash(kGenesisHash);
  int64_t expected = 1;
  while (rows.step()) {
    const AuditRecord record = read_record(rows);
    ++result.records_checked;
    std::string problem;
    if (record.sequence != expected) {
      problem = record.sequence > expected ? "is missing" : "is out of order";
    } else if (record.previous_hash != previous_hash) {
      problem = "does not follow the record before it";
    } else if (record.hash != chained_hash(record)) {
      problem = "was altered";
    }
    if (!problem.empty()) {
      result.ok = false;
      result.first_bad_sequence = expected;
      result.problem = "audit record " + std::to_string(expected) + " " + problem;
      return result;
    }
    previous_hash = record.hash;
    ++expected;
  }
  return result;
}

std::vector<AuditRecord> AuditLog::list(std::string_view patient_id) {
  std::vector<AuditRecord> records;
  Transaction tx(db_, TransactionMode::read);
  auto rows = patient_id.empty()
                  ? tx.prepare("SELECT " + std::string(kColumns) + " FROM audit_log ORDER BY sequence")
                  : tx.prepare("SELECT " + std::string(kColumns) +
                               " FROM audit_log WHERE patient_id = ? ORDER BY sequence");
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

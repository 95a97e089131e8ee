#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "ehr/host_services.h"
#include "host/principal.hpp"

namespace ehr::portal {

class Database;
class HostClient;
class Transaction;

// What happened, as a caller records it (R-AUD-1). Never message content or other PHI beyond the
// patient id: `detail` says what changed ("off -> on"), not what was written.
struct AuditEntry {
  Principal actor;
  std::string action;      // e.g. "message.send", "settings.change"
  std::string patient_id;  // empty when no patient is concerned
  std::string target;      // thread, "general/my_messages", "location:north/audience", ...
  std::string outcome = "ok";
  std::string detail;
};

// An entry as stored: its place in the chain, when, and the chained hashes.
struct AuditRecord {
  int64_t sequence = 0;
  int64_t at_unix_ms = 0;
  AuditEntry entry;
  std::string previous_hash;
  std::string hash;  // hex SHA-256 over previous_hash and this record's canonical content
};

struct AuditVerification {
  bool ok = true;
  uint64_t records_checked = 0;
  int64_t first_bad_sequence = 0;  // 0 when the chain verifies
  std::string problem;             // e.g. "record 3 was altered"; empty when ok
};

// The record as the ABI carries it; its views point into `record`, which must outlive it.
[[nodiscard]] ehr_audit_event to_abi_event(const AuditRecord& record);

// The append-only, hash-chained audit log. The table's triggers refuse UPDATE and DELETE; should
// someone bypass them (the file is theirs), verify() still finds the first record that no longer
// fits the chain. Thread-safe through the Database's transactions.
class AuditLog {
 public:
  AuditLog(Database& db, const HostClient& host);

  // Appends within the caller's write transaction, so the audited change and its record commit
  // together; after that commit the record is mirrored to the host's audit service (if any).
  AuditRecord append(Transaction& tx, AuditEntry entry);
  // Appends in a transaction of its own.
  AuditRecord append(AuditEntry entry);

  [[nodiscard]] AuditVerification verify();
  // Oldest first; an empty patient_id lists every record.
  [[nodiscard]] std::vector<AuditRecord> list(std::string_view patient_id = {});

  // The hash that precedes the first record.
  static constexpr std::string_view kGenesisHash =
      "0000000000000000000000000000000000000000000000000000000000000000";

 private:
  void mirror(const AuditRecord& record) const noexcept;

  Database& db_;
  const HostClient& host_;
};

}  // namespace ehr::portal

#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/storage.hpp"
#include "ehr/audit.h"
#include "ehr/host_services.h"
#include "host/principal.hpp"

namespace ehr::portal {

class HostClient;

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
  // Hex HMAC-SHA256 under the audit key `key_id` over previous_hash and this record's canonical
  // content; SHA-256 of the same when key_id is 0 (a chain kept without a key service).
  std::string hash;
  uint32_t key_id = 0;  // 0: unkeyed
};

struct AuditVerification {
  bool ok = true;
  uint64_t records_checked = 0;
  int64_t first_bad_sequence = 0;  // 0 when the chain verifies
  std::string problem;             // e.g. "record 3 was altered"; empty when ok
  ehr_audit_finding finding = EHR_AUDIT_INTACT;
  int64_t checkpoint_sequence = 0;
  uint64_t checkpoints_checked = 0;
};

// A key of the host's key service (purpose EHR_KEY_AUDIT). The secret is wiped when it goes.
struct AuditKey {
  uint32_t id = 0;  // never 0 for a real key
  std::string secret;
  AuditKey() = default;
  AuditKey(uint32_t key_id, std::string key_secret) : id(key_id), secret(std::move(key_secret)) {}
  AuditKey(const AuditKey&) = default;
  AuditKey& operator=(const AuditKey&) = default;
  ~AuditKey();
};

// Asks the host for an audit key: 0 for the current one (new records), else the key of that id
// (records made before a rotation). nullopt: the host has no key service, or no such key.
using AuditKeySource = std::function<std::optional<AuditKey>(uint32_t key_id)>;

// The record as the ABI carries it; its views point into `record`, which must outlive it.
[[nodiscard]] ehr_audit_event to_abi_event(const AuditRecord& record);

// The append-only, keyed, chained audit log (R-AUD-1, R-SEC-3). The table's triggers refuse
// UPDATE and DELETE; should someone bypass them (the file is theirs), verify() still finds the
// first record that no longer fits the chain, and, since each hash is an HMAC under the host's audit
// key, cannot be fooled by a record forged or a chain rebuilt without that key. Checkpoints of the
// head, kept by the host outside the database, show a cut tail or a restored older database:
// taken every kCheckpointEvery records, after each successful verify() and at shutdown, each one
// itself a record ("audit.checkpoint") so that a checkpoint deleted from the host is missed.
// Several hosts may share one chain (PostgreSQL), each with checkpoints of its own: a checkpoint
// record names the host that took it ("host:<host id>"), and verify() asks the host it runs on for
// its own checkpoint records only, while every host's checkpoints still catch a cut tail.
// Thread-safe through the store's transactions.
class AuditLog {
 public:
  // `keys` empty or answering nullopt for 0: no key service, the chain stays SHA-256 and no
  // checkpoint is taken. `plugin_id` names the chain's checkpoints at the host. `host_id` names
  // this host in the checkpoint records it takes (see HostIdentity); empty: "host", as before
  // several hosts could share a chain.
  AuditLog(Store& db, const HostClient& host, AuditKeySource keys = {},
           std::string plugin_id = "portal-messaging", std::string host_id = {});

  // Once, before first use: takes the current audit key and, when every record is still unkeyed
  // (a database from before the key service), verifies that chain and re-chains it under the key
  // in one transaction, recording "audit.keyed". Throws Error naming the record when the old chain
  // is broken: it is refused, not laundered.
  void start();
  // A checkpoint of the head, unless the head already is one or the chain is not keyed. Errors
  // are logged, not thrown: for shutdown.
  void checkpoint_quietly() noexcept;

  // Appends within the caller's write transaction, so the audited change and its record commit
  // together; after that commit the record is mirrored to the host's audit service (if any).
  AuditRecord append(Transaction& tx, AuditEntry entry);
  // Appends in a transaction of its own.
  AuditRecord append(AuditEntry entry);
  // What the host changed on the plugin's behalf (ehr_audit_api.append_host_records): every entry
  // in one transaction, in order, or none. Refuses (INVALID_ARGUMENT) an action outside the host
  // namespace (kHostActions) or an actor that is not a staff user with an id, before writing.
  void append_host_records(std::vector<AuditEntry> entries);

  // The actions a host may record: role assignments of the roles this plugin declared.
  static constexpr std::string_view kHostActions[] = {"role.assign", "role.unassign"};

  [[nodiscard]] AuditVerification verify();
  // Oldest first; an empty patient_id lists every record.
  [[nodiscard]] std::vector<AuditRecord> list(std::string_view patient_id = {});

  // The hash that precedes the first record.
  static constexpr std::string_view kGenesisHash =
      "0000000000000000000000000000000000000000000000000000000000000000";
  // The action of a checkpoint's own record, and how often one is taken between verifications.
  static constexpr std::string_view kCheckpointAction = "audit.checkpoint";
  // The target of a checkpoint record taken before records named their host: one host's chain.
  static constexpr std::string_view kUnnamedCheckpointTarget = "host";
  static constexpr int64_t kCheckpointEvery = 1000;
  // How many records start() holds at a time while it verifies and re-chains an unkeyed log.
  static constexpr int64_t kRechainBatch = 2000;

 private:
  // The last record written in the current transaction, so that a batch chains in memory rather
  // than reading the head back for every record.
  struct Head {
    int64_t sequence = 0;
    std::string hash;
    int64_t at_unix_ms = 0;  // the batch's one time
  };
  AuditRecord insert(Transaction& tx, AuditEntry entry, Head* head = nullptr);
  AuditRecord append(Transaction& tx, AuditEntry entry, Head* head);
  // Appends the checkpoint record in `tx` and hands it to the host once `tx` has committed: a
  // host must never hold a checkpoint of a record that was rolled back (or lost to a crash).
  void checkpoint(Transaction& tx, Head* head = nullptr);
  // Hands the host this checkpoint record, made under the key `key_id`; a failure is logged.
  void hand_to_host(uint32_t key_id, const AuditRecord& record) noexcept;
  // A process that died between a checkpoint's COMMIT and its hand-over left the host without
  // it: the newest of this host's checkpoint records newer than what the host holds is handed
  // over at start, once its keyed hash is checked. Only that one: an older one missing from the
  // host was taken from it, and verify() names it.
  void hand_over_unsaved_checkpoint();
  [[nodiscard]] bool keyed() const noexcept { return current_key_.has_value(); }
  [[nodiscard]] bool checkpoints() const noexcept;
  // A checkpoint record this host took, so one its own checkpoint store must hold.
  [[nodiscard]] bool own_checkpoint(const AuditRecord& record) const;
  // The audit key of that id, asked once and kept; nullopt when the host does not have it.
  [[nodiscard]] std::optional<AuditKey> key(uint32_t key_id);
  [[nodiscard]] std::string checkpoint_mac(const AuditKey& key, int64_t sequence, int64_t at_unix_ms,
                                           const std::string& hash) const;
  void mirror(const AuditRecord& record) const noexcept;

  Store& db_;
  const HostClient& host_;
  AuditKeySource keys_;
  std::string plugin_id_;
  std::string checkpoint_target_;  // "host:<host id>", or "host" without one
  std::optional<AuditKey> current_key_;
  std::mutex keys_mutex_;
  std::map<uint32_t, AuditKey> known_keys_;  // guarded by keys_mutex_
  // PostgreSQL: the last record this process wrote, the likely head of the chain for its next
  // one. Only a guess: another host's record, or a transaction rolled back, makes it wrong, and
  // the insert checks it against the table in the same statement (insert()). SQLite reads the
  // head instead, which costs it no round trip to a server.
  std::mutex last_written_mutex_;
  Head last_written_;  // guarded by last_written_mutex_; sequence 0 when unknown
};

}  // namespace ehr::portal

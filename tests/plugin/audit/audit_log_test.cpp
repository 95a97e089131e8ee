#include "audit/audit_log.hpp"

#include <gtest/gtest.h>
#include <sodium.h>

#include <map>
#include <memory>
#include <string>

#include "common/error.hpp"
#include "common/storage.hpp"
#include "host/host_client.hpp"
#include "storage/transaction.hpp"
#include "support/test_host.hpp"
#include "support/test_store.hpp"

namespace ehr::portal {
namespace {

// What someone with the database itself could do behind the plugin's back: a raw connection that
// first drops (SQLite) or disables (PostgreSQL) the append-only triggers.
void tamper(const test::TestStore& store, const std::string& sql) {
  store.run_outside((store.backend() == test::Backend::sqlite
                         ? "DROP TRIGGER audit_log_refuse_update; DROP TRIGGER audit_log_refuse_delete; "
                         : "ALTER TABLE audit_log DISABLE TRIGGER USER; ") +
                    sql);
}

class AuditLogTest : public ::testing::TestWithParam<test::Backend> {
 protected:
  void append_five() {
    for (int i = 1; i <= 5; ++i) {
      audit_.append({Principal::staff("admin"), "settings.change", i % 2 ? "p1" : "", "general/my_messages",
                     "ok", "change " + std::to_string(i)});
    }
  }

  test::TestHost host_;
  HostClient client_{host_.table()};
  test::TestStore db_{GetParam()};
  AuditLog audit_{*db_, client_};
};

TEST_P(AuditLogTest, RecordsCarryActorActionPatientTargetOutcomeTime) {  // R-AUD-1
  host_.set_now(1'800'000'000'123);
  auto record = audit_.append({Principal::portal_user("pat1"), "message.read", "p1", "thread:7", "ok", ""});
  EXPECT_EQ(record.sequence, 1);
  EXPECT_EQ(record.previous_hash, AuditLog::kGenesisHash);
  auto listed = audit_.list();
  ASSERT_EQ(listed.size(), 1u);
  EXPECT_EQ(listed[0].entry.actor, Principal::portal_user("pat1"));
  EXPECT_EQ(listed[0].entry.action, "message.read");
  EXPECT_EQ(listed[0].entry.patient_id, "p1");
  EXPECT_EQ(listed[0].entry.target, "thread:7");
  EXPECT_EQ(listed[0].entry.outcome, "ok");
  EXPECT_EQ(listed[0].at_unix_ms, 1'800'000'000'123);
  EXPECT_EQ(listed[0].hash.size(), 64u);
}

TEST_P(AuditLogTest, EachRecordChainsToThePreviousOne) {  // R-AUD-1
  append_five();
  auto records = audit_.list();
  ASSERT_EQ(records.size(), 5u);
  for (size_t i = 1; i < records.size(); ++i) EXPECT_EQ(records[i].previous_hash, records[i - 1].hash);
  auto result = audit_.verify();
  EXPECT_TRUE(result.ok) << result.problem;
  EXPECT_EQ(result.records_checked, 5u);
  EXPECT_EQ(result.first_bad_sequence, 0);
}

TEST_P(AuditLogTest, ListingByPatientShowsOnlyThatPatient) {
  append_five();
  auto records = audit_.list("p1");
  ASSERT_EQ(records.size(), 3u);
  for (const auto& record : records) EXPECT_EQ(record.entry.patient_id, "p1");
}

TEST_P(AuditLogTest, UpdateAndDeleteAreRefusedByTheDatabase) {  // R-AUD-1
  append_five();
  // A transaction each: on PostgreSQL a refused statement ends its transaction.
  {
    Transaction tx(*db_);
    EXPECT_THROW(tx.prepare("UPDATE audit_log SET outcome = 'forbidden' WHERE sequence = 2").run(), Error);
  }
  Transaction tx(*db_);
  EXPECT_THROW(tx.prepare("DELETE FROM audit_log WHERE sequence = 2").run(), Error);
}

TEST_P(AuditLogTest, AlteredRecordIsNamed) {  // R-AUD-1
  append_five();
  tamper(db_, "UPDATE audit_log SET detail = 'nothing to see' WHERE sequence = 3;");
  auto result = audit_.verify();
  EXPECT_FALSE(result.ok);
  EXPECT_EQ(result.first_bad_sequence, 3);
  EXPECT_NE(result.problem.find("altered"), std::string::npos) << result.problem;
}

TEST_P(AuditLogTest, RemovedRecordIsNamed) {  // R-AUD-1
  append_five();
  tamper(db_, "DELETE FROM audit_log WHERE sequence = 2;");
  auto result = audit_.verify();
  EXPECT_FALSE(result.ok);
  EXPECT_EQ(result.first_bad_sequence, 2);
  EXPECT_NE(result.problem.find("missing"), std::string::npos) << result.problem;
}

TEST_P(AuditLogTest, ReorderedRecordsAreNamed) {  // R-AUD-1
  append_five();
  // Swap the contents of records 2 and 4, each keeping its own stored hashes.
  tamper(db_,
         "UPDATE audit_log SET sequence = -2 WHERE sequence = 2;"
         "UPDATE audit_log SET sequence = 2 WHERE sequence = 4;"
         "UPDATE audit_log SET sequence = 4 WHERE sequence = -2;");
  auto result = audit_.verify();
  EXPECT_FALSE(result.ok);
  EXPECT_EQ(result.first_bad_sequence, 2);
}

TEST_P(AuditLogTest, RecordCommitsOnlyWithTheCallersChange) {
  {
    Transaction tx(*db_);
    audit_.append(tx, {Principal::staff("admin"), "settings.change", "", "general/audience", "ok", ""});
    // no commit: the audited change did not happen, so neither did its record
  }
  EXPECT_TRUE(audit_.list().empty());
  EXPECT_TRUE(host_.audit_events().empty());
}

TEST_P(AuditLogTest, EachCommittedRecordIsMirroredToTheHost) {
  Transaction tx(*db_);
  audit_.append(tx, {Principal::staff("admin"), "settings.change", "", "general/audience", "ok", "a -> b"});
  EXPECT_TRUE(host_.audit_events().empty());  // not before the commit
  tx.commit();
  auto mirrored = host_.audit_events();
  ASSERT_EQ(mirrored.size(), 1u);
  EXPECT_EQ(mirrored[0].sequence, 1);
  EXPECT_EQ(mirrored[0].detail, "a -> b");
  EXPECT_EQ(mirrored[0].hash, audit_.list()[0].hash);
}

TEST_P(AuditLogTest, HostWithoutAuditServiceStillGetsALocalLog) {
  host_.drop_optional_services();
  HostClient older(host_.table());
  AuditLog audit(*db_, older);
  audit.append({Principal::staff("admin"), "role.assign", "", "user:drlee", "ok", ""});
  EXPECT_EQ(audit.list().size(), 1u);
  EXPECT_TRUE(audit.verify().ok);
}

TEST_P(AuditLogTest, RecordWithoutActionIsRefused) {
  EXPECT_THROW(audit_.append({Principal::staff("admin"), "", "", "", "ok", ""}), Error);
  EXPECT_TRUE(audit_.list().empty());
}

// The host records role changes of the plugin's roles in the plugin's chain (R-SEC-3): all of a
// bulk change or none, and nothing outside the host's namespace.
TEST_P(AuditLogTest, R_SEC_3_HostRecordsAreAppendedAllOrNoneAndOnlyRoleChanges) {
  audit_.append_host_records({{Principal::staff("admin"), "role.assign", "", "user:drlee", "ok",
                               "available_for_portal_messages: off -> on"},
                              {Principal::staff("admin"), "role.unassign", "", "user:nurse1", "ok",
                               "available_for_portal_messages: on -> off"}});
  auto listed = audit_.list();
  ASSERT_EQ(listed.size(), 2u);
  EXPECT_EQ(listed[0].entry.action, "role.assign");
  EXPECT_EQ(listed[1].entry.target, "user:nurse1");
  EXPECT_TRUE(audit_.verify().ok);

  try {
    audit_.append_host_records({{Principal::staff("admin"), "role.assign", "", "user:a", "ok", ""},
                                {Principal::staff("admin"), "message.send", "p1", "thread:1", "ok", ""}});
    FAIL() << "a host record outside role.* was accepted";
  } catch (const Error& refused) {
    EXPECT_EQ(refused.code(), EHR_STATUS_INVALID_ARGUMENT);
    EXPECT_EQ(refused.field(), "action");
  }
  EXPECT_THROW(
      audit_.append_host_records({{Principal::portal_user("pat1"), "role.assign", "", "user:a", "ok", ""}}),
      Error);
  EXPECT_EQ(audit_.list().size(), 2u);  // nothing of the refused batches
}

// ---- R-SEC-3: the keyed chain and the host's checkpoints --------------------------------------

// The unkeyed algorithm (SHA-256 over the length-prefixed fields), as someone holding only the
// database would rebuild the chain with it.
std::string unkeyed_rebuild_sql(const std::vector<AuditRecord>& records) {
  std::string sql = "DELETE FROM audit_log;";
  std::string previous(AuditLog::kGenesisHash);
  for (const AuditRecord& r : records) {
    std::string canonical;
    for (const std::string& field :
         {previous, std::to_string(r.sequence), std::to_string(r.at_unix_ms),
          std::to_string(static_cast<uint32_t>(r.entry.actor.kind)), r.entry.actor.id, r.entry.action,
          r.entry.patient_id, r.entry.target, r.entry.outcome, r.entry.detail})
      canonical += std::to_string(field.size()) + ":" + field + ";";
    unsigned char digest[crypto_hash_sha256_BYTES];
    crypto_hash_sha256(digest, reinterpret_cast<const unsigned char*>(canonical.data()), canonical.size());
    char hex[crypto_hash_sha256_BYTES * 2 + 1];
    sodium_bin2hex(hex, sizeof hex, digest, sizeof digest);
    sql +=
        "INSERT INTO audit_log(sequence, at_unix_ms, actor_kind, actor_id, action, patient_id, target, "
        "outcome, "
        "detail, previous_hash, hash, key_id) VALUES (" +
        std::to_string(r.sequence) + ", " + std::to_string(r.at_unix_ms) + ", " +
        std::to_string(static_cast<uint32_t>(r.entry.actor.kind)) + ", '" + r.entry.actor.id + "', '" +
        r.entry.action + "', '" + r.entry.patient_id + "', '" + r.entry.target + "', '" + r.entry.outcome +
        "', '" + r.entry.detail + "', '" + previous + "', '" + hex + "', 0);";
    previous = hex;
  }
  return sql;
}

class KeyedAuditLogTest : public ::testing::TestWithParam<test::Backend> {
 protected:
  // A host offering checkpoints (before the client copies its table).
  static test::TestHost& keeping_checkpoints(test::TestHost& host) {
    host.keep_checkpoints();
    return host;
  }

  // The host's key service: "" is the current key.
  AuditKeySource key_service() {
    return [this](uint32_t id) -> std::optional<AuditKey> {
      const uint32_t wanted = id == 0 ? current_ : id;
      auto key = keys_.find(wanted);
      if (key == keys_.end()) return std::nullopt;
      return AuditKey{key->first, key->second};
    };
  }

  // A start of the plugin: a new AuditLog over the same database.
  AuditLog& restart(bool with_keys = true) {
    audit_ = std::make_unique<AuditLog>(*db_, client_, with_keys ? key_service() : AuditKeySource{});
    audit_->start();
    return *audit_;
  }

  void append(int count) {
    for (int i = 0; i < count; ++i)
      audit_->append({Principal::staff("admin"), "settings.change", "", "general/my_messages", "ok",
                      "change " + std::to_string(i)});
  }

  // An unkeyed log (a plugin started without a key service) two batches and a bit long; returns
  // how many records. One transaction for the lot: thousands of commits would make the test slow,
  // not stronger.
  int append_unkeyed_batches() {
    const int count = static_cast<int>(2 * AuditLog::kRechainBatch + 7);
    restart(false);
    Transaction tx(*db_);
    for (int i = 0; i < count; ++i)
      audit_->append(tx, {Principal::staff("admin"), "settings.change", "", "general/my_messages", "ok",
                          "change " + std::to_string(i)});
    tx.commit();
    return count;
  }

  // Two verified checkpoints (records 3 and 6), then the host's copy of the newer one is gone.
  void checkpoint_records_3_and_6_then_drop_6_from_the_host() {
    restart();
    append(2);
    ASSERT_TRUE(audit_->verify().ok);  // checkpoint of record 3
    append(2);
    ASSERT_TRUE(audit_->verify().ok);  // checkpoint of record 6
    auto kept = host_.checkpoints();
    ASSERT_EQ(kept.size(), 2u);
    kept.pop_back();
    host_.set_checkpoints(kept);
  }

  AuditVerification expect_finding(ehr_audit_finding finding, int64_t sequence) {
    AuditVerification result = audit_->verify();
    EXPECT_FALSE(result.ok);
    EXPECT_EQ(result.finding, finding) << result.problem;
    EXPECT_EQ(result.first_bad_sequence, sequence) << result.problem;
    return result;
  }

  test::TestHost host_;
  HostClient client_{keeping_checkpoints(host_).table()};
  test::TestStore db_{GetParam()};
  std::map<uint32_t, std::string> keys_{{1, std::string(32, '\x11')}, {2, std::string(32, '\x22')}};
  uint32_t current_ = 1;
  std::unique_ptr<AuditLog> audit_;
};

TEST_P(KeyedAuditLogTest, R_SEC_3_RecordsAreHmacChainedUnderTheAuditKeyAndCheckpointedAtTheHost) {
  restart();
  append(3);
  const std::vector<AuditRecord> records = audit_->list();
  ASSERT_EQ(records.size(), 3u);
  for (const AuditRecord& record : records) EXPECT_EQ(record.key_id, 1u);
  const AuditVerification result = audit_->verify();
  EXPECT_TRUE(result.ok) << result.problem;
  EXPECT_EQ(result.finding, EHR_AUDIT_INTACT);
  // The verified head went to the host, as a record of its own the chain keeps.
  const auto checkpoints = host_.checkpoints();
  ASSERT_EQ(checkpoints.size(), 1u);
  EXPECT_EQ(checkpoints[0].plugin_id, "portal-messaging");
  EXPECT_EQ(checkpoints[0].sequence, 4);
  EXPECT_EQ(audit_->list().back().entry.action, AuditLog::kCheckpointAction);
  EXPECT_EQ(checkpoints[0].hash, audit_->list().back().hash);
  EXPECT_TRUE(audit_->verify().ok);
  EXPECT_EQ(host_.checkpoints().size(), 1u) << "a head that is a checkpoint is not checkpointed again";
}

TEST_P(KeyedAuditLogTest, R_SEC_3_AnAlteredRecordIsNamed) {
  restart();
  append(5);
  tamper(db_, "UPDATE audit_log SET actor_id = 'mallory' WHERE sequence = 2;");
  expect_finding(EHR_AUDIT_ALTERED, 2);
}

TEST_P(KeyedAuditLogTest, R_SEC_3_ATruncatedTailIsNamed) {
  restart();
  append(5);
  ASSERT_TRUE(audit_->verify().ok);  // checkpoint of record 6
  append(3);
  tamper(db_, "DELETE FROM audit_log WHERE sequence > 3;");
  const AuditVerification result = expect_finding(EHR_AUDIT_TRUNCATED, 4);
  EXPECT_EQ(result.checkpoint_sequence, 6);
}

TEST_P(KeyedAuditLogTest, R_SEC_3_ARecordAppendedByForgeryIsNamed) {
  restart();
  append(3);
  tamper(db_,
         "INSERT INTO audit_log(sequence, at_unix_ms, actor_kind, actor_id, action, patient_id, target, "
         "outcome, "
         "detail, previous_hash, hash, key_id) SELECT 4, at_unix_ms + 1, 1, 'mallory', 'role.assign', '', "
         "'user:mallory', 'ok', '', hash, hash, key_id FROM audit_log WHERE sequence = 3;");
  expect_finding(EHR_AUDIT_FORGED, 4);
}

TEST_P(KeyedAuditLogTest, R_SEC_3_AChainRebuiltWithTheUnkeyedAlgorithmIsNamedAndNotRekeyed) {
  restart();
  append(3);
  ASSERT_TRUE(audit_->verify().ok);
  tamper(db_, unkeyed_rebuild_sql(audit_->list()).c_str());
  expect_finding(EHR_AUDIT_UNKEYED, 1);
  // A restart must not launder it by keying it: the host holds checkpoints of a keyed chain.
  restart();
  expect_finding(EHR_AUDIT_UNKEYED, 1);
}

TEST_P(KeyedAuditLogTest, R_SEC_3_ACheckpointDeletedFromTheHostIsNamed) {
  checkpoint_records_3_and_6_then_drop_6_from_the_host();
  expect_finding(EHR_AUDIT_CHECKPOINT_MISSING, 6);
}

TEST_P(KeyedAuditLogTest, R_SEC_3_ACheckpointForgedAtTheHostIsNamed) {
  restart();
  append(2);
  ASSERT_TRUE(audit_->verify().ok);
  auto forged = host_.checkpoints();
  forged[0].sequence = 40;  // "the chain went this far": an attempt to make the log look cut
  host_.set_checkpoints(forged);
  const AuditVerification result = expect_finding(EHR_AUDIT_CHECKPOINT_FORGED, 40);
  EXPECT_EQ(result.checkpoint_sequence, 40);
}

TEST_P(KeyedAuditLogTest, R_SEC_3_AnUnkeyedDatabaseIsVerifiedAndRechainedOnceUnderTheKey) {
  restart(false);
  append(3);
  const std::string old_hash = audit_->list()[2].hash;
  restart();
  const std::vector<AuditRecord> records = audit_->list();
  ASSERT_EQ(records.size(), 5u);  // 3 re-chained, "audit.keyed", its checkpoint
  for (const AuditRecord& record : records) EXPECT_EQ(record.key_id, 1u);
  EXPECT_NE(records[2].hash, old_hash);
  EXPECT_EQ(records[3].entry.action, "audit.keyed");
  EXPECT_NE(records[3].entry.detail.find("3 records re-chained"), std::string::npos);
  EXPECT_TRUE(audit_->verify().ok);
  // The append-only triggers are back (a transaction each: on PostgreSQL a refused statement ends
  // its transaction).
  {
    Transaction tx(*db_);
    EXPECT_THROW(tx.prepare("UPDATE audit_log SET outcome = 'x' WHERE sequence = 1").run(), Error);
  }
  Transaction tx(*db_);
  EXPECT_THROW(tx.prepare("DELETE FROM audit_log WHERE sequence = 1").run(), Error);
}

TEST_P(KeyedAuditLogTest, R_SEC_3_ABrokenUnkeyedChainIsRefusedRatherThanKeyed) {
  restart(false);
  append(3);
  tamper(db_, "UPDATE audit_log SET detail = 'nothing to see' WHERE sequence = 2;");
  try {
    restart();
    FAIL() << "a broken unkeyed chain was keyed";
  } catch (const Error& refused) {
    EXPECT_NE(std::string(refused.what()).find("broken at record 2"), std::string::npos) << refused.what();
  }
  for (const AuditRecord& record : AuditLog(*db_, client_).list()) EXPECT_EQ(record.key_id, 0u);
}

// start() reads the log in batches (a host upgrading a log of millions holds one batch, not the
// log): a chain longer than two batches is keyed whole, and a break in a later batch is found.
TEST_P(KeyedAuditLogTest, R_SEC_3_AnUnkeyedLogLongerThanABatchIsKeyedWhole) {
  const int count = append_unkeyed_batches();
  restart();
  const std::vector<AuditRecord> records = audit_->list();
  ASSERT_EQ(records.size(), static_cast<size_t>(count) + 2);  // + "audit.keyed" and its checkpoint
  EXPECT_EQ(records[static_cast<size_t>(count)].entry.action, "audit.keyed");
  EXPECT_NE(
      records[static_cast<size_t>(count)].entry.detail.find(std::to_string(count) + " records re-chained"),
      std::string::npos);
  for (const AuditRecord& record : records) EXPECT_EQ(record.key_id, 1u);
  EXPECT_TRUE(audit_->verify().ok) << audit_->verify().problem;
}

TEST_P(KeyedAuditLogTest, R_SEC_3_ABreakInALaterBatchOfAnUnkeyedLogIsRefusedRatherThanKeyed) {
  append_unkeyed_batches();
  const int64_t broken = AuditLog::kRechainBatch + 3;
  tamper(db_,
         "UPDATE audit_log SET detail = 'nothing to see' WHERE sequence = " + std::to_string(broken) + ";");
  try {
    restart();
    FAIL() << "a chain broken in its second batch was keyed";
  } catch (const Error& refused) {
    EXPECT_NE(std::string(refused.what()).find("broken at record " + std::to_string(broken)),
              std::string::npos)
        << refused.what();
  }
  for (const AuditRecord& record : AuditLog(*db_, client_).list()) EXPECT_EQ(record.key_id, 0u);
}

TEST_P(KeyedAuditLogTest, R_SEC_3_RecordsUnderARotatedKeyStillVerify) {
  restart();
  append(2);
  current_ = 2;
  restart();
  append(2);
  const std::vector<AuditRecord> records = audit_->list();
  EXPECT_EQ(records.front().key_id, 1u);
  EXPECT_EQ(records.back().key_id, 2u);
  EXPECT_TRUE(audit_->verify().ok);
  keys_.erase(1);  // the key service lost the old key
  restart();
  expect_finding(EHR_AUDIT_UNKNOWN_KEY, 1);
}

TEST_P(KeyedAuditLogTest, R_SEC_3_ACheckpointIsTakenEveryThousandRecords) {
  restart();
  std::vector<AuditEntry> bulk(
      AuditLog::kCheckpointEvery,
      AuditEntry{Principal::staff("admin"), "role.assign", "", "user:u", "ok", "r: off -> on"});
  audit_->append_host_records(bulk);
  const auto checkpoints = host_.checkpoints();
  ASSERT_EQ(checkpoints.size(), 1u);
  EXPECT_EQ(checkpoints[0].sequence, AuditLog::kCheckpointEvery + 1);
  EXPECT_TRUE(audit_->verify().ok);
}

// A host killed while the transaction that takes a periodic checkpoint is still open: the
// transaction never commits, so the host must not be left holding a checkpoint of it (found by
// CrashDurability.R_CONV_5_..., which killed at that moment: "chain broken at sequence 1000").
TEST_P(KeyedAuditLogTest, R_SEC_3_ACheckpointWhoseTransactionNeverCommitsIsNotHeldByTheHost) {
  restart();
  std::vector<AuditEntry> bulk(
      AuditLog::kCheckpointEvery - 1,
      AuditEntry{Principal::staff("admin"), "role.assign", "", "user:u", "ok", "r: off -> on"});
  audit_->append_host_records(bulk);
  {
    Transaction tx(*db_);
    audit_->append(tx,
                   {Principal::staff("admin"), "settings.change", "", "general/my_messages", "ok", "lost"});
  }  // rolled back, as a kill before COMMIT leaves it
  EXPECT_TRUE(host_.checkpoints().empty());
  append(3);
  const AuditVerification verified = audit_->verify();
  EXPECT_TRUE(verified.ok) << verified.problem;
}

// The other side of the same moment: killed after COMMIT, before the host was handed the
// checkpoint. The next start hands it over (its record is in the keyed chain), so verify holds.
TEST_P(KeyedAuditLogTest, R_SEC_3_ACheckpointCommittedButNotHandedToTheHostIsHandedOnTheNextStart) {
  checkpoint_records_3_and_6_then_drop_6_from_the_host();  // as if it died between COMMIT and hand-over
  restart();
  ASSERT_EQ(host_.checkpoints().size(), 2u);
  EXPECT_EQ(host_.checkpoints().back().sequence, 6);
  const AuditVerification verified = audit_->verify();
  EXPECT_TRUE(verified.ok) << verified.problem;
}

// Two hosts on one chain (PostgreSQL shared by several application servers): each its own
// checkpoint store and host id, one database.
class TwoHostAuditLogTest : public KeyedAuditLogTest {
 protected:
  TwoHostAuditLogTest() {
    audit_ = std::make_unique<AuditLog>(*db_, client_, key_service(), "portal-messaging", "aaaa");
    audit_->start();
    other_->start();
  }
  void append_on_other(int count) {
    for (int i = 0; i < count; ++i)
      other_->append({Principal::staff("admin"), "settings.change", "", "general/my_messages", "ok",
                      "other " + std::to_string(i)});
  }

  test::TestHost other_host_;
  HostClient other_client_{keeping_checkpoints(other_host_).table()};
  std::unique_ptr<AuditLog> other_ =
      std::make_unique<AuditLog>(*db_, other_client_, key_service(), "portal-messaging", "bbbb");
};

TEST_P(TwoHostAuditLogTest, R_SEC_3_EachHostChecksItsOwnCheckpointsOnASharedChain) {
  append(2);
  ASSERT_TRUE(audit_->verify().ok);  // host A's checkpoint of record 3
  append_on_other(2);
  const AuditVerification from_other = other_->verify();  // B's checkpoint of record 6
  EXPECT_TRUE(from_other.ok) << from_other.problem;
  append(1);
  other_->checkpoint_quietly();  // B's shutdown: the head is A's record, so B anchors it
  audit_->checkpoint_quietly();  // A's: the head is B's checkpoint, not A's, so A anchors it too
  const AuditVerification from_this = audit_->verify();
  EXPECT_TRUE(from_this.ok) << from_this.problem;
  EXPECT_TRUE(other_->verify().ok);  // the head is A's checkpoint: B anchors it in its own store
  EXPECT_EQ(host_.checkpoints().size(), 2u);
  EXPECT_EQ(other_host_.checkpoints().size(), 3u);
}

TEST_P(TwoHostAuditLogTest, R_SEC_3_ACheckpointDeletedFromOneHostsStoreIsNamedByThatHost) {
  append(2);
  ASSERT_TRUE(audit_->verify().ok);  // A: record 3
  ASSERT_TRUE(other_->verify().ok);  // B: record 4
  append(1);
  ASSERT_TRUE(audit_->verify().ok);  // A: record 6
  auto kept = host_.checkpoints();
  ASSERT_EQ(kept.size(), 2u);
  kept.erase(kept.begin());
  host_.set_checkpoints(kept);
  expect_finding(EHR_AUDIT_CHECKPOINT_MISSING, 3);
  EXPECT_TRUE(other_->verify().ok) << "B never held A's checkpoints";
}

TEST_P(TwoHostAuditLogTest, R_SEC_3_ACutTailIsNamedByEveryHostWhoseCheckpointItRemoved) {
  append(2);
  ASSERT_TRUE(audit_->verify().ok);  // A: record 3
  append_on_other(2);
  ASSERT_TRUE(other_->verify().ok);  // B: record 6
  tamper(db_, "DELETE FROM audit_log WHERE sequence > 2;");
  expect_finding(EHR_AUDIT_TRUNCATED, 3);
  const AuditVerification from_other = other_->verify();
  EXPECT_EQ(from_other.finding, EHR_AUDIT_TRUNCATED) << from_other.problem;
  EXPECT_EQ(from_other.checkpoint_sequence, 6);
}

INSTANTIATE_TEST_SUITE_P(Backends, AuditLogTest, ::testing::ValuesIn(test::backends()), test::backend_name);
INSTANTIATE_TEST_SUITE_P(Backends, KeyedAuditLogTest, ::testing::ValuesIn(test::backends()),
                         test::backend_name);
INSTANTIATE_TEST_SUITE_P(Backends, TwoHostAuditLogTest, ::testing::ValuesIn(test::backends()),
                         test::backend_name);

}  // namespace
}  // namespace ehr::portal

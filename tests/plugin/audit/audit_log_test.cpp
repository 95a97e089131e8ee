#include "audit/audit_log.hpp"

#include <gtest/gtest.h>
#include <sqlite3.h>

#include <string>

#include "common/error.hpp"
#include "host/host_client.hpp"
#include "storage/database.hpp"
#include "storage/migrations.hpp"
#include "storage/transaction.hpp"
#include "support/temp_dir.hpp"
#include "support/test_host.hpp"

namespace ehr::portal {
namespace {

// What someone with the database file could do behind the plugin's back: a raw connection that
// first drops the append-only triggers.
void tamper(const std::filesystem::path& file, const char* sql) {
  sqlite3* raw = nullptr;
  ASSERT_EQ(sqlite3_open(file.c_str(), &raw), SQLITE_OK);
  char* message = nullptr;
  const std::string script =
      std::string("DROP TRIGGER audit_log_refuse_update; DROP TRIGGER audit_log_refuse_delete; ") + sql;
  EXPECT_EQ(sqlite3_exec(raw, script.c_str(), nullptr, nullptr, &message), SQLITE_OK) << message;
  sqlite3_free(message);
  sqlite3_close(raw);
}

class AuditLogTest : public ::testing::Test {
 protected:
  AuditLogTest() { migrate(db_); }

  void append_five() {
    for (int i = 1; i <= 5; ++i) {
      audit_.append({Principal::staff("admin"), "settings.change", i % 2 ? "p1" : "", "general/my_messages",
                     "ok", "change " + std::to_string(i)});
    }
  }

  test::TempDir dir_;
  test::TestHost host_;
  HostClient client_{host_.table()};
  Database db_{dir_ / "portal.db"};
  AuditLog audit_{db_, client_};
};

TEST_F(AuditLogTest, RecordsCarryActorActionPatientTargetOutcomeTime) {  // R-AUD-1
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

TEST_F(AuditLogTest, EachRecordChainsToThePreviousOne) {  // R-AUD-1
  append_five();
  auto records = audit_.list();
  ASSERT_EQ(records.size(), 5u);
  for (size_t i = 1; i < records.size(); ++i) EXPECT_EQ(records[i].previous_hash, records[i - 1].hash);
  auto result = audit_.verify();
  EXPECT_TRUE(result.ok) << result.problem;
  EXPECT_EQ(result.records_checked, 5u);
  EXPECT_EQ(result.first_bad_sequence, 0);
}

TEST_F(AuditLogTest, ListingByPatientShowsOnlyThatPatient) {
  append_five();
  auto records = audit_.list("p1");
  ASSERT_EQ(records.size(), 3u);
  for (const auto& record : records) EXPECT_EQ(record.entry.patient_id, "p1");
}

TEST_F(AuditLogTest, UpdateAndDeleteAreRefusedByTheDatabase) {  // R-AUD-1
  append_five();
  Transaction tx(db_);
  EXPECT_THROW(tx.prepare("UPDATE audit_log SET outcome = 'forbidden' WHERE sequence = 2").run(), Error);
  EXPECT_THROW(tx.prepare("DELETE FROM audit_log WHERE sequence = 2").run(), Error);
}

TEST_F(AuditLogTest, AlteredRecordIsNamed) {  // R-AUD-1
  append_five();
  tamper(db_.file(), "UPDATE audit_log SET detail = 'nothing to see' WHERE sequence = 3;");
  auto result = audit_.verify();
  EXPECT_FALSE(result.ok);
  EXPECT_EQ(result.first_bad_sequence, 3);
  EXPECT_NE(result.problem.find("altered"), std::string::npos) << result.problem;
}

TEST_F(AuditLogTest, RemovedRecordIsNamed) {  // R-AUD-1
  append_five();
  tamper(db_.file(), "DELETE FROM audit_log WHERE sequence = 2;");
  auto result = audit_.verify();
  EXPECT_FALSE(result.ok);
  EXPECT_EQ(result.first_bad_sequence, 2);
  EXPECT_NE(result.problem.find("missing"), std::string::npos) << result.problem;
}

TEST_F(AuditLogTest, ReorderedRecordsAreNamed) {  // R-AUD-1
  append_five();
  // Swap the contents of records 2 and 4, each keeping its own stored hashes.
  tamper(db_.file(),
         "UPDATE audit_log SET sequence = -2 WHERE sequence = 2;"
         "UPDATE audit_log SET sequence = 2 WHERE sequence = 4;"
         "UPDATE audit_log SET sequence = 4 WHERE sequence = -2;");
  auto result = audit_.verify();
  EXPECT_FALSE(result.ok);
  EXPECT_EQ(result.first_bad_sequence, 2);
}

TEST_F(AuditLogTest, RecordCommitsOnlyWithTheCallersChange) {
  {
    Transaction tx(db_);
    audit_.append(tx, {Principal::staff("admin"), "settings.change", "", "general/audience", "ok", ""});
    // no commit: the audited change did not happen, so neither did its record
  }
  EXPECT_TRUE(audit_.list().empty());
  EXPECT_TRUE(host_.audit_events().empty());
}

TEST_F(AuditLogTest, EachCommittedRecordIsMirroredToTheHost) {
  Transaction tx(db_);
  audit_.append(tx, {Principal::staff("admin"), "settings.change", "", "general/audience", "ok", "a -> b"});
  EXPECT_TRUE(host_.audit_events().empty());  // not before the commit
  tx.commit();
  auto mirrored = host_.audit_events();
  ASSERT_EQ(mirrored.size(), 1u);
  EXPECT_EQ(mirrored[0].sequence, 1);
  EXPECT_EQ(mirrored[0].detail, "a -> b");
  EXPECT_EQ(mirrored[0].hash, audit_.list()[0].hash);
}

TEST_F(AuditLogTest, HostWithoutAuditServiceStillGetsALocalLog) {
  host_.drop_optional_services();
  HostClient older(host_.table());
  AuditLog audit(db_, older);
  audit.append({Principal::staff("admin"), "role.assign", "", "user:drlee", "ok", ""});
  EXPECT_EQ(audit.list().size(), 1u);
  EXPECT_TRUE(audit.verify().ok);
}

TEST_F(AuditLogTest, RecordWithoutActionIsRefused) {
  EXPECT_THROW(audit_.append({Principal::staff("admin"), "", "", "", "ok", ""}), Error);
  EXPECT_TRUE(audit_.list().empty());
}

}  // namespace
}  // namespace ehr::portal

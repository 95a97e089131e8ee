// R-STORE-1 on PostgreSQL: the audit log stays ONE hash chain when several hosts append to the
// store at once, verifies from any host, and a chain keyed on a later start is re-chained with the
// append-only triggers off only inside that transaction. The real AuditLog over two PgStores on
// one database (two hosts), against a real server (the ctest fixture `postgresql`).
#include <gtest/gtest.h>

#include <latch>
#include <string>
#include <thread>
#include <vector>

#include "audit/audit_log.hpp"
#include "common/storage.hpp"
#include "host/host_client.hpp"
#include "storage/postgresql/pg_store.hpp"
#include "storage/transaction.hpp"
#include "support/pg_test_database.hpp"
#include "support/test_host.hpp"

namespace ehr::portal::pg {
namespace {

AuditKeySource audit_key() {
  return [](uint32_t id) -> std::optional<AuditKey> {
    if (id != 0 && id != 1) return std::nullopt;
    return AuditKey{1, std::string(32, '\x11')};
  };
}

// One application server: its own connections to the shared database, its own AuditLog.
struct Host {
  explicit Host(const test::ScratchDatabase& database, AuditKeySource keys = audit_key())
      : store(database.options()), audit(store, client, std::move(keys)) {}
  portal::test::TestHost services;
  HostClient client{services.table()};
  PgStore store;
  AuditLog audit;
};

class PgAuditChainTest : public ::testing::Test {
 protected:
  void SetUp() override { PgStore(database_.options()).migrate(test::all_steps()); }
  test::ScratchDatabase database_;
};

TEST_F(PgAuditChainTest, R_STORE_1_TwoHostsAppendingAtOnceKeepOneChainThatVerifiesFromEither) {
  Host a(database_);
  Host b(database_);
  a.audit.start();
  b.audit.start();
  constexpr int kThreadsPerHost = 2;
  constexpr int kRecordsPerThread = 20;
  std::latch start(2 * kThreadsPerHost);
  std::vector<std::string> errors(2 * kThreadsPerHost);
  std::vector<std::thread> writers;
  for (Host* host : {&a, &b}) {
    for (int t = 0; t < kThreadsPerHost; ++t) {
      writers.emplace_back([&start, host, t, &error = errors[writers.size()]] {
        start.arrive_and_wait();
        try {
          for (int i = 0; i < kRecordsPerThread; ++i) {
            // The audited change and its record in one transaction, as every feature writes them.
            Transaction tx(host->store);
            host->audit.append(tx, {Principal::staff("u" + std::to_string(t)), "message.send", "p1",
                                    "thread:" + std::to_string(i), "ok", ""});
            tx.commit();
          }
        } catch (const Error& failed) {
          error = failed.what();
        }
      });
    }
  }
  for (std::thread& writer : writers) writer.join();
  for (const std::string& error : errors) EXPECT_EQ(error, "");
  const std::vector<AuditRecord> records = b.audit.list();
  ASSERT_EQ(records.size(), 2u * kThreadsPerHost * kRecordsPerThread);
  for (std::size_t i = 0; i < records.size(); ++i) {
    EXPECT_EQ(records[i].sequence, static_cast<std::int64_t>(i) + 1);
    if (i > 0) {
      EXPECT_EQ(records[i].previous_hash, records[i - 1].hash) << "record " << i + 1;
    }
  }
  for (Host* host : {&a, &b}) {
    const AuditVerification result = host->audit.verify();
    EXPECT_TRUE(result.ok) << result.problem;
  }
}

// Each host first tries to chain to the record it wrote last, which the insert checks is still
// the head: here it is not, once because the other host appended since, once because the host's
// own last record was rolled back and the other host's record took its place with another hash.
TEST_F(PgAuditChainTest, R_STORE_1_AHostWhoseLastRecordIsNoLongerTheHeadChainsToTheRealOne) {
  Host a(database_);
  Host b(database_);
  a.audit.start();
  b.audit.start();
  const auto append = [](Host& host, const std::string& target, bool commit) {
    Transaction tx(host.store);
    host.audit.append(tx, {Principal::staff("u1"), "message.send", "p1", target, "ok", ""});
    if (commit) tx.commit();
  };
  append(a, "1", true);
  append(b, "2", true);
  append(a, "3", true);  // b appended after a's last record
  append(a, "rolled back", false);
  append(b, "4", true);  // the sequence a's rolled-back record had, another hash
  append(a, "5", true);
  append(a, "6", true);
  const std::vector<AuditRecord> records = a.audit.list();
  ASSERT_EQ(records.size(), 6u);
  for (std::size_t i = 0; i < records.size(); ++i) {
    EXPECT_EQ(records[i].sequence, static_cast<std::int64_t>(i) + 1);
    EXPECT_EQ(records[i].entry.target, std::to_string(i + 1));
    if (i > 0) {
      EXPECT_EQ(records[i].previous_hash, records[i - 1].hash) << "record " << i + 1;
    }
  }
  for (Host* host : {&a, &b}) {
    const AuditVerification result = host->audit.verify();
    EXPECT_TRUE(result.ok) << result.problem;
  }
}

TEST_F(PgAuditChainTest, R_SEC_3_AnUnkeyedChainIsKeyedOnStartAndStaysAppendOnly) {
  {
    Host before_keys(database_, AuditKeySource{});
    before_keys.audit.start();
    for (int i = 0; i < 3; ++i)
      before_keys.audit.append({Principal::staff("admin"), "settings.change", "", "general", "ok", ""});
  }
  Host keyed(database_);
  keyed.audit.start();
  const std::vector<AuditRecord> records = keyed.audit.list();
  ASSERT_EQ(records.size(), 4u) << "three re-chained, and the record saying so";
  for (const AuditRecord& record : records) EXPECT_EQ(record.key_id, 1u);
  EXPECT_EQ(records.back().entry.action, "audit.keyed");
  EXPECT_TRUE(keyed.audit.verify().ok);
  // The UPDATE trigger is back on.
  Transaction tx(keyed.store);
  try {
    tx.prepare("UPDATE audit_log SET outcome = 'denied' WHERE sequence = 1").run();
    FAIL() << "a record was changed after the re-chaining";
  } catch (const Error& error) {
    EXPECT_NE(std::string(error.what()).find("a record cannot be changed"), std::string::npos)
        << error.what();
  }
}

}  // namespace
}  // namespace ehr::portal::pg

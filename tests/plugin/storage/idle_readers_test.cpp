// Read connections (R-CONV-5: queries never wait for the writer) within a budget of idle ones
// shared by every tenant in the process: busy tenants reuse theirs, idle ones hold none.
#include "common/storage.hpp"
#include "storage/sqlite_store.hpp"

#include <gtest/gtest.h>

#include <atomic>
#include <deque>
#include <filesystem>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "storage/transaction.hpp"
#include "support/temp_dir.hpp"

namespace ehr::portal {
namespace {

std::size_t open_descriptors() {
  std::size_t count = 0;
  for ([[maybe_unused]] const auto& entry : std::filesystem::directory_iterator("/proc/self/fd")) ++count;
  return count;
}

// A tenant as the plugin serves it: its store's write connection stays open, and its reads lease
// read connections within the shared budget.
struct Tenant {
  Tenant(const std::filesystem::path& file, IdleReaders& idle)
      : store(std::make_unique<SqliteStore>(file, idle)) {}
  void read() {
    Transaction tx(*store, TransactionMode::read);
    Statement schema = tx.prepare("SELECT COUNT(*) FROM sqlite_schema");
    ASSERT_TRUE(schema.step());
  }
  std::unique_ptr<SqliteStore> store;
};

class IdleReadersTest : public ::testing::Test {
 protected:
  Tenant& add_tenant() {
    return tenants_.emplace_back(dir_ / ("tenant-" + std::to_string(tenants_.size()) + ".db"), idle_);
  }
  test::TempDir dir_;
  IdleReaders idle_{2};
  std::deque<Tenant> tenants_;
};

TEST_F(IdleReadersTest, ATenantReadingAgainReusesItsConnection) {
  Tenant& tenant = add_tenant();
  tenant.read();
  const std::size_t after_first = open_descriptors();
  for (int i = 0; i < 10; ++i) tenant.read();
  EXPECT_EQ(open_descriptors(), after_first) << "each read opened a new connection";
  EXPECT_EQ(idle_.held_by(*tenant.store), 1U);
}

TEST_F(IdleReadersTest, BeyondTheBudgetTheLeastRecentlyUsedTenantsConnectionCloses) {
  Tenant& first = add_tenant();
  Tenant& second = add_tenant();
  Tenant& third = add_tenant();
  const std::size_t writers_only = open_descriptors();
  first.read();
  second.read();
  EXPECT_GT(open_descriptors(), writers_only);
  first.read();  // now the second tenant's is the least recently used
  third.read();
  EXPECT_EQ(idle_.held_by(*first.store), 1U);
  EXPECT_EQ(idle_.held_by(*second.store), 0U);
  EXPECT_EQ(idle_.held_by(*third.store), 1U);

  // The idle tenants' descriptors go once busier ones use the budget: only the writers' remain.
  Tenant& fourth = add_tenant();
  Tenant& fifth = add_tenant();
  const std::size_t writers_and_two_readers = open_descriptors();
  fourth.read();
  fifth.read();
  EXPECT_EQ(open_descriptors(), writers_and_two_readers);
  EXPECT_EQ(idle_.held_by(*first.store) + idle_.held_by(*third.store), 0U);
}

TEST_F(IdleReadersTest, ATenantThatGoesClosesItsIdleConnections) {
  const std::size_t before = open_descriptors();
  Tenant& staying = add_tenant();
  staying.read();
  const std::size_t staying_with_one_reader = open_descriptors();
  Tenant& leaving = add_tenant();
  leaving.read();
  EXPECT_GT(open_descriptors(), staying_with_one_reader);
  EXPECT_EQ(idle_.held_by(*leaving.store), 1U);
  leaving.store.reset();  // its writer and its idle reader
  EXPECT_EQ(open_descriptors(), staying_with_one_reader);
  EXPECT_EQ(idle_.held_by(*staying.store), 1U);
  staying.store.reset();
  EXPECT_EQ(open_descriptors(), before);
}

TEST_F(IdleReadersTest, ManyTenantsReadingConcurrentlyKeepNoMoreThanTheBudgetIdle) {
  for (int t = 0; t < 4; ++t) add_tenant();
  std::atomic<int> failures{0};
  std::vector<std::thread> readers;
  for (int r = 0; r < 8; ++r) {
    readers.emplace_back([&, r] {
      Tenant& tenant = tenants_[static_cast<std::size_t>(r) % tenants_.size()];
      for (int i = 0; i < 50; ++i) {
        Transaction tx(*tenant.store, TransactionMode::read);
        Statement schema = tx.prepare("SELECT COUNT(*) FROM sqlite_schema");
        if (!schema.step()) ++failures;
      }
    });
  }
  for (auto& reader : readers) reader.join();
  EXPECT_EQ(failures.load(), 0);
  std::size_t idle = 0;
  for (const Tenant& tenant : tenants_) idle += idle_.held_by(*tenant.store);
  EXPECT_EQ(idle, 2U);
}

}  // namespace
}  // namespace ehr::portal

// Group commit (R-CONV-5): many threads' writes share transactions, each acknowledged only once
// committed; a write that fails fails alone and leaves nothing half-written.
#include "messaging/group_commit.hpp"

#include <gtest/gtest.h>

#include <atomic>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include "common/error.hpp"
#include "storage/database.hpp"
#include "storage/transaction.hpp"
#include "support/temp_dir.hpp"

namespace ehr::portal {
namespace {

class GroupCommitTest : public ::testing::Test {
 protected:
  void SetUp() override {
    db_ = std::make_unique<Database>(dir_ / "portal.db");
    Transaction tx(*db_);
    tx.execute_script("CREATE TABLE notes (id INTEGER PRIMARY KEY, text TEXT NOT NULL UNIQUE)");
    tx.commit();
  }
  // What another connection sees: only committed rows.
  int64_t committed_rows() {
    Database other(dir_ / "portal.db");
    Transaction tx(other, TransactionMode::read);
    Statement count = tx.prepare("SELECT COUNT(*) FROM notes");
    return count.step() ? count.int64(0) : -1;
  }
  static int64_t insert(Transaction& tx, const std::string& text) {
    Statement statement = tx.prepare("INSERT INTO notes (text) VALUES (?1) RETURNING id");
    statement.bind(1, text);
    if (!statement.step()) throw std::runtime_error("no id");
    return statement.int64(0);
  }

  test::TempDir dir_;
  std::unique_ptr<Database> db_;
};

TEST_F(GroupCommitTest, AResultComesBackOnlyOnceCommitted) {
  GroupCommitWriter writer(*db_);
  int64_t id = writer.run([](Transaction& tx) { return insert(tx, "one"); });
  EXPECT_GT(id, 0);
  EXPECT_EQ(committed_rows(), 1);
}

TEST_F(GroupCommitTest, ManyThreadsWritingAtOnceLoseNothing) {
  GroupCommitWriter writer(*db_, 16);
  constexpr int kThreads = 8;
  constexpr int kEach = 40;
  std::atomic<int> acknowledged{0};
  std::vector<std::thread> senders;
  for (int t = 0; t < kThreads; ++t) {
    senders.emplace_back([&, t] {
      for (int i = 0; i < kEach; ++i) {
        writer.run([&](Transaction& tx) { insert(tx, std::to_string(t) + ":" + std::to_string(i)); });
        ++acknowledged;
      }
    });
  }
  for (auto& sender : senders) sender.join();
  EXPECT_EQ(acknowledged.load(), kThreads * kEach);
  EXPECT_EQ(committed_rows(), kThreads * kEach);
}

TEST_F(GroupCommitTest, AFailingWriteFailsAloneAndLeavesNothingBehind) {
  GroupCommitWriter writer(*db_);
  writer.run([](Transaction& tx) { insert(tx, "taken"); });
  std::vector<std::thread> senders;
  std::atomic<int> failures{0};
  for (int t = 0; t < 6; ++t) {
    senders.emplace_back([&, t] {
      try {
        writer.run([&](Transaction& tx) {
          insert(tx, "half of " + std::to_string(t));
          // Every odd writer breaks after a first row: neither row may remain.
          if (t % 2 == 1) insert(tx, "taken");
        });
      } catch (const Error& e) {
        EXPECT_EQ(e.code(), EHR_STATUS_STORAGE);
        ++failures;
      }
    });
  }
  for (auto& sender : senders) sender.join();
  EXPECT_EQ(failures.load(), 3);
  EXPECT_EQ(committed_rows(), 1 + 3);
}

}  // namespace
}  // namespace ehr::portal

// Group commit (R-CONV-5): many threads' writes share transactions, each acknowledged only once
// committed; a write that fails fails alone and leaves nothing half-written. The submitters commit
// the batches themselves (a leader and its followers), so the process runs no writer threads.
#include "messaging/group_commit.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <deque>
#include <filesystem>
#include <functional>
#include <future>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "common/error.hpp"
#include "common/storage.hpp"
#include "portal_schema.hpp"
#include "storage/postgresql/pg_connection.hpp"
#include "storage/postgresql/pg_store.hpp"
#include "storage/sqlite_store.hpp"
#include "storage/transaction.hpp"
#include "support/pg_test_database.hpp"
#include "support/temp_dir.hpp"

namespace ehr::portal {
namespace {

std::unique_ptr<SqliteStore> notes_database(const std::filesystem::path& file) {
  auto db = std::make_unique<SqliteStore>(file);
  Transaction tx(*db);
  tx.execute_script("CREATE TABLE notes (id INTEGER PRIMARY KEY, text TEXT NOT NULL UNIQUE)");
  tx.commit();
  return db;
}

// What another connection sees: only committed rows.
int64_t committed_rows(const std::filesystem::path& file) {
  SqliteStore other(file);
  Transaction tx(other, TransactionMode::read);
  Statement count = tx.prepare("SELECT COUNT(*) FROM notes");
  return count.step() ? count.int64(0) : -1;
}

// Until `count` writes are submitted and unanswered: the ones that are not being committed are
// queued for the next batch.
void wait_until_in_flight(GroupCommitWriter& writer, std::size_t count) {
  while (writer.in_flight() < count) std::this_thread::sleep_for(std::chrono::milliseconds(1));
}

std::size_t threads_in_process() {
  std::size_t count = 0;
  for ([[maybe_unused]] const auto& entry : std::filesystem::directory_iterator("/proc/self/task")) ++count;
  return count;
}

int64_t insert(Transaction& tx, const std::string& text) {
  Statement statement = tx.prepare("INSERT INTO notes (text) VALUES (?1) RETURNING id");
  statement.bind(1, text);
  if (!statement.step()) throw std::runtime_error("no id");
  return statement.int64(0);
}

class GroupCommitTest : public ::testing::Test {
 protected:
  void SetUp() override { db_ = notes_database(dir_ / "portal.db"); }
  int64_t committed_rows() { return ehr::portal::committed_rows(db_->file()); }

  test::TempDir dir_;
  std::unique_ptr<SqliteStore> db_;
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

TEST_F(GroupCommitTest, R_CONV_5_ALoneWriteIsCommittedOnTheCallingThread) {
  GroupCommitWriter writer(*db_);
  const std::size_t threads_before = threads_in_process();
  std::thread::id ran_on;
  std::size_t threads_during = 0;
  writer.run([&](Transaction& tx) {
    ran_on = std::this_thread::get_id();
    threads_during = threads_in_process();
    insert(tx, "alone");
  });
  EXPECT_EQ(ran_on, std::this_thread::get_id()) << "no hand-off to another thread and back";
  EXPECT_EQ(threads_during, threads_before) << "no writer thread started";
  EXPECT_EQ(committed_rows(), 1);
}

// While one batch commits, the writes submitted meanwhile wait, and then go into ONE transaction,
// committed by one of their own submitters.
class ConcurrentBatchTest : public GroupCommitTest {
 protected:
  struct Seen {
    std::thread::id submitted_on;
    std::thread::id ran_on;
    int64_t committed_before = -1;  // rows another connection saw committed while the work ran
    bool failed = false;
  };

  // Runs `kFollowers` submitters while the first write is held inside its transaction, and
  // releases it once they are all queued behind it. `work` runs as each follower's write, after it
  // has recorded what it saw.
  template <typename Work>
  std::vector<Seen> queue_behind_a_held_batch(GroupCommitWriter& writer, Work work) {
    std::promise<void> inside;
    std::promise<void> release;
    std::shared_future<void> released = release.get_future().share();
    std::thread first([&] {
      writer.run([&](Transaction& tx) {
        insert(tx, "first");
        inside.set_value();
        released.wait();
      });
    });
    inside.get_future().wait();
    std::vector<Seen> seen(kFollowers);
    std::vector<std::thread> followers;
    for (int f = 0; f < kFollowers; ++f) {
      followers.emplace_back([&, f] {
        seen[f].submitted_on = std::this_thread::get_id();
        try {
          writer.run([&](Transaction& tx) {
            seen[f].ran_on = std::this_thread::get_id();
            seen[f].committed_before = committed_rows();
            insert(tx, "follower " + std::to_string(f));
            work(seen[f]);
          });
        } catch (const std::runtime_error&) {
          seen[f].failed = true;
        }
      });
    }
    wait_until_in_flight(writer, 1 + kFollowers);
    release.set_value();
    first.join();
    for (auto& follower : followers) follower.join();
    return seen;
  }

  static constexpr int kFollowers = 6;
};

TEST_F(ConcurrentBatchTest, R_CONV_5_WritesSubmittedConcurrentlyDuringACommitShareTheNextTransaction) {
  GroupCommitWriter writer(*db_);
  const std::vector<Seen> seen = queue_behind_a_held_batch(writer, [](Seen&) {});
  const std::thread::id leader = seen.front().ran_on;
  bool leader_is_a_submitter = false;
  for (const Seen& one : seen) {
    EXPECT_FALSE(one.failed);
    EXPECT_EQ(one.ran_on, leader) << "one batch, committed by one thread";
    EXPECT_EQ(one.committed_before, 1) << "every follower ran before any other follower committed";
    leader_is_a_submitter = leader_is_a_submitter || one.submitted_on == leader;
  }
  EXPECT_TRUE(leader_is_a_submitter) << "the batch is committed by one of its own submitters";
  EXPECT_EQ(committed_rows(), 1 + kFollowers);
}

TEST_F(ConcurrentBatchTest, R_CONV_5_ALeaderWhoseOwnWriteFailsStillCommitsAndAnswersItsConcurrentFollowers) {
  GroupCommitWriter writer(*db_);
  // The write that runs on its own submitter's thread is the leader's: it breaks.
  const std::vector<Seen> seen = queue_behind_a_held_batch(writer, [](Seen& mine) {
    if (mine.ran_on == mine.submitted_on) throw std::runtime_error("the leader's own write breaks");
  });
  int failures = 0;
  for (const Seen& one : seen) {
    if (one.failed) {
      ++failures;
      EXPECT_EQ(one.ran_on, one.submitted_on);
    }
  }
  EXPECT_EQ(failures, 1);
  EXPECT_EQ(committed_rows(), 1 + kFollowers - 1);
  // The leader handed on cleanly: the writer still takes writes.
  writer.run([](Transaction& tx) { insert(tx, "after"); });
  EXPECT_EQ(committed_rows(), 1 + kFollowers);
}

TEST_F(GroupCommitTest, R_CONV_5_WorkThatSubmitsToItsOwnWriterIsRefusedRatherThanWaitingForItself) {
  GroupCommitWriter writer(*db_);
  std::optional<ehr_status> refused;
  writer.run([&](Transaction& tx) {
    insert(tx, "outer");
    try {
      writer.run([](Transaction& inner) { insert(inner, "inner"); });
    } catch (const Error& e) {
      refused = e.code();
    }
  });
  ASSERT_TRUE(refused.has_value()) << "the nested write neither waited forever nor ran";
  EXPECT_EQ(*refused, EHR_STATUS_INTERNAL);
  EXPECT_EQ(committed_rows(), 1);
}

// Many tenants in one process: each has its own database and writer, and no thread of its own.
class ManyWritersTest : public ::testing::Test {
 protected:
  struct Tenant {
    std::unique_ptr<SqliteStore> db;
    std::unique_ptr<GroupCommitWriter> writer;
  };

  Tenant& add_tenant() {
    Tenant& tenant = tenants_.emplace_back();
    tenant.db = notes_database(dir_ / ("tenant-" + std::to_string(tenants_.size()) + ".db"));
    tenant.writer = std::make_unique<GroupCommitWriter>(*tenant.db);
    return tenant;
  }
  static int64_t committed_rows(const Tenant& tenant) {
    return ehr::portal::committed_rows(tenant.db->file());
  }
  static void insert(Transaction& tx, const std::string& text) {
    Statement statement = tx.prepare("INSERT INTO notes (text) VALUES (?1)");
    statement.bind(1, text);
    (void)statement.step();  // no row comes back from an INSERT; a broken key throws
  }
  test::TempDir dir_;
  std::deque<Tenant> tenants_;
};

TEST_F(ManyWritersTest, ManyTenantsWritingAtOnceStartNoWriterThreads) {
  const std::size_t before = threads_in_process();
  constexpr int kTenants = 12;
  constexpr int kEach = 20;
  for (int t = 0; t < kTenants; ++t) add_tenant();

  std::atomic<int> senders_done{0};
  std::vector<std::thread> senders;
  for (auto& tenant : tenants_) {
    senders.emplace_back([&] {
      for (int i = 0; i < kEach; ++i)
        tenant.writer->run([&](Transaction& tx) { insert(tx, std::to_string(i)); });
      ++senders_done;
    });
  }
  std::size_t most = 0;
  while (senders_done.load() < kTenants) {
    most = std::max(most, threads_in_process());
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
  for (auto& sender : senders) sender.join();
  // The senders commit their own batches: no writer thread at all, let alone one per tenant.
  EXPECT_LE(most, before + kTenants);
  for (const auto& tenant : tenants_) EXPECT_EQ(committed_rows(tenant), kEach);

  tenants_.clear();
  EXPECT_EQ(threads_in_process(), before);
}

TEST_F(ManyWritersTest, AFailingWriteInOneTenantLeavesAnotherWritingConcurrentlyAlone) {
  Tenant& failing = add_tenant();
  Tenant& healthy = add_tenant();
  failing.writer->run([](Transaction& tx) { insert(tx, "taken"); });
  constexpr int kThreads = 4;
  constexpr int kEach = 25;
  std::atomic<int> failing_errors{0};
  std::atomic<int> healthy_errors{0};
  std::vector<std::thread> senders;
  for (int t = 0; t < kThreads; ++t) {
    senders.emplace_back([&, t] {
      for (int i = 0; i < kEach; ++i) {
        const std::string text = std::to_string(t) + ":" + std::to_string(i);
        try {
          // Every other write of this tenant breaks its unique key after a first row.
          failing.writer->run([&](Transaction& tx) {
            insert(tx, text);
            if (i % 2 == 1) insert(tx, "taken");
          });
        } catch (const Error&) {
          ++failing_errors;
        }
      }
    });
    senders.emplace_back([&, t] {
      for (int i = 0; i < kEach; ++i) {
        try {
          healthy.writer->run(
              [&](Transaction& tx) { insert(tx, std::to_string(t) + ":" + std::to_string(i)); });
        } catch (const Error&) {
          ++healthy_errors;
        }
      }
    });
  }
  for (auto& sender : senders) sender.join();
  EXPECT_EQ(healthy_errors.load(), 0);
  EXPECT_EQ(committed_rows(healthy), kThreads * kEach);
  const int failures = kThreads * (kEach / 2);
  EXPECT_EQ(failing_errors.load(), failures);
  EXPECT_EQ(committed_rows(failing), 1 + kThreads * kEach - failures);
}

TEST_F(ManyWritersTest, ShuttingOneTenantDownWaitsForItsBatchWhileAnotherWritesConcurrently) {
  Tenant& leaving = add_tenant();
  Tenant& staying = add_tenant();

  // The leaving tenant's write is inside its transaction, on its submitter's thread, when it shuts down.
  std::promise<void> inside;
  std::promise<void> release;
  std::shared_future<void> released = release.get_future().share();
  std::thread last_sender([&] {
    leaving.writer->run([&](Transaction& tx) {
      insert(tx, "last words");
      inside.set_value();
      released.wait();
    });
  });
  inside.get_future().wait();
  std::atomic<bool> shut_down{false};
  std::thread shutdown([&] {
    leaving.writer.reset();
    shut_down = true;
  });

  // Meanwhile another tenant writes, and is answered.
  for (int i = 0; i < 20; ++i) staying.writer->run([&](Transaction& tx) { insert(tx, std::to_string(i)); });
  EXPECT_FALSE(shut_down.load()) << "the writer stopped before its batch was committed";

  release.set_value();
  last_sender.join();
  shutdown.join();
  EXPECT_EQ(committed_rows(leaving), 1);
  // The others write as before once one tenant has gone.
  staying.writer->run([&](Transaction& tx) { insert(tx, "after"); });
  EXPECT_EQ(committed_rows(staying), 21);
}

// On PostgreSQL a write's BEGIN and its lock travel with its first statement, so a lock that waits
// past the statement timeout fails the batch's first write: that is the batch's failure, not the
// write's, and the others must not each wait for the lock again in a transaction of their own.
class GroupCommitOnPostgresql : public ::testing::Test {
 protected:
  pg::test::ScratchDatabase database_;
};

TEST_F(GroupCommitOnPostgresql, R_CONV_5_ABatchWhoseWriteLockWaitsPastTheTimeoutFailsWholeWaitingOnce) {
  pg::PgStoreOptions impatient = database_.options(1);  // one connection: its round trips are the batch's
  impatient.statement_timeout = std::chrono::milliseconds(200);
  pg::PgStore store(impatient);
  {
    Transaction tx(store);
    tx.execute_script("CREATE TABLE notes (id BIGSERIAL PRIMARY KEY, text TEXT NOT NULL UNIQUE)");
    tx.commit();
  }
  GroupCommitWriter writer(store);
  writer.run([](Transaction& tx) { insert(tx, "prepares the statement on the connection"); });

  // Another host's write holds the lock.
  pg::PgStore other_host(database_.options(1));
  Transaction holding(other_host);
  insert(holding, "holds the write lock");

  // A held batch (it runs no statement, so it takes no lock), and three writes queued behind it:
  // the next batch.
  std::promise<void> release;
  std::shared_future<void> released = release.get_future().share();
  std::thread first([&] { writer.run([&](Transaction&) { released.wait(); }); });
  wait_until_in_flight(writer, 1);
  constexpr int kQueued = 3;
  std::vector<std::string> errors(kQueued);
  std::vector<std::thread> queued;
  for (int q = 0; q < kQueued; ++q) {
    queued.emplace_back([&, q] {
      try {
        writer.run([&](Transaction& tx) { insert(tx, "queued " + std::to_string(q)); });
      } catch (const Error& error) {
        errors[q] = error.what();
      }
    });
  }
  wait_until_in_flight(writer, 1 + kQueued);
  const std::uint64_t round_trips_before = store.round_trips();
  release.set_value();
  first.join();
  for (auto& thread : queued) thread.join();

  for (const std::string& error : errors) {
    EXPECT_NE(error.find("waited longer than the statement timeout of 200 ms for another write to finish"),
              std::string::npos)
        << (error.empty() ? "a write went through while another host held the lock" : error);
  }
  EXPECT_EQ(store.round_trips() - round_trips_before, 1u)
      << "one batch, one wait for the lock: the writes after the first were not tried again one by one";
  holding.commit();
  writer.run([](Transaction& tx) { insert(tx, "once the lock is free"); });
}

// Optimistic batches on PostgreSQL: work that guesses what the store holds sends the statement
// written on its guess, guarded so that it refuses to run when the guess no longer holds, and
// leaves reading its answer to the end (Transaction::check_later), so a batch's statements and its
// COMMIT travel in one round trip.
class OptimisticBatchesOnPostgresql : public GroupCommitOnPostgresql {
 protected:
  void SetUp() override {
    store_ = std::make_unique<pg::PgStore>(
        database_.options(1));  // one connection: its round trips are the batch's
    Transaction tx(*store_);
    tx.execute_script("CREATE TABLE notes (id BIGINT PRIMARY KEY, text TEXT NOT NULL UNIQUE)");
    for (const Migration& step : shared_postgresql_steps()) tx.execute_script(step.sql);
    tx.commit();
  }

  // A note under the id after the one this writer wrote last (its guess, as the plugin guesses a
  // message's id), checked by the insert itself; where the guess was wrong, under the table's next.
  int64_t add_note(Transaction& tx, const std::string& text) {
    constexpr const char* kOnGuess =
        "INSERT INTO notes (id, text) SELECT CAST(?1 AS BIGINT), CAST(?2 AS TEXT) "
        "WHERE COALESCE((SELECT MAX(id) FROM notes), 0) = ?1 - 1 RETURNING id";
    constexpr const char* kGuarded =
        "WITH i AS (INSERT INTO notes (id, text) SELECT CAST(?1 AS BIGINT), CAST(?2 AS TEXT) "
        "WHERE COALESCE((SELECT MAX(id) FROM notes), 0) = ?1 - 1 RETURNING id) "
        "SELECT portal_guess_held(COUNT(*) = 1) FROM i";
    attempts_.push_back({text, tx.defers_checks()});
    Statement on_guess = tx.prepare(tx.defers_checks() ? kGuarded : kOnGuess);
    on_guess.bind_all(next_id_, text).send();
    int64_t id = next_id_;
    if (tx.defers_checks()) {
      tx.check_later(std::move(on_guess));
    } else if (!on_guess.step()) {
      Statement last = tx.prepare("SELECT COALESCE(MAX(id), 0) FROM notes");
      id = last.step() ? last.int64(0) + 1 : 1;
      tx.prepare("INSERT INTO notes (id, text) VALUES (?1, ?2)").bind_all(id, text).run();
    }
    next_id_ = id + 1;
    return id;
  }

  // Runs `writes` as one batch: a first write holds the writer until all of them are queued.
  std::vector<std::string> run_as_one_batch(GroupCommitWriter& writer,
                                            const std::vector<std::function<void(Transaction&)>>& writes) {
    std::promise<void> release;
    std::shared_future<void> released = release.get_future().share();
    std::thread holder([&] { writer.run([&](Transaction&) { released.wait(); }); });
    wait_until_in_flight(writer, 1);
    std::vector<std::string> errors(writes.size());
    std::vector<std::thread> threads;
    for (std::size_t w = 0; w < writes.size(); ++w) {
      threads.emplace_back([&, w] {
        try {
          writer.run(writes[w]);
        } catch (const std::exception& error) {
          errors[w] = error.what();
        }
      });
    }
    wait_until_in_flight(writer, 1 + writes.size());
    round_trips_before_ = store_->round_trips();
    release.set_value();
    holder.join();
    for (auto& thread : threads) thread.join();
    return errors;
  }

  std::vector<std::string> notes() {
    Transaction tx(*store_, TransactionMode::read);
    Statement rows = tx.prepare("SELECT id, text FROM notes ORDER BY id");
    std::vector<std::string> found;
    while (rows.step()) found.push_back(std::to_string(rows.int64(0)) + " " + rows.text(1));
    return found;
  }

  struct Attempt {
    std::string text;
    bool deferred;
    bool operator==(const Attempt&) const = default;
  };
  std::unique_ptr<pg::PgStore> store_;
  int64_t next_id_ = 1;
  std::vector<Attempt> attempts_;
  std::uint64_t round_trips_before_ = 0;
};

TEST_F(OptimisticBatchesOnPostgresql, R_CONV_5_ABatchsWritesAndItsCommitTravelInOneRoundTrip) {
  GroupCommitWriter writer(*store_);
  writer.run([&](Transaction& tx) { add_note(tx, "prepares the statement on the connection"); });
  const std::vector<std::string> errors = run_as_one_batch(
      writer, {[&](Transaction& tx) { add_note(tx, "a"); }, [&](Transaction& tx) { add_note(tx, "b"); },
               [&](Transaction& tx) { add_note(tx, "c"); }});
  EXPECT_EQ(errors, std::vector<std::string>(3));
  EXPECT_EQ(store_->round_trips() - round_trips_before_, 1u)
      << "BEGIN, the lock, three inserts and COMMIT (the holding batch ran no statement)";
  ASSERT_EQ(notes().size(), 4u);
  EXPECT_EQ(notes()[3].substr(0, 2), "4 ");
}

// Another host wrote meanwhile: the guess is found wrong only at the end, and the batch runs
// again checking as it goes; nothing of the first try is left. The next batch then checks as it
// goes too, and the one after it is optimistic again.
TEST_F(OptimisticBatchesOnPostgresql, R_CONV_5_AGuessFoundWrongAtTheEndRunsTheBatchAgainCheckingAsItGoes) {
  GroupCommitWriter writer(*store_);
  EXPECT_EQ(writer.run([&](Transaction& tx) { return add_note(tx, "first"); }), 1);
  {
    pg::PgStore other_host(database_.options(1));
    Transaction tx(other_host);
    tx.prepare("INSERT INTO notes (id, text) VALUES (2, 'the other host''s')").run();
    tx.commit();
  }
  EXPECT_EQ(writer.run([&](Transaction& tx) { return add_note(tx, "second"); }), 3);
  EXPECT_EQ(writer.run([&](Transaction& tx) { return add_note(tx, "third"); }), 4);
  EXPECT_EQ(writer.run([&](Transaction& tx) { return add_note(tx, "fourth"); }), 5);
  EXPECT_EQ(notes(),
            (std::vector<std::string>{"1 first", "2 the other host's", "3 second", "4 third", "5 fourth"}));
  EXPECT_EQ(attempts_, (std::vector<Attempt>{{"first", true},
                                             {"second", true},  // guessed 2: rolled back
                                             {"second", false},
                                             {"third", false},  // one batch checking as it goes
                                             {"fourth", true}}));
}

// A write that fails in an optimistic batch fails alone: which one failed, the batch run again
// checking as it goes tells, and the others are written once.
TEST_F(OptimisticBatchesOnPostgresql,
       R_CONV_5_AWriteFailingInAnOptimisticBatchFailsAloneAndTheOthersAreWrittenOnce) {
  GroupCommitWriter writer(*store_);
  writer.run([&](Transaction& tx) { add_note(tx, "taken"); });
  const std::vector<std::string> errors = run_as_one_batch(
      writer, {[&](Transaction& tx) { add_note(tx, "a"); }, [&](Transaction& tx) { add_note(tx, "taken"); },
               [&](Transaction& tx) { add_note(tx, "c"); }});
  EXPECT_EQ(errors[0], "");
  EXPECT_NE(errors[1].find("unique"), std::string::npos) << errors[1];
  EXPECT_EQ(errors[2], "");
  // a and c in the order they queued, each once, under the next ids.
  std::vector<std::string> found = notes();
  ASSERT_EQ(found.size(), 3u);
  std::sort(found.begin() + 1, found.end(),
            [](const std::string& x, const std::string& y) { return x.back() < y.back(); });
  EXPECT_TRUE((found == std::vector<std::string>{"1 taken", "2 a", "3 c"}) ||
              (found == std::vector<std::string>{"1 taken", "3 a", "2 c"}))
      << ::testing::PrintToString(found);
}

// The server ends the session of an optimistic batch waiting for the write lock (a restart does
// so to every session): each of its writes fails saying the connection was lost, none is written
// or run again, and the next write works on a new connection.
TEST_F(OptimisticBatchesOnPostgresql,
       R_STORE_1_ABatchWhoseConnectionIsLostFailsWholeSayingSoAndIsNotRunAgain) {
  GroupCommitWriter writer(*store_);
  writer.run([&](Transaction& tx) { add_note(tx, "prepares the statement on the connection"); });
  pg::PgStore other_host(database_.options(1));
  std::optional<Transaction> holding(std::in_place, other_host);
  holding->prepare("INSERT INTO notes (id, text) VALUES (100, 'holds the write lock')").run();

  // Both writes in one batch: a first write holds the writer until both are queued.
  std::promise<void> release;
  std::shared_future<void> released = release.get_future().share();
  std::thread holder([&] { writer.run([&](Transaction&) { released.wait(); }); });
  wait_until_in_flight(writer, 1);
  std::vector<std::string> errors(2);
  std::vector<std::thread> writes;
  for (std::size_t w = 0; w < errors.size(); ++w) {
    writes.emplace_back([&, w] {
      try {
        writer.run([&](Transaction& tx) { add_note(tx, "lost " + std::to_string(w)); });
      } catch (const std::exception& error) {
        errors[w] = error.what();
      }
    });
  }
  wait_until_in_flight(writer, 3);
  release.set_value();
  holder.join();
  pg::Connection look(database_.connection());
  const auto give_up = std::chrono::steady_clock::now() + std::chrono::seconds(20);
  while (look.run({"waiting_sessions",
                   "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() AND "
                   "wait_event_type = 'Lock'"})
             .int64(0, 0) == 0) {
    ASSERT_LT(std::chrono::steady_clock::now(), give_up) << "no write waited for the lock";
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  look.run({"terminate_waiting",
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = current_database() AND "
            "wait_event_type = 'Lock'"});
  holding->commit();  // the lock is free: a write run again now would go through
  holding.reset();
  for (auto& thread : writes) thread.join();

  for (const std::string& error : errors) {
    EXPECT_NE(error.find("lost"), std::string::npos)
        << (error.empty() ? "a write went through after its connection was lost" : error);
  }
  for (const std::string& note : notes()) EXPECT_EQ(note.find("lost "), std::string::npos) << note;
  EXPECT_EQ(writer.run([&](Transaction& tx) { return add_note(tx, "after"); }), 101);
}

}  // namespace
}  // namespace ehr::portal

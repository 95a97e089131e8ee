// The conversation store against real SQLite files and a real PostgreSQL server (R-CONV-1,
// R-CONV-2, R-CONV-4, R-CONV-5, R-STORE-1).
#include "messaging/conversation_store.hpp"

#include <gtest/gtest.h>

#include <array>
#include <memory>
#include <string>

#include "common/error.hpp"
#include "common/storage.hpp"
#include "config/plugin_config.hpp"
#include "storage/postgresql/pg_store.hpp"
#include "storage/transaction.hpp"
#include "support/test_host.hpp"
#include "support/test_store.hpp"

namespace ehr::portal {
namespace {

const Principal kDrLee{PrincipalKind::staff, "drlee"};
const Principal kNurse{PrincipalKind::staff, "nurse1"};
const Principal kPat1{PrincipalKind::portal_user, "pat1"};
const Principal kGuardian{PrincipalKind::portal_user, "mom1"};

class ConversationStoreTest : public ::testing::TestWithParam<test::Backend> {
 protected:
  void reopen() { db_.reopen(); }

  ThreadRecord start(const std::string& patient, const Principal& from, const std::vector<Principal>& to,
                     int64_t at, const std::string& body = "hello") {
    Transaction tx(*db_);
    ThreadRecord thread = store_.create_thread(tx, patient, "Lab results", from, to, body, at);
    tx.commit();
    return thread;
  }
  MessageRecord add(int64_t thread, const Principal& from, int64_t at, const std::string& body = "reply") {
    Transaction tx(*db_);
    MessageRecord message = store_.add_message(tx, thread, from, body, at);
    tx.commit();
    return message;
  }
  std::vector<ThreadSummaryRecord> inbox(const Principal& reader, bool archived = false,
                                         std::optional<std::vector<std::string>> charts = std::nullopt) {
    Transaction tx(*db_, TransactionMode::read);
    InboxQuery query;
    query.reader = reader;
    query.archived = archived;
    query.charts = std::move(charts);
    return store_.list_threads(tx, query);
  }
  uint64_t badge(const Principal& reader, std::optional<std::vector<std::string>> charts = std::nullopt) {
    Transaction tx(*db_, TransactionMode::read);
    return store_.unread_total(tx, reader, charts);
  }

  test::TestStore db_{GetParam()};
  test::TestHost host_;
  HostClient client_{host_.table()};
  AtRest at_rest_{client_, PluginConfig{}};
  ConversationStore store_{at_rest_};
};

TEST_P(ConversationStoreTest, NewThreadHoldsItsFirstMessageAndParticipants) {  // R-CONV-1
  ThreadRecord thread = start("p1", kDrLee, {kPat1, kGuardian}, 1000, "Your results are in.");
  EXPECT_GT(thread.id, 0);
  EXPECT_EQ(thread.patient_id, "p1");
  EXPECT_EQ(thread.subject, "Lab results");
  EXPECT_EQ(thread.started_by, kDrLee);
  EXPECT_EQ(thread.last_sender, kDrLee);
  EXPECT_EQ(thread.message_count, 1u);
  Transaction tx(*db_, TransactionMode::read);
  EXPECT_EQ(store_.participants(tx, thread.id), (std::vector<Principal>{kDrLee, kGuardian, kPat1}));
  auto messages = store_.messages(tx, thread.id);
  ASSERT_EQ(messages.size(), 1u);
  EXPECT_EQ(messages[0].body, "Your results are in.");
  EXPECT_EQ(messages[0].id, thread.last_message_id);
  EXPECT_TRUE(store_.is_participant(tx, thread.id, kPat1));
  EXPECT_FALSE(store_.is_participant(tx, thread.id, kNurse));
}

TEST_P(ConversationStoreTest, InboxIsNewestFirstWithPerReaderUnreadCounts) {  // R-CONV-2
  ThreadRecord older = start("p1", kDrLee, {kPat1}, 1000);
  ThreadRecord newer = start("p1", kDrLee, {kPat1}, 2000);
  MessageRecord latest =
      add(older.id, kDrLee, 3000);  // the older thread gets the newest message and moves up

  auto pat_inbox = inbox(kPat1);
  ASSERT_EQ(pat_inbox.size(), 2u);
  EXPECT_EQ(pat_inbox[0].thread.id, older.id);
  EXPECT_EQ(pat_inbox[0].unread_count, 2u);
  EXPECT_EQ(pat_inbox[1].thread.id, newer.id);
  EXPECT_EQ(pat_inbox[1].unread_count, 1u);
  EXPECT_EQ(badge(kPat1), 3u);
  EXPECT_EQ(badge(kDrLee), 0u);  // one's own messages are not unread

  Transaction tx(*db_);
  store_.mark_read(tx, older.id, kPat1, latest.id);
  tx.commit();
  EXPECT_EQ(badge(kPat1), 1u);
  EXPECT_EQ(inbox(kPat1)[0].unread_count, 0u);
}

TEST_P(ConversationStoreTest, ReadingMarksReadForThatReaderOnly) {  // R-CONV-2
  ThreadRecord thread = start("p1", kDrLee, {kPat1, kGuardian}, 1000);
  {
    Transaction tx(*db_);
    store_.mark_read(tx, thread.id, kPat1, thread.last_message_id);
    tx.commit();
  }
  EXPECT_EQ(badge(kPat1), 0u);
  EXPECT_EQ(badge(kGuardian), 1u);
}

TEST_P(ConversationStoreTest, AMessageArrivingWhileReadingStaysUnread) {  // R-CONV-2
  ThreadRecord thread = start("p1", kDrLee, {kPat1}, 1000);
  MessageRecord shown = add(thread.id, kDrLee, 2000);
  add(thread.id, kDrLee, 3000);  // arrives after the reader fetched the thread
  add(thread.id, kPat1, 3500);   // the reader's own message never counts
  Transaction tx(*db_);
  store_.mark_read(tx, thread.id, kPat1, shown.id);
  tx.commit();
  EXPECT_EQ(badge(kPat1), 1u);
}

TEST_P(ConversationStoreTest, ArchiveIsPerReaderAndANewMessageBringsTheThreadBack) {  // R-CONV-4
  ThreadRecord thread = start("p1", kDrLee, {kPat1}, 1000);
  {
    Transaction tx(*db_);
    EXPECT_TRUE(store_.set_archived(tx, thread.id, kPat1, true));
    EXPECT_FALSE(store_.set_archived(tx, thread.id, kNurse, true));  // not a participant
    EXPECT_FALSE(store_.set_archived(tx, thread.id, kPat1, true));   // already archived: no change
    tx.commit();
  }
  EXPECT_TRUE(inbox(kPat1).empty());
  ASSERT_EQ(inbox(kPat1, true).size(), 1u);
  EXPECT_TRUE(inbox(kPat1, true)[0].archived);
  EXPECT_EQ(badge(kPat1), 0u);  // archived threads do not count in the badge
  EXPECT_EQ(inbox(kDrLee).size(), 1u);

  add(thread.id, kDrLee, 2000);
  ASSERT_EQ(inbox(kPat1).size(), 1u);
  EXPECT_FALSE(inbox(kPat1)[0].archived);
  EXPECT_EQ(badge(kPat1), 2u);
}

// The inbox's and the archive's thread counts follow every change of a reader's threads: a new
// thread, an archive, a new message bringing it back, a colleague added (R-CONV-2, R-CONV-4).
TEST_P(ConversationStoreTest, ThreadCountsFollowArchivingNewMessagesAndNewParticipants) {
  const auto count = [&](const Principal& reader, bool archived) {
    Transaction tx(*db_, TransactionMode::read);
    return store_.count_threads(tx, InboxQuery{reader, archived, 50, 0, std::nullopt});
  };
  const ThreadRecord first = start("p1", kDrLee, {kPat1}, 1000);
  start("p2", kDrLee, {kGuardian}, 1001);
  EXPECT_EQ(count(kDrLee, false), 2u);
  EXPECT_EQ(count(kDrLee, true), 0u);
  EXPECT_EQ(count(kNurse, false), 0u);
  {
    Transaction tx(*db_);
    ASSERT_TRUE(store_.set_archived(tx, first.id, kDrLee, true));
    tx.commit();
  }
  EXPECT_EQ(count(kDrLee, false), 1u);
  EXPECT_EQ(count(kDrLee, true), 1u);
  EXPECT_EQ(count(kPat1, false), 1u) << "archived for one reader only";
  add(first.id, kPat1, 2000);
  EXPECT_EQ(count(kDrLee, false), 2u);
  EXPECT_EQ(count(kDrLee, true), 0u);
  {
    Transaction tx(*db_);
    ASSERT_TRUE(store_.add_participant(tx, first.id, kNurse));
    tx.commit();
  }
  EXPECT_EQ(count(kNurse, false), 1u);
  {
    Transaction rolled_back(*db_);
    ASSERT_TRUE(store_.set_archived(rolled_back, first.id, kNurse, true));
  }
  EXPECT_EQ(count(kNurse, false), 1u);
  EXPECT_EQ(count(kNurse, true), 0u);
}

// Without a chart filter the badge and the thread counts are the totals the participants' triggers
// keep (one row per reader and box); with every chart as the filter they are the participants
// counted. The two agree, and equal what the reader sees, after every write path of the store:
// a new thread, a reply, a read, an archive and the message that brings it back, a participant
// added, an imported thread and message, and a transaction rolled back (R-CONV-2, R-CONV-4).
TEST_P(ConversationStoreTest, R_CONV_2_KeptTotalsEqualTheCountedOnesAfterEveryWrite) {
  const std::vector<Principal> readers{kDrLee, kNurse, kPat1, kGuardian};
  const std::vector<std::string> every_chart{"p1", "p2"};
  // {inbox threads, archived threads, badge} as kept, after checking they are as counted.
  const auto totals = [&](const Principal& reader) {
    Transaction tx(*db_, TransactionMode::read);
    std::array<uint64_t, 3> kept{};
    for (const bool archived : {false, true}) {
      const uint64_t threads = store_.count_threads(tx, InboxQuery{reader, archived, 50, 0, std::nullopt});
      EXPECT_EQ(threads, store_.count_threads(tx, InboxQuery{reader, archived, 50, 0, every_chart}))
          << reader.id << (archived ? " archive" : " inbox");
      kept[archived ? 1 : 0] = threads;
    }
    kept[2] = store_.unread_total(tx, reader, std::nullopt);
    EXPECT_EQ(kept[2], store_.unread_total(tx, reader, every_chart)) << reader.id << " badge";
    return kept;
  };
  const auto all_agree = [&] {
    for (const Principal& reader : readers) totals(reader);
  };
  using Totals = std::array<uint64_t, 3>;
  const auto write = [&](auto&& change) {
    Transaction tx(*db_);
    change(tx);
    tx.commit();
    all_agree();
  };

  const ThreadRecord first = start("p1", kDrLee, {kPat1, kGuardian}, 1000);
  const ThreadRecord second = start("p2", kPat1, {kDrLee}, 1001);
  all_agree();
  EXPECT_EQ(totals(kDrLee), (Totals{2, 0, 1}));
  EXPECT_EQ(totals(kPat1), (Totals{2, 0, 1}));
  EXPECT_EQ(totals(kGuardian), (Totals{1, 0, 1}));

  const MessageRecord reply = add(first.id, kPat1, 2000);
  all_agree();
  EXPECT_EQ(totals(kDrLee), (Totals{2, 0, 2}));
  EXPECT_EQ(totals(kGuardian), (Totals{1, 0, 2}));

  write([&](Transaction& tx) { store_.mark_read(tx, first.id, kDrLee, reply.id, 2100); });
  EXPECT_EQ(totals(kDrLee), (Totals{2, 0, 1}));
  write([&](Transaction& tx) { store_.mark_read(tx, second.id, kDrLee, second.last_message_id); });
  EXPECT_EQ(totals(kDrLee), (Totals{2, 0, 0}));

  // Archived with unread messages: out of the badge, into the archive's count, and back.
  write([&](Transaction& tx) { ASSERT_TRUE(store_.set_archived(tx, first.id, kGuardian, true)); });
  EXPECT_EQ(totals(kGuardian), (Totals{0, 1, 0}));
  write([&](Transaction& tx) { ASSERT_TRUE(store_.set_archived(tx, first.id, kGuardian, false)); });
  EXPECT_EQ(totals(kGuardian), (Totals{1, 0, 2}));
  write([&](Transaction& tx) {
    ASSERT_TRUE(store_.set_archived(tx, first.id, kGuardian, true));
    ASSERT_TRUE(store_.set_archived(tx, first.id, kDrLee, true));
  });
  EXPECT_EQ(totals(kGuardian), (Totals{0, 1, 0}));
  add(first.id, kDrLee, 3000);  // unarchives the thread for every participant, the sender too
  all_agree();
  EXPECT_EQ(totals(kGuardian), (Totals{1, 0, 3}));
  EXPECT_EQ(totals(kDrLee), (Totals{2, 0, 0}));

  write([&](Transaction& tx) { ASSERT_TRUE(store_.add_participant(tx, first.id, kNurse)); });
  EXPECT_EQ(totals(kNurse), (Totals{1, 0, 3}));

  write([&](Transaction& tx) {
    const int64_t imported =
        store_.import_thread(tx, "p2", "From elsewhere", kNurse, {kGuardian}, 4000, {"urn:test", "t1"});
    store_.import_message(tx, imported, kNurse, "imported", 4000,
                          ImportedMessageOrigin{{"urn:test", "m1"}, {}, std::nullopt});
  });
  EXPECT_EQ(totals(kNurse), (Totals{2, 0, 3}));
  EXPECT_EQ(totals(kGuardian), (Totals{2, 0, 4}));

  {
    Transaction rolled_back(*db_);
    store_.add_message(rolled_back, second.id, kDrLee, "not sent", 5000);
    ASSERT_TRUE(store_.set_archived(rolled_back, first.id, kPat1, true));
  }
  all_agree();
  EXPECT_EQ(totals(kPat1), (Totals{2, 0, 2}));
}

TEST_P(ConversationStoreTest, ChartFilterHidesThreadsOfChartsNoLongerReachable) {  // R-CONV-3
  start("p1", kDrLee, {kGuardian}, 1000);
  start("p2", kDrLee, {kGuardian}, 2000);
  EXPECT_EQ(inbox(kGuardian).size(), 2u);
  auto only_p1 = inbox(kGuardian, false, std::vector<std::string>{"p1"});
  ASSERT_EQ(only_p1.size(), 1u);
  EXPECT_EQ(only_p1[0].thread.patient_id, "p1");
  EXPECT_EQ(badge(kGuardian, std::vector<std::string>{"p1"}), 1u);
  EXPECT_EQ(badge(kGuardian, std::vector<std::string>{}), 0u);
  EXPECT_EQ(inbox(kGuardian, false, std::vector<std::string>{"p\"1\\"}).size(), 0u);
}

TEST_P(ConversationStoreTest, PagesAndCountsCoverEveryThread) {  // R-CONV-2
  for (int i = 0; i < 7; ++i) start("p1", kDrLee, {kPat1}, 1000 + i);
  Transaction tx(*db_, TransactionMode::read);
  InboxQuery query{kPat1, false, 3, 0, std::nullopt};
  std::vector<int64_t> seen;
  for (query.offset = 0; query.offset < 9; query.offset += 3) {
    for (const auto& summary : store_.list_threads(tx, query))
      seen.push_back(summary.thread.last_message_at_ms);
  }
  EXPECT_EQ(seen, (std::vector<int64_t>{1006, 1005, 1004, 1003, 1002, 1001, 1000}));
  EXPECT_EQ(store_.count_threads(tx, query), 7u);
}

// The inbox's page, thread count and badge read together are what each reads alone; on
// PostgreSQL the three queries travel with the read's BEGIN, one round trip for the page, with a
// chart filter or without (the count then reads the kept totals).
TEST_P(ConversationStoreTest, R_STORE_1_AnInboxPageReadsItsCountAndBadgeTooInOneRoundTrip) {  // R-CONV-2
  for (int i = 0; i < 5; ++i) start(i % 2 == 0 ? "p1" : "p2", kDrLee, {kGuardian}, 1000 + i);
  auto* server = dynamic_cast<pg::PgStore*>(&*db_);
  for (const auto& charts : {std::optional<std::vector<std::string>>{},
                             std::optional<std::vector<std::string>>{std::vector<std::string>{"p1"}}}) {
    const InboxQuery query{kGuardian, false, 2, 1, charts};
    InboxRecords alone;
    {
      Transaction tx(*db_, TransactionMode::read);
      alone = {store_.list_threads(tx, query), store_.count_threads(tx, query),
               store_.unread_total(tx, kGuardian, charts)};
    }
    for (int warm = 0; warm < 2; ++warm) {  // the first prepares the statements on the connection
      const std::uint64_t before = server != nullptr ? server->round_trips() : 0;
      Transaction tx(*db_, TransactionMode::read);
      const InboxRecords together = store_.inbox_page(tx, query);
      if (server != nullptr && warm == 1) {
        EXPECT_EQ(server->round_trips() - before, 1u);
      }
      ASSERT_EQ(together.threads.size(), alone.threads.size());
      for (std::size_t i = 0; i < alone.threads.size(); ++i)
        EXPECT_EQ(together.threads[i].thread.id, alone.threads[i].thread.id);
      EXPECT_EQ(together.thread_count, alone.thread_count);
      EXPECT_EQ(together.unread_total, alone.unread_total);
    }
    EXPECT_EQ(alone.thread_count, charts ? 3u : 5u);
    EXPECT_EQ(alone.unread_total, charts ? 3u : 5u);
    EXPECT_EQ(alone.threads.size(), 2u);
  }
}

// Two hosts on one store writing to a thread in turn, one of them also after a write it rolled
// back: each message takes the id after the table's last, whoever wrote that one, and its sealed
// body opens under that id. (On PostgreSQL a host first tries the id after its own last message,
// which the other host's message has taken, or which its rolled-back one never used.)
TEST_P(ConversationStoreTest, R_STORE_1_MessagesTwoHostsWriteInTurnTakeTheNextIds) {
  std::unique_ptr<Store> other_db = db_.another();
  const ConversationStore other{at_rest_};
  const ThreadRecord thread = start("p1", kDrLee, {kPat1}, 1000);
  std::vector<int64_t> ids{thread.last_message_id};
  const auto add_on = [&](Store& db, const ConversationStore& store, int64_t at, bool commit) {
    Transaction tx(db);
    const MessageRecord message = store.add_message(tx, thread.id, kPat1, "reply " + std::to_string(at), at);
    if (!commit) return;
    tx.commit();
    ids.push_back(message.id);
  };
  add_on(*db_, store_, 1001, true);
  add_on(*other_db, other, 1002, true);
  add_on(*db_, store_, 1003, true);   // the other host took the id after this host's last
  add_on(*db_, store_, 1004, false);  // rolled back: the id after it was never used
  add_on(*db_, store_, 1005, true);
  add_on(*other_db, other, 1006, true);
  add_on(*db_, store_, 1007, true);
  for (std::size_t i = 1; i < ids.size(); ++i) EXPECT_EQ(ids[i], ids[0] + static_cast<int64_t>(i));
  Transaction tx(*db_, TransactionMode::read);
  const std::vector<MessageRecord> messages = store_.messages(tx, thread.id);  // every body opens
  ASSERT_EQ(messages.size(), ids.size());
  for (std::size_t i = 1; i < messages.size(); ++i) EXPECT_EQ(messages[i].id, ids[i]);
  EXPECT_EQ(messages.back().body, "reply 1007");
  const std::optional<ThreadRecord> after = store_.find_thread(tx, thread.id);
  ASSERT_TRUE(after);
  EXPECT_EQ(after->message_count, 7u);
  EXPECT_EQ(after->last_message_id, ids.back());
  EXPECT_EQ(store_.unread_total(tx, kDrLee, std::nullopt), 6u);
}

// The thread and its participants as the access check reads them, in one query.
TEST_P(ConversationStoreTest, AThreadIsFoundWithItsParticipants) {
  const ThreadRecord thread = start("p1", kDrLee, {kPat1, kGuardian}, 1000);
  Transaction tx(*db_, TransactionMode::read);
  const auto found = store_.find_thread_with_participants(tx, thread.id);
  ASSERT_TRUE(found);
  EXPECT_EQ(found->first.id, thread.id);
  EXPECT_EQ(found->first.subject, "Lab results");
  EXPECT_EQ(found->second, store_.participants(tx, thread.id));
  EXPECT_EQ(found->second.size(), 3u);
  EXPECT_FALSE(store_.find_thread_with_participants(tx, thread.id + 1));
}

TEST_P(ConversationStoreTest, AClockSteppingBackDoesNotReorderTheInbox) {
  ThreadRecord a = start("p1", kDrLee, {kPat1}, 5000);
  start("p1", kDrLee, {kPat1}, 4000);
  add(a.id, kPat1, 3000);  // host clock went back
  EXPECT_EQ(inbox(kPat1)[0].thread.id, a.id);
}

TEST_P(ConversationStoreTest, CommittedMessagesSurviveReopeningTheFile) {  // R-CONV-5
  ThreadRecord thread = start("p1", kDrLee, {kPat1}, 1000, "first");
  add(thread.id, kPat1, 2000, "second: é ü 中文 ✓");
  {
    Transaction tx(*db_);
    store_.add_message(tx, thread.id, kPat1, "rolled back", 3000);
  }  // no commit: nothing half-written
  reopen();
  Transaction tx(*db_, TransactionMode::read);
  auto messages = store_.messages(tx, thread.id);
  ASSERT_EQ(messages.size(), 2u);
  EXPECT_EQ(messages[1].body, "second: é ü 中文 ✓");
  EXPECT_EQ(store_.find_thread(tx, thread.id)->message_count, 2u);
}

TEST_P(ConversationStoreTest, StoredMessagesCannotBeChangedOrDeleted) {  // R-CONV-5
  ThreadRecord thread = start("p1", kDrLee, {kPat1}, 1000);
  // A transaction each: on PostgreSQL a refused statement ends its transaction.
  {
    Transaction tx(*db_);
    EXPECT_THROW(tx.prepare("DELETE FROM messages").run(), Error);
  }
  Transaction tx(*db_);
  EXPECT_THROW(tx.prepare("UPDATE messages SET body = 'x'").run(), Error);
}

TEST_P(ConversationStoreTest, InboxPageIsOneIndexRangeWithoutSorting) {
  Transaction tx(*db_, TransactionMode::read);
  const std::string inbox =
      "SELECT p.thread_id FROM thread_participants p JOIN message_threads t ON t.id = p.thread_id "
      "WHERE p.principal_kind = 2 AND p.principal_id = 'x' AND p.archived = 0 "
      "ORDER BY p.last_message_at DESC, p.thread_id DESC LIMIT 50";
  std::string plan;
  if (GetParam() == test::Backend::sqlite) {
    Statement explain = tx.prepare("EXPLAIN QUERY PLAN " + inbox);
    while (explain.step()) plan += explain.text(3) + "\n";
    EXPECT_EQ(plan.find("TEMP B-TREE"), std::string::npos) << plan;  // no sort of all rows
  } else {
    // PostgreSQL plans by the tables' statistics, and an empty table is read whole. With scans
    // and sorts priced out, the plan shows whether the index alone yields the page in order: if it
    // could not, a Sort would still be there.
    tx.execute_script("SET LOCAL enable_seqscan = off; SET LOCAL enable_sort = off");
    Statement explain = tx.prepare("EXPLAIN " + inbox);
    while (explain.step()) plan += explain.text(0) + "\n";
    EXPECT_EQ(plan.find("Sort"), std::string::npos) << plan;
  }
  EXPECT_NE(plan.find("thread_participants_inbox"), std::string::npos) << plan;
}

INSTANTIATE_TEST_SUITE_P(Backends, ConversationStoreTest, ::testing::ValuesIn(test::backends()),
                         test::backend_name);

}  // namespace
}  // namespace ehr::portal

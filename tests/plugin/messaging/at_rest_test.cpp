// R-SEC-2: message subjects and bodies are encrypted at rest under the host's data key, bound to
// their row and field, with a key id per row; clear rows from before stay readable; a key rotation
// re-encrypts everything while sends go on.
#include <gtest/gtest.h>

#include <atomic>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>
#include <thread>

#include "common/storage.hpp"
#include "messaging_world.hpp"
#include "storage/transaction.hpp"

namespace ehr::portal::test {
namespace {

using AtRestTest = MessagingWorld;

std::string raw_bytes(const std::filesystem::path& file) {
  std::ifstream in(file, std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
}

int64_t count(Store& db, const std::string& sql) {
  Transaction tx(db, TransactionMode::read);
  Statement query = tx.prepare(sql);
  return query.step() ? query.int64(0) : -1;
}

TEST_P(AtRestTest, R_SEC_2_TheDatabaseFilesHoldNoSubjectOrBodyInClear) {
  const std::string body = "Potassium 5.9 mmol/L: please call the clinic today";
  const SentMessage sent =
      service().start_thread({staff("drlee"), "p1", {portal("pat1")}, "Hyperkalemia follow-up", body});
  service().reply({portal("pat1"), sent.thread_id, "I will call at noon about the potassium"});

  const std::vector<MessageView> messages = service().read_thread(portal("pat1"), sent.thread_id);
  ASSERT_EQ(messages.size(), 2u);
  EXPECT_EQ(messages[0].message.body, body);
  EXPECT_EQ(messages[1].message.body, "I will call at noon about the potassium");
  EXPECT_EQ(inbox(staff("drlee")).threads.at(0).thread.subject, "Hyperkalemia follow-up");

  if (GetParam() == Backend::postgresql) {
    // The server's files belong to its account: what the plugin's role (or a dump) reads instead.
    Transaction tx(*db_, TransactionMode::read);
    for (const char* text : {"Hyperkalemia", "Potassium 5.9", "call at noon"}) {
      Statement found = tx.prepare(
          "SELECT (SELECT count(*) FROM messages WHERE position(convert_to(?1, 'UTF8') IN body) > 0) + "
          "(SELECT count(*) FROM message_threads WHERE position(convert_to(?1, 'UTF8') IN subject) > 0) + "
          "(SELECT count(*) FROM webhook_outbox WHERE position(convert_to(?1, 'UTF8') IN payload) > 0)");
      found.bind(1, text);
      ASSERT_TRUE(found.step());
      EXPECT_EQ(found.int64(0), 0) << "'" << text << "' is stored in clear";
    }
    return;
  }
  // What another account (or a stolen backup) would read: the database and its write-ahead log.
  const std::string files = raw_bytes(db_.file()) + raw_bytes(db_.file().string() + "-wal");
  ASSERT_FALSE(files.empty());
  for (const char* text : {"Hyperkalemia", "Potassium 5.9", "call at noon"})
    EXPECT_EQ(files.find(text), std::string::npos) << "'" << text << "' is in the database file in clear";
}

TEST_P(AtRestTest, R_SEC_2_ACiphertextMovedToAnotherRowOrThreadIsRefusedNotShown) {
  const SentMessage first = staff_writes("drlee", "p1", "First body");
  const SentMessage second = staff_writes("drlee", "p1", "Second body");
  {
    // Someone with write access to the file swaps sealed values between rows (triggers and all).
    const std::unique_ptr<Store> db = db_.another();
    Transaction tx(*db);
    tx.execute_script(GetParam() == Backend::sqlite
                          ? "DROP TRIGGER messages_are_never_changed"
                          : "ALTER TABLE messages DISABLE TRIGGER messages_are_never_changed");
    tx.prepare("UPDATE messages SET body = (SELECT body FROM messages WHERE id = ?2) WHERE id = ?1")
        .bind_all(first.message_id, second.message_id)
        .run();
    tx.prepare(
          "UPDATE message_threads SET subject = (SELECT subject FROM message_threads WHERE id = ?2) WHERE id "
          "= ?1")
        .bind_all(second.thread_id, first.thread_id)
        .run();
    tx.commit();
  }
  const Error body = refusal_of([&] { (void)service().read_thread(staff("drlee"), first.thread_id); });
  EXPECT_EQ(body.code(), EHR_STATUS_STORAGE);
  EXPECT_NE(
      std::string(body.what())
          .find("body of message " + std::to_string(first.message_id) + " does not decrypt under data key 1"),
      std::string::npos)
      << body.what();
  EXPECT_NE(std::string(body.what()).find("copied from another row or field"), std::string::npos);
  const Error subject = refusal_of([&] { (void)inbox(staff("drlee")); });
  EXPECT_EQ(subject.code(), EHR_STATUS_STORAGE);
  EXPECT_NE(std::string(subject.what()).find("subject of thread " + std::to_string(second.thread_id)),
            std::string::npos)
      << subject.what();
}

TEST_P(AtRestTest, R_SEC_2_AKeyTheHostNoLongerHasGivesAClearError) {
  const SentMessage sent = staff_writes("drlee", "p1", "Written under key 1");
  host_.rotate_data_key();
  host_.forget_key(1);  // e.g. a restore that brought the data back without the old key file
  // A fresh start of the plugin: nothing cached.
  HostClient client(host_.table());
  AtRest at_rest(client, PluginConfig{});
  const ConversationStore store(at_rest);
  Transaction tx(*db_, TransactionMode::read);
  const Error error = refusal_of([&] { (void)store.messages(tx, sent.thread_id); });
  EXPECT_EQ(error.code(), EHR_STATUS_STORAGE);
  EXPECT_NE(std::string(error.what()).find("is encrypted under data key 1, which the host cannot give"),
            std::string::npos)
      << error.what();
}

TEST_P(AtRestTest, R_SEC_2_RowsStoredInClearBeforeTheUpgradeStayReadableAndRotationSealsThem) {
  // Rows as a database from before encryption holds them: key id 0, the text in clear.
  test::TestHost older;
  older.drop_key_service();
  HostClient older_client(older.table());
  AtRest in_clear(older_client, PluginConfig(PluginConfig::Entries{{"storage.allow_plaintext", "true"}}));
  ThreadRecord legacy;
  {
    Transaction tx(*db_);
    legacy = ConversationStore(in_clear).create_thread(tx, "p1", "Old subject", staff("drlee"),
                                                       {portal("pat1")}, "Old body from 2025", 1000);
    tx.commit();
  }
  EXPECT_EQ(count(*db_, "SELECT COUNT(*) FROM messages WHERE body_key = 0"), 1);
  const std::vector<MessageView> before = service().read_thread(staff("drlee"), legacy.id);
  ASSERT_EQ(before.size(), 1u);
  EXPECT_EQ(before[0].message.body, "Old body from 2025");

  const auto report = service().rekey(staff("admin"), 100);
  EXPECT_EQ(report.resealed, 2u) << "the subject and the body";
  EXPECT_EQ(count(*db_, "SELECT COUNT(*) FROM messages WHERE body_key = 0"), 0);
  EXPECT_EQ(count(*db_, "SELECT COUNT(*) FROM message_threads WHERE subject_key = 0"), 0);
  EXPECT_EQ(service().read_thread(staff("drlee"), legacy.id).at(0).message.body, "Old body from 2025");
  EXPECT_EQ(inbox(staff("drlee")).threads.at(0).thread.subject, "Old subject");
}

TEST_P(AtRestTest, R_SEC_2_RotationUnderConcurrentSendsLosesNothingAndLeavesEverythingUnderTheNewKey) {
  for (int i = 0; i < 40; ++i) staff_writes("drlee", "p1", "before " + std::to_string(i));
  const uint32_t new_key = host_.rotate_data_key();
  std::atomic<int> sent_during{0};
  std::thread sender([&] {
    for (int i = 0; i < 60; ++i) {
      staff_writes("drlee", "p1", "during " + std::to_string(i));
      ++sent_during;
    }
  });
  const auto report = service().rekey(staff("admin"), 7);
  sender.join();
  EXPECT_EQ(report.key_id, new_key);
  EXPECT_GE(report.batches, 2u) << "small batches, each its own transaction";
  EXPECT_EQ(sent_during.load(), 60);
  EXPECT_EQ(count(*db_, "SELECT COUNT(*) FROM messages"), 100) << "nothing lost";
  EXPECT_EQ(count(*db_, "SELECT COUNT(*) FROM messages WHERE body_key <> " + std::to_string(new_key)), 0);
  EXPECT_EQ(
      count(*db_, "SELECT COUNT(*) FROM message_threads WHERE subject_key <> " + std::to_string(new_key)), 0);

  const std::vector<AuditRecord> audited_rotation = audited("keys.rotate");
  ASSERT_EQ(audited_rotation.size(), 1u);
  EXPECT_EQ(audited_rotation[0].entry.target, "data key " + std::to_string(new_key));
  EXPECT_EQ(audited_rotation[0].entry.detail.find("before"), std::string::npos) << "counts, never content";

  // Readable with the new key alone: the old one may go.
  host_.forget_key(1);
  HostClient client(host_.table());
  AtRest fresh(client, PluginConfig{});
  const ConversationStore store(fresh);
  Transaction tx(*db_, TransactionMode::read);
  int bodies = 0;
  for (int64_t thread = 1; thread <= 100; ++thread) {
    for (const MessageRecord& message : store.messages(tx, thread)) {
      EXPECT_TRUE(message.body.starts_with("before ") || message.body.starts_with("during ")) << message.body;
      ++bodies;
    }
  }
  EXPECT_EQ(bodies, 100);
}

INSTANTIATE_TEST_SUITE_P(Backends, AtRestTest, ::testing::ValuesIn(backends()), backend_name);

}  // namespace
}  // namespace ehr::portal::test

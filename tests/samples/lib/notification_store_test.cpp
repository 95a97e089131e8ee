// The sample host's notification store: what `ehr-host notifications list` reads back.
#include "notification_store.hpp"

#include <gtest/gtest.h>
#include <sqlite3.h>

#include <filesystem>
#include <fstream>
#include <iterator>
#include <stdexcept>
#include <thread>

#include "temp_directory.hpp"

namespace ehr::sample {
namespace {

class NotificationStoreTest : public ::testing::Test {
 protected:
  TempDirectory temp_{"notification-store"};
  const std::filesystem::path& dir_ = temp_.path();
  std::unique_ptr<host::KeyStore> keys_ = host::KeyStore::generate();
};

// The store's file as another local account would copy it: the database and its -wal.
std::string raw_bytes(const std::filesystem::path& file) {
  std::string bytes;
  for (const std::filesystem::path& part : {file, std::filesystem::path(file.string() + "-wal")}) {
    std::ifstream in(part, std::ios::binary);
    bytes.append(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
  }
  return bytes;
}

// Raw SQL on the store's file, as an attacker with write access (or an old ehr-host) would run it.
void execute(const std::filesystem::path& file, const std::string& sql) {
  sqlite3* db = nullptr;
  ASSERT_EQ(sqlite3_open(file.c_str(), &db), SQLITE_OK);
  char* error = nullptr;
  const int rc = sqlite3_exec(db, sql.c_str(), nullptr, nullptr, &error);
  const std::string message = error != nullptr ? error : "";
  sqlite3_free(error);
  sqlite3_close(db);
  ASSERT_EQ(rc, SQLITE_OK) << message;
}

std::int64_t count(const std::filesystem::path& file, const std::string& sql) {
  sqlite3* db = nullptr;
  EXPECT_EQ(sqlite3_open(file.c_str(), &db), SQLITE_OK);
  sqlite3_stmt* statement = nullptr;
  EXPECT_EQ(sqlite3_prepare_v2(db, sql.c_str(), -1, &statement, nullptr), SQLITE_OK) << sqlite3_errmsg(db);
  const std::int64_t n = sqlite3_step(statement) == SQLITE_ROW ? sqlite3_column_int64(statement, 0) : -1;
  sqlite3_finalize(statement);
  sqlite3_close(db);
  return n;
}

DeliveredNotification invitation(const std::string& to) {
  DeliveredNotification n;
  n.at_unix_ms = 1764000000000;
  n.kind = "portal_invitation";
  n.channel = "email";
  n.to = to;
  n.address = to + "@mail.example";
  n.brand = "Northside Family Care";
  n.subject = "You are invited";
  n.text = "Hello,\nsign in at https://portal.example";
  n.html = "<p>Hello</p>";
  return n;
}

TEST_F(NotificationStoreTest, KeepsWhatWasDeliveredAcrossReopening) {
  {
    NotificationStore store(dir_ / "n.sqlite3", *keys_);
    EXPECT_EQ(store.add(invitation("portal:maria")), 1);
    EXPECT_EQ(store.add(invitation("portal:hoa")), 2);
  }
  NotificationStore reopened(dir_ / "n.sqlite3", *keys_);
  const auto all = reopened.list();
  ASSERT_EQ(all.size(), 2u);
  EXPECT_EQ(all[0].to, "portal:maria");
  EXPECT_EQ(all[1].to, "portal:hoa");
  EXPECT_EQ(all[0].text, "Hello,\nsign in at https://portal.example");
  EXPECT_EQ(all[0].brand, "Northside Family Care");
  EXPECT_EQ(all[0].html, "<p>Hello</p>");
  EXPECT_EQ(all[0].at_unix_ms, 1764000000000);
}

TEST_F(NotificationStoreTest, SeveralThreadsAddWithoutLosingAny) {
  NotificationStore store(dir_ / "n.sqlite3", *keys_);
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&store, t] {
      for (int i = 0; i < 25; ++i) store.add(invitation("portal:u" + std::to_string(t)));
    });
  }
  for (auto& thread : threads) thread.join();
  EXPECT_EQ(store.list().size(), 100u);
}

TEST_F(NotificationStoreTest, UnopenableFileIsNamed) {
  try {
    NotificationStore store(dir_ / "missing-folder" / "n.sqlite3", *keys_);
    FAIL() << "opened a file in a folder that does not exist";
  } catch (const std::runtime_error& error) {
    EXPECT_NE(std::string(error.what()).find("missing-folder"), std::string::npos) << error.what();
  }
}

TEST_F(NotificationStoreTest, R_SEC_2_NoAddressIsInTheFileOrItsWalAfterDelivery) {
  const std::filesystem::path file = dir_ / "n.sqlite3";
  {
    NotificationStore store(file, *keys_);
    DeliveredNotification sms = invitation("portal:hoa");
    sms.channel = "sms";
    sms.address = "+15550134477";
    store.add(invitation("portal:maria"));
    store.add(sms);
    // While the store is open (the -wal holds the newest pages) and after it closed.
    const std::string open_bytes = raw_bytes(file);
    EXPECT_EQ(open_bytes.find("portal:maria@mail.example"), std::string::npos);
    EXPECT_EQ(open_bytes.find("+15550134477"), std::string::npos);
    EXPECT_NE(open_bytes.find("You are invited"), std::string::npos) << "the test reads the right bytes";
  }
  const std::string closed_bytes = raw_bytes(file);
  EXPECT_EQ(closed_bytes.find("portal:maria@mail.example"), std::string::npos);
  EXPECT_EQ(closed_bytes.find("+15550134477"), std::string::npos);
  NotificationStore reopened(file, *keys_);
  const auto all = reopened.list();
  ASSERT_EQ(all.size(), 2u);
  EXPECT_EQ(all[0].address, "portal:maria@mail.example");
  EXPECT_EQ(all[1].address, "+15550134477");
}

TEST_F(NotificationStoreTest, R_SEC_2_AnAddressSwappedBetweenRowsIsRefusedNamingTheRow) {
  const std::filesystem::path file = dir_ / "n.sqlite3";
  {
    NotificationStore store(file, *keys_);
    store.add(invitation("portal:maria"));
    store.add(invitation("portal:hoa"));
  }
  execute(file,
          "UPDATE notifications SET address = (SELECT address FROM notifications WHERE id = 1) WHERE id = 2");
  NotificationStore store(file, *keys_);
  try {
    const auto all = store.list();
    FAIL() << "showed notification 2 with address " << all.at(1).address;
  } catch (const std::runtime_error& error) {
    const std::string message = error.what();
    EXPECT_NE(message.find("address of notification 2 does not decrypt under data key 1"), std::string::npos)
        << message;
    EXPECT_EQ(message.find("@mail.example"), std::string::npos) << "no address in the error: " << message;
  }
}

TEST_F(NotificationStoreTest, R_SEC_2_ResealMovesEveryAddressToTheCurrentKeyInBatches) {
  const std::filesystem::path file = dir_ / "n.sqlite3";
  NotificationStore store(file, *keys_);
  for (const char* to : {"portal:maria", "portal:hoa", "portal:ana"}) store.add(invitation(to));
  const std::uint32_t old_key = keys_->get(host::KeyPurpose::data, 0).value().id;
  const std::uint32_t new_key = keys_->rotate(host::KeyPurpose::data).value().id;
  ASSERT_NE(old_key, new_key);
  store.add(invitation("portal:new"));  // already under the new key: not counted
  EXPECT_EQ(store.reseal(2), 3);
  EXPECT_EQ(
      count(file, "SELECT count(*) FROM notifications WHERE address_key_id = " + std::to_string(new_key)), 4);
  EXPECT_EQ(store.reseal(2), 0) << "nothing left under an old key";
  const auto all = store.list();
  ASSERT_EQ(all.size(), 4u);
  EXPECT_EQ(all[0].address, "portal:maria@mail.example");
  EXPECT_EQ(all[2].address, "portal:ana@mail.example");
  EXPECT_EQ(all[3].address, "portal:new@mail.example");
}

TEST_F(NotificationStoreTest, R_SEC_2_AFileFromBeforeEncryptionIsStillReadableAndResealed) {
  const std::filesystem::path file = dir_ / "n.sqlite3";
  // The store's table as it was first shipped, with one delivered notification in clear.
  execute(
      file,
      "PRAGMA journal_mode=WAL;"
      "CREATE TABLE notifications ("
      "  id INTEGER PRIMARY KEY AUTOINCREMENT,"
      "  at_unix_ms INTEGER NOT NULL,"
      "  kind TEXT NOT NULL, channel TEXT NOT NULL, recipient TEXT NOT NULL, address TEXT NOT NULL,"
      "  brand TEXT NOT NULL, subject TEXT NOT NULL, body_text TEXT NOT NULL, body_html TEXT NOT NULL);"
      "INSERT INTO notifications (at_unix_ms, kind, channel, recipient, address, brand, subject, "
      "body_text, body_html) VALUES (1764000000000, 'portal_invitation', 'email', 'portal:old', "
      "'old.patient@mail.example', 'Northside Family Care', 'You are invited', 'Hello', '<p>Hello</p>');");
  NotificationStore store(file, *keys_);
  store.add(invitation("portal:maria"));
  auto all = store.list();
  ASSERT_EQ(all.size(), 2u);
  EXPECT_EQ(all[0].address, "old.patient@mail.example");
  EXPECT_EQ(all[0].to, "portal:old");
  EXPECT_EQ(all[1].address, "portal:maria@mail.example");
  EXPECT_EQ(store.reseal(500), 1) << "only the row in clear";
  EXPECT_EQ(
      count(file, "SELECT count(*) FROM notifications WHERE address_key_id = 0 OR typeof(address) != 'blob'"),
      0);
  all = store.list();
  EXPECT_EQ(all[0].address, "old.patient@mail.example");
}

}  // namespace
}  // namespace ehr::sample

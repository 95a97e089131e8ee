// The sample host's notification store: what `ehr-host notifications list` reads back.
#include "notification_store.hpp"

#include <gtest/gtest.h>

#include <filesystem>
#include <stdexcept>
#include <thread>

#include "temp_directory.hpp"

namespace ehr::sample {
namespace {

class NotificationStoreTest : public ::testing::Test {
 protected:
  TempDirectory temp_{"notification-store"};
  const std::filesystem::path& dir_ = temp_.path();
};

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
    NotificationStore store(dir_ / "n.sqlite3");
    EXPECT_EQ(store.add(invitation("portal:maria")), 1);
    EXPECT_EQ(store.add(invitation("portal:hoa")), 2);
  }
  NotificationStore reopened(dir_ / "n.sqlite3");
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
  NotificationStore store(dir_ / "n.sqlite3");
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
    NotificationStore store(dir_ / "missing-folder" / "n.sqlite3");
    FAIL() << "opened a file in a folder that does not exist";
  } catch (const std::runtime_error& error) {
    EXPECT_NE(std::string(error.what()).find("missing-folder"), std::string::npos) << error.what();
  }
}

}  // namespace
}  // namespace ehr::sample

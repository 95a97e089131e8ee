// The web console's sign-in parts: argon2id password file, sessions with an idle timeout, and
// the sign-in throttle (R-WEB-3).
#include <gtest/gtest.h>
#include <sys/stat.h>

#include <fstream>
#include <thread>

#include "password_store.hpp"
#include "sessions.hpp"
#include "temp_directory.hpp"

namespace ehr::sample::web {
namespace {

TEST(PasswordStore, R_WEB_3_StoresArgon2idHashesReadableByTheOwnerOnly) {
  const TempDirectory data("password-store");
  PasswordStore store(data.path());
  store.set("admin", "correct horse battery");
  store.set("portal:rachel", "another long password");

  EXPECT_TRUE(store.verify("admin", "correct horse battery"));
  EXPECT_FALSE(store.verify("admin", "correct horse batter"));
  EXPECT_FALSE(store.verify("portal:rachel", "correct horse battery"));
  EXPECT_FALSE(store.verify("nobody", "correct horse battery"));

  const std::filesystem::path file = data.path() / PasswordStore::kFileName;
  struct stat info {};
  ASSERT_EQ(::stat(file.c_str(), &info), 0);
  EXPECT_EQ(info.st_mode & 0777, 0600);
  std::ifstream in(file);
  const std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  EXPECT_NE(text.find("$argon2id$"), std::string::npos);
  EXPECT_EQ(text.find("correct horse battery"), std::string::npos);
}

TEST(PasswordStore, R_WEB_3_AShortPasswordIsRefusedAndTheOldOneStays) {
  const TempDirectory data("password-store");
  PasswordStore store(data.path());
  store.set("admin", "correct horse battery");
  EXPECT_THROW(store.set("admin", "short"), std::invalid_argument);
  EXPECT_TRUE(store.verify("admin", "correct horse battery"));
}

TEST(PasswordStore, R_WEB_3_ANewPasswordTakesEffectOnARunningServer) {
  const TempDirectory data("password-store");
  PasswordStore server(data.path());
  PasswordStore command_line(data.path());
  command_line.set("drlee", "first long password");
  EXPECT_TRUE(server.verify("drlee", "first long password"));
  command_line.set("drlee", "second long password");
  EXPECT_FALSE(server.verify("drlee", "first long password"));
  EXPECT_TRUE(server.verify("drlee", "second long password"));
}

TEST(SessionStore, R_WEB_3_SessionsAreRandom256BitIdsThatEndWhenIdleOrClosed) {
  SessionStore sessions(std::chrono::seconds(1));
  const Session first = sessions.open(ehr::host::Principal::staff("admin"));
  const Session second = sessions.open(ehr::host::Principal::staff("admin"));
  EXPECT_EQ(first.id.size(), 64u);
  EXPECT_EQ(first.csrf.size(), 64u);
  EXPECT_NE(first.id, second.id);
  EXPECT_NE(first.csrf, first.id);

  ASSERT_TRUE(sessions.touch(first.id));
  EXPECT_EQ(sessions.touch(first.id)->who, ehr::host::Principal::staff("admin"));
  EXPECT_FALSE(sessions.touch("not a session"));
  sessions.close(second.id);
  EXPECT_FALSE(sessions.touch(second.id));

  std::this_thread::sleep_for(std::chrono::milliseconds(1100));
  EXPECT_FALSE(sessions.touch(first.id));
}

TEST(LoginThrottle, R_WEB_3_TooManyFailuresBlockTheAccountAndTheAddressSeparately) {
  LoginThrottle throttle(3, 5, std::chrono::minutes(15));
  for (int i = 0; i < 3; ++i) {
    EXPECT_TRUE(throttle.allowed("drlee", "10.0.0.1"));
    throttle.failed("drlee", "10.0.0.1");
  }
  EXPECT_FALSE(throttle.allowed("drlee", "10.0.0.2"));  // the account, from anywhere
  EXPECT_TRUE(throttle.allowed("admin", "10.0.0.1"));   // another account from the same address
  throttle.failed("admin", "10.0.0.1");
  throttle.failed("nurse1", "10.0.0.1");
  EXPECT_FALSE(throttle.allowed("drkim", "10.0.0.1"));  // the address, for any account
  EXPECT_TRUE(throttle.allowed("drkim", "10.0.0.3"));
}

TEST(Tokens, R_WEB_3_CsrfTokensCompareWholeAndNeverEmpty) {
  EXPECT_TRUE(same_token("ab12", "ab12"));
  EXPECT_FALSE(same_token("ab12", "ab13"));
  EXPECT_FALSE(same_token("ab12", "ab1"));
  EXPECT_FALSE(same_token("", ""));
}

}  // namespace
}  // namespace ehr::sample::web

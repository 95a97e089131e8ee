// KeyStore: the host's keys for its plugins (R-SEC-2), and get_key in the C table built from a
// HostServices that offers them.
#include "ehr/host/key_store.hpp"

#include <gtest/gtest.h>
#include <sys/stat.h>

#include <cstdlib>
#include <cstring>
#include <fstream>
#include <string>

#include "ehr/host/host_services.hpp"
#include "support/scratch.hpp"
#include "support/test_host.hpp"

namespace ehr::host {
namespace {

mode_t mode_of(const std::filesystem::path& path) {
  struct stat info {};
  EXPECT_EQ(::stat(path.c_str(), &info), 0) << path;
  return info.st_mode & 07777;
}

// EHR_HOST_KEYS set for the scope of one test.
class KeysVariable {
 public:
  explicit KeysVariable(const char* value) { ::setenv(KeyStore::kEnvironmentVariable, value, 1); }
  ~KeysVariable() { ::unsetenv(KeyStore::kEnvironmentVariable); }
  KeysVariable(const KeysVariable&) = delete;
  KeysVariable& operator=(const KeysVariable&) = delete;
};

constexpr const char* kDataKeyA = "AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=";   // bytes 0..31
constexpr const char* kAuditKeyB = "ICEiIyQlJicoKSorLC0uLzAxMjM0NTY3ODk6Ozw9Pj8=";  // bytes 32..63

TEST(KeyStore, R_SEC_2_FirstStartCreatesAPrivateKeyFileWithADataAndAnAuditKey) {
  ::unsetenv(KeyStore::kEnvironmentVariable);
  testing::ScratchDir dir;
  const auto data_dir = dir / "host-data";
  const mode_t previous = ::umask(000);
  auto store = KeyStore::open(data_dir);
  ::umask(previous);
  ASSERT_TRUE(store) << store.status();
  EXPECT_EQ(mode_of(data_dir / "keys"), 0600);
  EXPECT_EQ(mode_of(data_dir), 0700);
  Result<Key> data = (*store)->get(KeyPurpose::data, 0);
  Result<Key> audit = (*store)->get(KeyPurpose::audit, 0);
  ASSERT_TRUE(data) << data.status();
  ASSERT_TRUE(audit) << audit.status();
  EXPECT_NE(data->id, audit->id);
  EXPECT_NE(data->bytes, audit->bytes);
  EXPECT_NE(data->bytes, (std::array<std::uint8_t, 32>{})) << "random, not zero";

  // The next start reads the same keys: they must outlive the process, or the data is lost.
  auto again = KeyStore::open(data_dir);
  ASSERT_TRUE(again) << again.status();
  EXPECT_EQ((*again)->get(KeyPurpose::data, 0)->bytes, data->bytes);
  EXPECT_EQ((*again)->get(KeyPurpose::audit, audit->id)->bytes, audit->bytes);
}

TEST(KeyStore, R_SEC_2_RotationAddsACurrentKeyAndKeepsTheOldOnesInTheFile) {
  ::unsetenv(KeyStore::kEnvironmentVariable);
  testing::ScratchDir dir;
  auto store = KeyStore::open(dir.path());
  ASSERT_TRUE(store) << store.status();
  const Key old = *(*store)->get(KeyPurpose::data, 0);
  Result<Key> fresh = (*store)->rotate(KeyPurpose::data);
  ASSERT_TRUE(fresh) << fresh.status();
  EXPECT_GT(fresh->id, old.id);
  EXPECT_NE(fresh->bytes, old.bytes);
  EXPECT_EQ((*store)->get(KeyPurpose::data, 0)->id, fresh->id);
  EXPECT_EQ((*store)->get(KeyPurpose::data, old.id)->bytes, old.bytes) << "old keys still read old rows";

  // Another process (a host already running) sees the rotation when it opens the file again.
  auto reopened = KeyStore::open(dir.path());
  ASSERT_TRUE(reopened) << reopened.status();
  EXPECT_EQ((*reopened)->get(KeyPurpose::data, 0)->bytes, fresh->bytes);
  EXPECT_EQ((*reopened)->get(KeyPurpose::data, old.id)->bytes, old.bytes);
}

// `ehr-host keys rotate` runs in its own process while `ehr-host serve` keeps running: the server
// must read what the rotation re-encrypted, under a key it never saw at start, without a restart.
TEST(KeyStore, R_SEC_2_AHostAlreadyRunningReadsAKeyAnotherProcessRotatedIn) {
  ::unsetenv(KeyStore::kEnvironmentVariable);
  testing::ScratchDir dir;
  auto running = KeyStore::open(dir.path());
  ASSERT_TRUE(running) << running.status();
  auto rotating = KeyStore::open(dir.path());
  ASSERT_TRUE(rotating) << rotating.status();
  Result<Key> fresh = (*rotating)->rotate(KeyPurpose::data);
  ASSERT_TRUE(fresh) << fresh.status();

  Result<Key> seen = (*running)->get(KeyPurpose::data, fresh->id);
  ASSERT_TRUE(seen) << seen.status();
  EXPECT_EQ(seen->bytes, fresh->bytes);
  EXPECT_FALSE((*running)->get(KeyPurpose::data, fresh->id + 1)) << "an id no one made is still unknown";
}

TEST(KeyStore, R_SEC_2_TheEnvironmentVariableTakesPrecedenceAndIsNeverWrittenToDisk) {
  testing::ScratchDir dir;
  const std::string keys = std::string("1 data ") + kDataKeyA + ";2 audit " + kAuditKeyB + "\n# comment\n";
  KeysVariable variable(keys.c_str());
  auto store = KeyStore::open(dir.path());
  ASSERT_TRUE(store) << store.status();
  EXPECT_EQ((*store)->source(), "EHR_HOST_KEYS");
  EXPECT_FALSE(std::filesystem::exists(dir / "keys"));
  const Key data = *(*store)->get(KeyPurpose::data, 0);
  EXPECT_EQ(data.id, 1u);
  for (std::size_t i = 0; i < data.bytes.size(); ++i) EXPECT_EQ(data.bytes[i], i);
  EXPECT_EQ((*store)->get(KeyPurpose::audit, 0)->id, 2u);
  Result<Key> rotated = (*store)->rotate(KeyPurpose::data);
  ASSERT_FALSE(rotated);
  EXPECT_EQ(rotated.status().code(), EHR_STATUS_UNSUPPORTED);
  EXPECT_NE(rotated.status().message().find("EHR_HOST_KEYS"), std::string::npos) << rotated.status();
}

TEST(KeyStore, R_SEC_2_AMalformedKeyIsRefusedNamingTheLineWithoutShowingTheSecret) {
  ::unsetenv(KeyStore::kEnvironmentVariable);
  testing::ScratchDir dir;
  {
    std::ofstream file(dir / "keys");
    file << "1 data " << kDataKeyA << "\n2 audit c2VjcmV0LXRvby1zaG9ydA==\n";
  }
  auto store = KeyStore::open(dir.path());
  ASSERT_FALSE(store);
  EXPECT_NE(store.status().message().find("line 2"), std::string::npos) << store.status();
  EXPECT_NE(store.status().message().find("32 bytes"), std::string::npos) << store.status();
  EXPECT_EQ(store.status().message().find("c2VjcmV0"), std::string::npos) << "the secret is not echoed";
  EXPECT_EQ(mode_of(dir / "keys"), 0600) << "a key file left readable by others is narrowed";
}

TEST(KeyStore, R_SEC_2_AnUnknownKeyIdIsNotFoundNamingIt) {
  auto store = KeyStore::from_text(std::string("7 data ") + kDataKeyA, "test keys");
  ASSERT_TRUE(store) << store.status();
  Result<Key> missing = (*store)->get(KeyPurpose::data, 3);
  ASSERT_FALSE(missing);
  EXPECT_EQ(missing.status().code(), EHR_STATUS_NOT_FOUND);
  EXPECT_NE(missing.status().message().find("id 3"), std::string::npos) << missing.status();
  EXPECT_FALSE((*store)->get(KeyPurpose::audit, 0)) << "no audit key in the text";
  EXPECT_FALSE((*store)->get(KeyPurpose::audit, 7)) << "key 7 is a data key";
}

TEST(HostServicesTableKeys, R_SEC_2_GetKeyFillsTheKeyAPluginAsksFor) {
  testing::TestHost host;
  HostServicesTable table(host);
  const ehr_host_services& c = *table.table();
  ASSERT_NE(c.get_key, nullptr);
  ehr_key key{};
  key.struct_type = EHR_STRUCT_KEY;
  key.struct_size = sizeof key;
  ASSERT_EQ(c.get_key(c.host, EHR_KEY_DATA, 0, &key), EHR_STATUS_OK);
  const Key expected = *host.keys().get(KeyPurpose::data, 0);
  EXPECT_EQ(key.key_id, expected.id);
  EXPECT_EQ(std::memcmp(key.bytes, expected.bytes.data(), sizeof key.bytes), 0);

  ehr_key missing{};
  missing.struct_type = EHR_STRUCT_KEY;
  missing.struct_size = sizeof missing;
  EXPECT_EQ(c.get_key(c.host, EHR_KEY_DATA, 999, &missing), EHR_STATUS_NOT_FOUND);
  ehr_error* error = nullptr;
  ASSERT_EQ(c.take_error(c.host, &error), EHR_STATUS_OK);
  ASSERT_NE(error, nullptr);
  EXPECT_NE(std::string(error->message.data, error->message.size).find("999"), std::string::npos);
  ehr_error_free(error);

  ehr_key too_small{};
  too_small.struct_type = EHR_STRUCT_KEY;
  too_small.struct_size = 16;
  EXPECT_EQ(c.get_key(c.host, EHR_KEY_DATA, 0, &too_small), EHR_STATUS_INVALID_ARGUMENT);
}

class NoKeys : public testing::TestHost {
 public:
  OptionalServices optional_services() const override { return {true, true, false}; }
};

TEST(HostServicesTableKeys, AHostThatOffersNoKeysHasNoGetKey) {
  NoKeys host;
  HostServicesTable table(host);
  EXPECT_EQ(table.table()->get_key, nullptr);
}

}  // namespace
}  // namespace ehr::host

// Plugin integrity (issue 7) end to end with the vendor's tool: ehr-sign makes a key and signs the
// real plugin's manifest; a host that trusts the key and requires signatures loads it, and refuses
// it when the library was altered (even with its checksum updated to match), when the key is not
// trusted, and when it is not signed at all.
#include <gtest/gtest.h>
#include <sodium.h>

#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <iterator>
#include <regex>
#include <sstream>
#include <string>

#include "support/reliability_host.hpp"
#include "support/temp_dir.hpp"

namespace ehr::reliability {
namespace {

namespace fs = std::filesystem;
namespace host = ehr::host;

std::string read_text(const fs::path& file) {
  std::ifstream in(file, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

// Runs a command; answers its stdout, fails the test on a non-zero exit.
std::string run(const std::string& command) {
  std::string out;
  FILE* pipe = ::popen(command.c_str(), "r");
  if (pipe == nullptr) return out;
  char buffer[512];
  while (std::fgets(buffer, sizeof buffer, pipe) != nullptr) out += buffer;
  EXPECT_EQ(::pclose(pipe), 0) << command;
  return out;
}

class PluginSigning : public ::testing::Test {
 protected:
  PluginSigning() {
    fs::create_directories(plugins_);
    for (const auto& entry : fs::directory_iterator(EHR_TEST_PLUGINS_DIR))
      fs::copy(entry.path(), plugins_ / entry.path().filename());
    std::istringstream line(
        run(std::string(EHR_SIGN) + " keygen vendor-2026 " + (dir_ / "vendor.key").string()));
    line >> key_.key_id >> key_.public_key_base64;
  }

  void sign() {
    run(std::string(EHR_SIGN) + " sign " + (dir_ / "vendor.key").string() + " " + manifest().string());
  }
  fs::path manifest() const { return plugins_ / "portal-messaging.plugin.xml"; }

  // The plugin's state in a host that requires signatures and trusts `keys`.
  host::Status load(std::vector<host::TrustedKey> keys) {
    ReliabilityHost::Options options = ReliabilityHost::in(dir_ / "host");
    options.plugins_directory = plugins_;
    options.manager.trusted_keys = std::move(keys);
    options.manager.require_signatures = true;
    ReliabilityHost host(options);
    const auto info = host.plugins().info("portal-messaging");
    return info ? info->failure : info.status();
  }

  ehr::portal::test::TempDir dir_;
  fs::path plugins_ = dir_ / "plugins";
  host::TrustedKey key_;
};

TEST_F(PluginSigning, SignedByATrustedKeyLoads) {
  sign();
  EXPECT_NE(read_text(manifest()).find("key-id=\"vendor-2026\""), std::string::npos);
  const host::Status status = load({key_});
  EXPECT_TRUE(status) << status;
}

TEST_F(PluginSigning, AlteredLibraryIsRefusedEvenWithItsChecksumUpdated) {
  sign();
  const fs::path library = plugins_ / "portal_messaging.so";
  std::string bytes = read_text(library);
  bytes[bytes.size() / 2] ^= 0x01;
  std::ofstream(library, std::ios::binary | std::ios::trunc) << bytes;
  unsigned char digest[crypto_hash_sha256_BYTES];
  crypto_hash_sha256(digest, reinterpret_cast<const unsigned char*>(bytes.data()), bytes.size());
  char hex[2 * sizeof digest + 1];
  sodium_bin2hex(hex, sizeof hex, digest, sizeof digest);
  const std::string text = std::regex_replace(read_text(manifest()), std::regex("sha256=\"[0-9a-f]{64}\""),
                                              std::string("sha256=\"") + hex + "\"");
  std::ofstream(manifest(), std::ios::trunc) << text;
  const host::Status status = load({key_});
  ASSERT_FALSE(status);
  EXPECT_EQ(status.code(), EHR_STATUS_FORBIDDEN) << status;
  EXPECT_NE(status.message().find("does not match"), std::string::npos) << status;
}

TEST_F(PluginSigning, AKeyTheHostDoesNotTrustIsRefused) {
  sign();
  const host::Status status = load({{"someone-else", key_.public_key_base64}});
  ASSERT_FALSE(status);
  EXPECT_NE(status.message().find("vendor-2026"), std::string::npos) << status;
}

TEST_F(PluginSigning, UnsignedIsRefusedWhenTheHostRequiresSignatures) {
  const host::Status status = load({key_});
  ASSERT_FALSE(status);
  EXPECT_NE(status.message().find("not signed"), std::string::npos) << status;
}

}  // namespace
}  // namespace ehr::reliability

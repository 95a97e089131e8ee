#include "password_store.hpp"

#include <sodium.h>
#include <sys/stat.h>

#include <fstream>
#include <nlohmann/json.hpp>
#include <stdexcept>

namespace ehr::sample::web {

namespace {

nlohmann::json read_hashes(const std::filesystem::path& file) {
  std::ifstream in(file);
  if (!in) return nlohmann::json::object();
  nlohmann::json hashes = nlohmann::json::parse(in, nullptr, /*allow_exceptions=*/false);
  if (!hashes.is_object())
    throw std::runtime_error(file.string() + " is not a JSON object of password hashes");
  return hashes;
}

// A hash to verify against when the principal has none, so that both cases take as long.
const std::string& decoy_hash() {
  static const std::string hash = [] {
    char out[crypto_pwhash_STRBYTES];
    const std::string decoy = "decoy password, never valid";
    if (crypto_pwhash_str(out, decoy.data(), decoy.size(), crypto_pwhash_OPSLIMIT_INTERACTIVE,
                          crypto_pwhash_MEMLIMIT_INTERACTIVE) != 0) {
      throw std::runtime_error("out of memory hashing a password");
    }
    return std::string(out);
  }();
  return hash;
}

}  // namespace

PasswordStore::PasswordStore(std::filesystem::path data_directory)
    : file_(std::move(data_directory) / kFileName) {
  if (sodium_init() < 0) throw std::runtime_error("libsodium could not be initialised");
}

void PasswordStore::set(std::string_view principal, std::string_view password) {
  if (password.size() < kMinimumLength) {
    throw std::invalid_argument("the password must have at least " + std::to_string(kMinimumLength) +
                                " characters");
  }
  char hash[crypto_pwhash_STRBYTES];
  if (crypto_pwhash_str(hash, password.data(), password.size(), crypto_pwhash_OPSLIMIT_INTERACTIVE,
                        crypto_pwhash_MEMLIMIT_INTERACTIVE) != 0) {
    throw std::runtime_error("out of memory hashing the password");
  }
  const std::lock_guard lock(mutex_);
  nlohmann::json hashes = read_hashes(file_);
  hashes[std::string(principal)] = std::string(hash);
  // Written beside the file and renamed over it: a crash leaves the old file or the new one.
  const std::filesystem::path temporary = file_.string() + ".tmp";
  const mode_t old_mask = ::umask(077);
  {
    std::ofstream out(temporary, std::ios::trunc);
    out << hashes.dump(2) << '\n';
    out.flush();
    if (!out) {
      ::umask(old_mask);
      throw std::runtime_error("cannot write " + temporary.string());
    }
  }
  ::umask(old_mask);
  std::filesystem::permissions(temporary,
                               std::filesystem::perms::owner_read | std::filesystem::perms::owner_write,
                               std::filesystem::perm_options::replace);
  std::filesystem::rename(temporary, file_);
}

bool PasswordStore::verify(std::string_view principal, std::string_view password) const {
  std::string hash;
  {
    const std::lock_guard lock(mutex_);
    const nlohmann::json hashes = read_hashes(file_);
    const auto found = hashes.find(std::string(principal));
    if (found != hashes.end() && found->is_string()) hash = found->get<std::string>();
  }
  const bool known = !hash.empty();
  if (!known) hash = decoy_hash();
  const bool matches = crypto_pwhash_str_verify(hash.c_str(), password.data(), password.size()) == 0;
  return known && matches;
}

}  // namespace ehr::sample::web

#include "library_file.hpp"

#include <fcntl.h>
#include <sodium.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

namespace ehr::host::detail {

namespace {

bool sodium_ready() {
  static const bool ready = sodium_init() >= 0;
  return ready;
}

std::optional<std::vector<unsigned char>> decode_base64(const std::string& text, std::size_t expected_size) {
  std::vector<unsigned char> out(expected_size);
  std::size_t size = 0;
  if (sodium_base642bin(out.data(), out.size(), text.data(), text.size(), nullptr, &size, nullptr,
                        sodium_base64_VARIANT_ORIGINAL) != 0 ||
      size != expected_size)
    return std::nullopt;
  return out;
}

const char* file_kind(mode_t mode) {
  if (S_ISDIR(mode)) return "a directory";
  if (S_ISFIFO(mode)) return "a FIFO (named pipe)";
  if (S_ISCHR(mode)) return "a character device";
  if (S_ISBLK(mode)) return "a block device";
  if (S_ISSOCK(mode)) return "a socket";
  return "a special file";
}

}  // namespace

Result<LibraryFile> LibraryFile::open(const std::filesystem::path& path) {
  LibraryFile file;
  file.path_ = path;
  // O_NONBLOCK: a FIFO in place of the library must not hang the host waiting for a writer (it
  // changes nothing for a regular file). O_NOFOLLOW: the manifest names the file itself, and what
  // is hashed, verified and loaded is this one descriptor.
  file.fd_ = ::open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NONBLOCK | O_NOFOLLOW);
  if (file.fd_ < 0) {
    if (errno == ENOENT)
      return Status::not_found("the library " + path.string() + " does not exist", "library/@file");
    if (errno == ELOOP)
      return Status::invalid_argument(
          "library/@file",
          "the library " + path.string() + " is a symbolic link; the manifest must name the file itself");
    return Status::storage("cannot open the library " + path.string() + ": " + std::strerror(errno));
  }
  struct stat info {};
  if (::fstat(file.fd_, &info) != 0)
    return Status::storage("cannot inspect the library " + path.string() + ": " + std::strerror(errno));
  if (!S_ISREG(info.st_mode))
    return Status::invalid_argument("library/@file", "the library " + path.string() + " is " +
                                                         file_kind(info.st_mode) + ", not a regular file");
  file.bytes_.resize(static_cast<std::size_t>(info.st_size));
  std::size_t done = 0;
  while (done < file.bytes_.size()) {
    const ssize_t n =
        ::pread(file.fd_, file.bytes_.data() + done, file.bytes_.size() - done, static_cast<off_t>(done));
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return Status::storage("cannot read the library " + path.string());
    done += static_cast<std::size_t>(n);
  }
  return file;
}

LibraryFile::LibraryFile(LibraryFile&& other) noexcept
    : path_(std::move(other.path_)), fd_(other.fd_), bytes_(std::move(other.bytes_)) {
  other.fd_ = -1;
}

LibraryFile& LibraryFile::operator=(LibraryFile&& other) noexcept {
  if (this != &other) {
    if (fd_ >= 0) ::close(fd_);
    path_ = std::move(other.path_);
    fd_ = other.fd_;
    bytes_ = std::move(other.bytes_);
    other.fd_ = -1;
  }
  return *this;
}

LibraryFile::~LibraryFile() {
  if (fd_ >= 0) ::close(fd_);
}

std::string LibraryFile::sha256_hex() const {
  (void)sodium_ready();
  unsigned char digest[crypto_hash_sha256_BYTES];
  crypto_hash_sha256(digest, bytes_.data(), bytes_.size());
  char hex[crypto_hash_sha256_BYTES * 2 + 1];
  sodium_bin2hex(hex, sizeof hex, digest, sizeof digest);
  return hex;
}

std::filesystem::path LibraryFile::load_path() const {
  const std::filesystem::path by_descriptor = "/proc/self/fd/" + std::to_string(fd_);
  std::error_code error;
  if (fd_ >= 0 && std::filesystem::exists(by_descriptor, error)) return by_descriptor;
  return std::filesystem::absolute(path_, error);
}

SignatureCheck check_signature(const std::vector<unsigned char>& bytes,
                               const std::optional<ManifestSignature>& signature,
                               const std::vector<TrustedKey>& trusted_keys) {
  using Signature = Verification::Signature;
  SignatureCheck check;
  if (!signature) return check;
  check.key_id = signature->key_id;
  const TrustedKey* key = nullptr;
  for (const TrustedKey& candidate : trusted_keys)
    if (candidate.key_id == signature->key_id) key = &candidate;
  if (key == nullptr) {
    check.signature = Signature::untrusted_key;
    check.problem =
        "signed with key \"" + signature->key_id + "\", which is not among the host's trusted keys";
    return check;
  }
  if (!sodium_ready()) {
    check.signature = Signature::invalid;
    check.problem = "libsodium could not be initialised";
    return check;
  }
  const auto public_key = decode_base64(key->public_key_base64, crypto_sign_PUBLICKEYBYTES);
  if (!public_key) {
    check.signature = Signature::invalid;
    check.problem = "trusted key \"" + key->key_id + "\" is not a base64 Ed25519 public key of 32 bytes";
    return check;
  }
  const auto signature_bytes = decode_base64(signature->ed25519_base64, crypto_sign_BYTES);
  if (!signature_bytes) {
    check.signature = Signature::invalid;
    check.problem = "signature/@ed25519 is not a base64 Ed25519 signature of 64 bytes";
    return check;
  }
  if (crypto_sign_verify_detached(signature_bytes->data(), bytes.data(), bytes.size(), public_key->data()) !=
      0) {
    check.signature = Signature::invalid;
    check.problem = "the Ed25519 signature by key \"" + key->key_id + "\" does not match the library's bytes";
    return check;
  }
  check.signature = Signature::valid;
  return check;
}

}  // namespace ehr::host::detail

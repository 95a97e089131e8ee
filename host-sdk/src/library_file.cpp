#include "library_file.hpp"

#include <fcntl.h>
#include <sodium.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <map>
#include <mutex>

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

// What this process already knows of a library file, by identity.
struct KnownLibrary {
  std::string sha256_hex;
  int loader_fd = -1;                                // the descriptor it was loaded through; open until exit
  std::map<std::string, SignatureCheck> signatures;  // by signature, key id and public key
};

struct KnownLibraries {
  std::mutex mutex;
  std::map<FileIdentity, KnownLibrary> by_identity;
};

// Never destroyed: its descriptors belong to mappings that live until exit.
KnownLibraries& known_libraries() {
  static auto* known = new KnownLibraries;
  return *known;
}

std::int64_t nanoseconds(const timespec& t) {
  return static_cast<std::int64_t>(t.tv_sec) * 1'000'000'000 + t.tv_nsec;
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
    if (errno == EMFILE || errno == ENFILE)
      return Status::storage("cannot open the library " + path.string() + ": " + std::strerror(errno) +
                             " (the process has run out of file descriptors: raise its limit, ulimit -n, "
                             "or unload plugins it no longer serves)");
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
  file.identity_ = FileIdentity{
      static_cast<std::uint64_t>(info.st_dev), static_cast<std::uint64_t>(info.st_ino),
      static_cast<std::int64_t>(info.st_size), nanoseconds(info.st_mtim), nanoseconds(info.st_ctim)};
  return file;
}

LibraryFile::LibraryFile(LibraryFile&& other) noexcept
    : path_(std::move(other.path_)),
      fd_(other.fd_),
      identity_(other.identity_),
      bytes_(std::move(other.bytes_)) {
  other.fd_ = -1;
}

LibraryFile& LibraryFile::operator=(LibraryFile&& other) noexcept {
  if (this != &other) {
    if (fd_ >= 0) ::close(fd_);
    path_ = std::move(other.path_);
    fd_ = other.fd_;
    identity_ = other.identity_;
    bytes_ = std::move(other.bytes_);
    other.fd_ = -1;
  }
  return *this;
}

LibraryFile::~LibraryFile() {
  if (fd_ >= 0) ::close(fd_);
}

Status LibraryFile::read_at(unsigned char* into, std::size_t size, std::size_t offset) const {
  std::size_t done = 0;
  while (done < size) {
    const ssize_t n = ::pread(fd_, into + done, size - done, static_cast<off_t>(offset + done));
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return Status::storage("cannot read the library " + path_.string());
    done += static_cast<std::size_t>(n);
  }
  return Status();
}

Result<const std::vector<unsigned char>*> LibraryFile::bytes() {
  if (bytes_) return &*bytes_;
  std::vector<unsigned char> read(static_cast<std::size_t>(identity_.size));
  if (Status status = read_at(read.data(), read.size(), 0); !status) return status;
  bytes_ = std::move(read);
  return &*bytes_;
}

Result<std::string> LibraryFile::sha256_hex() {
  KnownLibraries& known = known_libraries();
  {
    std::lock_guard lock(known.mutex);
    auto it = known.by_identity.find(identity_);
    if (it != known.by_identity.end() && !it->second.sha256_hex.empty()) return it->second.sha256_hex;
  }
  (void)sodium_ready();
  crypto_hash_sha256_state state;
  crypto_hash_sha256_init(&state);
  if (bytes_) {
    crypto_hash_sha256_update(&state, bytes_->data(), bytes_->size());
  } else {
    // Streamed through a small buffer rather than read whole: a whole library's buffer is a fresh
    // allocation the kernel must fault in and zero page by page, which cost more than the hash
    // itself in a cold load (bench scenario 6). The signature check reads it whole when the
    // manifest has a signature, since the signature covers the bytes, not the digest.
    std::vector<unsigned char> chunk(std::size_t{64} * 1024);
    const auto size = static_cast<std::size_t>(identity_.size);
    for (std::size_t offset = 0; offset < size; offset += chunk.size()) {
      const std::size_t length = std::min(chunk.size(), size - offset);
      if (Status status = read_at(chunk.data(), length, offset); !status) return status;
      crypto_hash_sha256_update(&state, chunk.data(), length);
    }
  }
  unsigned char digest[crypto_hash_sha256_BYTES];
  crypto_hash_sha256_final(&state, digest);
  char hex[crypto_hash_sha256_BYTES * 2 + 1];
  sodium_bin2hex(hex, sizeof hex, digest, sizeof digest);
  std::lock_guard lock(known.mutex);
  known.by_identity[identity_].sha256_hex = hex;
  return std::string(hex);
}

Result<SignatureCheck> LibraryFile::check_signature(const std::optional<ManifestSignature>& signature,
                                                    const std::vector<TrustedKey>& trusted_keys) {
  if (!signature) return detail::check_signature({}, signature, trusted_keys);
  // The verdict depends on the bytes, the signature and the public key the host trusts for its
  // key id (or that there is none), so that is what it is remembered by.
  std::string memo = signature->ed25519_base64 + '\n' + signature->key_id + '\n';
  for (const TrustedKey& key : trusted_keys)
    if (key.key_id == signature->key_id) memo += key.public_key_base64 + ' ';
  KnownLibraries& known = known_libraries();
  {
    std::lock_guard lock(known.mutex);
    auto it = known.by_identity.find(identity_);
    if (it != known.by_identity.end())
      if (auto seen = it->second.signatures.find(memo); seen != it->second.signatures.end())
        return seen->second;
  }
  auto content = bytes();
  if (!content) return content.status();
  SignatureCheck check = detail::check_signature(**content, signature, trusted_keys);
  std::lock_guard lock(known.mutex);
  known.by_identity[identity_].signatures.emplace(memo, check);
  return check;
}

std::filesystem::path LibraryFile::load_path() const {
  int fd = fd_;
  {
    KnownLibraries& known = known_libraries();
    std::lock_guard lock(known.mutex);
    auto it = known.by_identity.find(identity_);
    if (it != known.by_identity.end() && it->second.loader_fd >= 0) fd = it->second.loader_fd;
  }
  const std::filesystem::path by_descriptor = "/proc/self/fd/" + std::to_string(fd);
  std::error_code error;
  if (fd >= 0 && std::filesystem::exists(by_descriptor, error)) return by_descriptor;
  return std::filesystem::absolute(path_, error);
}

void LibraryFile::keep_open_until_exit() {
  KnownLibraries& known = known_libraries();
  std::lock_guard lock(known.mutex);
  KnownLibrary& library = known.by_identity[identity_];
  if (library.loader_fd >= 0) return;  // loaded through that one; this descriptor closes as usual
  library.loader_fd = fd_;
  fd_ = -1;
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

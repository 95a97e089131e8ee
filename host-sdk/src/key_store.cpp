#include "ehr/host/key_store.hpp"

#include <fcntl.h>
#include <sodium.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <charconv>
#include <cstdlib>
#include <cstring>

#include "ehr/host/private_files.hpp"

namespace ehr::host {

Key::~Key() {
  sodium_memzero(bytes.data(), bytes.size());
}

const char* key_purpose_name(KeyPurpose purpose) noexcept {
  switch (purpose) {
    case KeyPurpose::data:
      return "data";
    case KeyPurpose::audit:
      return "audit";
  }
  return "unknown";
}

namespace {

constexpr KeyPurpose kPurposes[] = {KeyPurpose::data, KeyPurpose::audit};

void require_sodium() {
  static const int ready = sodium_init();
  (void)ready;  // 1 when already initialised elsewhere; -1 cannot happen on a supported system
}

Key fresh_key(std::uint32_t id, KeyPurpose purpose) {
  require_sodium();
  Key key;
  key.id = id;
  key.purpose = purpose;
  randombytes_buf(key.bytes.data(), key.bytes.size());
  return key;
}

std::string key_line(const Key& key) {
  char encoded[sodium_base64_ENCODED_LEN(32, sodium_base64_VARIANT_ORIGINAL)];
  sodium_bin2base64(encoded, sizeof encoded, key.bytes.data(), key.bytes.size(),
                    sodium_base64_VARIANT_ORIGINAL);
  std::string line = std::to_string(key.id) + " " + key_purpose_name(key.purpose) + " " + encoded + "\n";
  sodium_memzero(encoded, sizeof encoded);
  return line;
}

std::string_view trim(std::string_view text) {
  while (!text.empty() && (text.front() == ' ' || text.front() == '\t' || text.front() == '\r'))
    text.remove_prefix(1);
  while (!text.empty() && (text.back() == ' ' || text.back() == '\t' || text.back() == '\r'))
    text.remove_suffix(1);
  return text;
}

std::string_view next_word(std::string_view& text) {
  text = trim(text);
  const std::size_t end = std::min(text.find_first_of(" \t"), text.size());
  std::string_view word = text.substr(0, end);
  text.remove_prefix(end);
  return word;
}

// Never echoes a line: it holds a secret.
Status malformed(const std::string& source, std::size_t line, const std::string& what) {
  return Status::invalid_argument(source, "the key in " + source + " line " + std::to_string(line) + " " +
                                              what +
                                              " (expected: <key id> <data|audit> <base64 of 32 bytes>)");
}

Status parse(std::string_view text, const std::string& source, bool semicolons, std::vector<Key>& out) {
  std::vector<Key> keys;
  std::size_t number = 0;
  while (!text.empty()) {
    const std::size_t end = std::min(semicolons ? text.find_first_of("\n;") : text.find('\n'), text.size());
    std::string_view line = trim(text.substr(0, end));
    text.remove_prefix(std::min(end + 1, text.size()));
    ++number;
    if (line.empty() || line.front() == '#') continue;
    const std::string_view id_text = next_word(line);
    const std::string_view purpose_text = next_word(line);
    const std::string_view encoded = next_word(line);
    if (!trim(line).empty()) return malformed(source, number, "has more than three fields");
    Key key;
    const auto [stop, error] = std::from_chars(id_text.data(), id_text.data() + id_text.size(), key.id);
    if (id_text.empty() || error != std::errc() || stop != id_text.data() + id_text.size() || key.id == 0)
      return malformed(source, number, "has no key id (a whole number from 1)");
    if (purpose_text == "data") {
      key.purpose = KeyPurpose::data;
    } else if (purpose_text == "audit") {
      key.purpose = KeyPurpose::audit;
    } else {
      return malformed(source, number, "has an unknown purpose (data or audit)");
    }
    std::size_t size = 0;
    if (sodium_base642bin(key.bytes.data(), key.bytes.size(), encoded.data(), encoded.size(), nullptr, &size,
                          nullptr, sodium_base64_VARIANT_ORIGINAL) != 0 ||
        size != key.bytes.size())
      return malformed(source, number, "is not 32 bytes in base64");
    if (std::any_of(keys.begin(), keys.end(), [&](const Key& k) { return k.id == key.id; }))
      return malformed(source, number, "repeats key id " + std::to_string(key.id));
    keys.push_back(key);
  }
  out = std::move(keys);
  return Status();
}

std::string system_error(const std::string& what) {
  return what + ": " + std::strerror(errno);
}

// The key file, open and locked (flock: other processes of the same host wait) for as long as it
// lives. Created 0600 when missing; an existing one is narrowed to 0600.
class LockedFile {
 public:
  explicit LockedFile(const std::filesystem::path& path) : path_(path) {
    fd_ = ::open(path.c_str(), O_RDWR | O_CREAT | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC, 0600);
    if (fd_ < 0) {
      status_ = Status::storage(system_error("cannot open the key file " + path.string()));
      return;
    }
    struct stat info {};
    if (::fstat(fd_, &info) != 0) {
      status_ = Status::storage(system_error("cannot inspect the key file " + path.string()));
    } else if (!S_ISREG(info.st_mode)) {
      status_ = Status::storage("cannot use the key file " + path.string() + ": it is not a regular file");
    } else if ((info.st_mode & 07777) != 0600 && ::fchmod(fd_, 0600) != 0) {
      status_ =
          Status::storage(system_error("cannot make the key file " + path.string() + " private (0600)"));
    } else if (::flock(fd_, LOCK_EX) != 0) {
      status_ = Status::storage(system_error("cannot lock the key file " + path.string()));
    }
  }
  ~LockedFile() {
    if (fd_ >= 0) ::close(fd_);  // closing releases the lock
  }
  LockedFile(const LockedFile&) = delete;
  LockedFile& operator=(const LockedFile&) = delete;

  const Status& status() const { return status_; }

  Result<std::string> read_all() {
    std::string text;
    if (::lseek(fd_, 0, SEEK_SET) < 0) return Status::storage(system_error("cannot read " + path_.string()));
    char buffer[4096];
    for (;;) {
      const ssize_t got = ::read(fd_, buffer, sizeof buffer);
      if (got < 0 && errno == EINTR) continue;
      if (got < 0) return Status::storage(system_error("cannot read the key file " + path_.string()));
      if (got == 0) break;
      text.append(buffer, static_cast<std::size_t>(got));
      if (text.size() > (1u << 20))
        return Status::storage("the key file " + path_.string() + " is over 1 MiB: not a key file");
    }
    sodium_memzero(buffer, sizeof buffer);
    return text;
  }

  // Appends and syncs: a key is used only once it is durable, or data written under it is lost.
  Status append(const std::string& text) {
    if (::lseek(fd_, 0, SEEK_END) < 0)
      return Status::storage(system_error("cannot append to " + path_.string()));
    std::size_t done = 0;
    while (done < text.size()) {
      const ssize_t wrote = ::write(fd_, text.data() + done, text.size() - done);
      if (wrote < 0 && errno == EINTR) continue;
      if (wrote < 0) return Status::storage(system_error("cannot write the key file " + path_.string()));
      done += static_cast<std::size_t>(wrote);
    }
    if (::fsync(fd_) != 0) return Status::storage(system_error("cannot sync the key file " + path_.string()));
    return Status();
  }

 private:
  std::filesystem::path path_;
  int fd_ = -1;
  Status status_;
};

// The keys of the locked file; its text is wiped once parsed.
Status read_keys(LockedFile& file, const std::string& source, std::vector<Key>& keys) {
  if (!file.status()) return file.status();
  Result<std::string> text = file.read_all();
  if (!text) return text.status();
  Status parsed = parse(*text, source, false, keys);
  sodium_memzero(text->data(), text->size());
  return parsed;
}

std::uint32_t next_id(const std::vector<Key>& keys) {
  std::uint32_t highest = 0;
  for (const Key& key : keys) highest = std::max(highest, key.id);
  return highest + 1;
}

}  // namespace

KeyStore::KeyStore(std::string source, std::filesystem::path file, bool from_environment)
    : source_(std::move(source)), file_(std::move(file)), from_environment_(from_environment) {}

KeyStore::~KeyStore() = default;  // each Key wipes itself

Result<std::unique_ptr<KeyStore>> KeyStore::from_text(std::string_view text, std::string source) {
  std::unique_ptr<KeyStore> store(new KeyStore(source, {}, false));
  if (Status parsed = parse(text, source, true, store->keys_); !parsed) return parsed;
  return store;
}

std::unique_ptr<KeyStore> KeyStore::generate() {
  std::unique_ptr<KeyStore> store(new KeyStore("memory", {}, false));
  std::uint32_t id = 1;
  for (KeyPurpose purpose : kPurposes) store->keys_.push_back(fresh_key(id++, purpose));
  return store;
}

Result<std::unique_ptr<KeyStore>> KeyStore::open(const std::filesystem::path& host_data_directory) {
  require_sodium();
  if (const char* text = std::getenv(kEnvironmentVariable); text != nullptr) {
    std::unique_ptr<KeyStore> store(new KeyStore(kEnvironmentVariable, {}, true));
    if (Status parsed = parse(text, kEnvironmentVariable, true, store->keys_); !parsed) return parsed;
    if (store->keys_.empty())
      return Status::invalid_argument(kEnvironmentVariable, std::string(kEnvironmentVariable) +
                                                                " is set but holds no key; unset it to use "
                                                                "the key file, or give one key per purpose");
    return store;
  }
  if (Status made = make_private_directory(host_data_directory); !made) return made;
  const std::filesystem::path file = host_data_directory / kFileName;
  std::unique_ptr<KeyStore> store(new KeyStore(file.string(), file, false));
  std::lock_guard lock(store->mutex_);
  if (Status loaded = store->reload_locked(); !loaded) return loaded;
  return store;
}

// Reads the file under its lock, and appends a fresh key for each purpose it has none of (all of
// them on first start).
Status KeyStore::reload_locked() {
  LockedFile file(file_);
  std::vector<Key> keys;
  if (Status read = read_keys(file, source_, keys); !read) return read;
  std::string added;
  for (KeyPurpose purpose : kPurposes) {
    if (std::any_of(keys.begin(), keys.end(), [&](const Key& k) { return k.purpose == purpose; })) continue;
    keys.push_back(fresh_key(next_id(keys), purpose));
    added += key_line(keys.back());
  }
  if (!added.empty()) {
    Status appended = file.append(added);
    sodium_memzero(added.data(), added.size());
    if (!appended) return appended;
  }
  keys_ = std::move(keys);
  return Status();
}

Result<Key> KeyStore::get(KeyPurpose purpose, std::uint32_t key_id) const {
  std::lock_guard lock(mutex_);
  const auto find = [&]() -> const Key* {
    const Key* found = nullptr;
    for (const Key& key : keys_) {
      if (key.purpose != purpose) continue;
      if (key_id == 0 ? (found == nullptr || key.id > found->id) : key.id == key_id) found = &key;
    }
    return found;
  };
  const Key* found = find();
  if (found == nullptr && key_id != 0 && !file_.empty()) {
    // Another process may have rotated since this one read the file (`keys rotate` while `serve`
    // runs): its rows are sealed under a key appended since. The file only grows, so reading it
    // again loses nothing this process holds.
    LockedFile file(file_);
    std::vector<Key> keys;
    if (Status read = read_keys(file, source_, keys); !read) return read;
    keys_ = std::move(keys);
    found = find();
  }
  if (found == nullptr) {
    if (key_id == 0)
      return Status::not_found(source_ + " holds no " + key_purpose_name(purpose) + " key", "key_id");
    return Status::not_found(source_ + " holds no " + key_purpose_name(purpose) + " key with id " +
                                 std::to_string(key_id) +
                                 " (a key file from another host, or one restored "
                                 "without the keys that went with the data?)",
                             "key_id");
  }
  return *found;
}

Result<Key> KeyStore::rotate(KeyPurpose purpose) {
  std::lock_guard lock(mutex_);
  if (from_environment_)
    return Status::unsupported(std::string("the keys come from ") + kEnvironmentVariable +
                               ": add a line with a higher key id there (and keep the old lines), "
                               "then restart the host");
  if (file_.empty()) {
    keys_.push_back(fresh_key(next_id(keys_), purpose));
    return keys_.back();
  }
  LockedFile file(file_);
  std::vector<Key> keys;
  if (Status read = read_keys(file, source_, keys); !read) return read;
  keys.push_back(fresh_key(next_id(keys), purpose));
  std::string line = key_line(keys.back());
  Status appended = file.append(line);
  sodium_memzero(line.data(), line.size());
  if (!appended) return appended;
  keys_ = std::move(keys);
  return keys_.back();
}

std::vector<std::pair<std::uint32_t, KeyPurpose>> KeyStore::list() const {
  std::lock_guard lock(mutex_);
  std::vector<std::pair<std::uint32_t, KeyPurpose>> out;
  for (const Key& key : keys_) out.emplace_back(key.id, key.purpose);
  return out;
}

}  // namespace ehr::host

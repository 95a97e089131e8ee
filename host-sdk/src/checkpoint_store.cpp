#include "checkpoint_store.hpp"

#include <fcntl.h>
#include <sys/file.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <fstream>
#include <sstream>

#include "ehr/host/private_files.hpp"

namespace ehr::host::detail {

namespace {

constexpr std::size_t kMaxField = 256;

bool plain_token(std::string_view text) {
  return !text.empty() && text.size() <= kMaxField &&
         std::all_of(text.begin(), text.end(), [](char c) { return c > ' ' && c < 0x7f; });
}

bool plain_id(std::string_view id) {
  return !id.empty() && id.size() <= kMaxField && id.front() != '.' &&
         std::all_of(id.begin(), id.end(), [](char c) {
           return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' ||
                  c == '_' || c == '.';
         });
}

Status io_failure(const std::filesystem::path& file, const char* doing) {
  return Status::storage(std::string("cannot ") + doing + " the audit checkpoint file " + file.string() +
                         ": " + std::strerror(errno));
}

}  // namespace

std::filesystem::path CheckpointStore::file_for(std::string_view plugin_id) const {
  return directory_ / (std::string(plugin_id) + ".checkpoints");
}

Status CheckpointStore::save(std::string_view plugin_id, const AuditCheckpoint& checkpoint) const {
  if (!plain_id(plugin_id)) return Status::invalid_argument("plugin_id", "not a plugin id");
  if (checkpoint.sequence <= 0)
    return Status::invalid_argument("checkpoint.sequence", "a checkpoint names a record from 1 on");
  if (checkpoint.key_id == 0)
    return Status::invalid_argument("checkpoint.key_id", "a checkpoint names its key");
  for (const auto& [field, value] :
       {std::pair{"checkpoint.hash", &checkpoint.hash}, std::pair{"checkpoint.mac", &checkpoint.mac}}) {
    if (!plain_token(*value))
      return Status::invalid_argument(field, "must be 1 to 256 printable ASCII characters without spaces");
  }
  if (Status made = make_private_directory(directory_); !made) return made;
  const std::filesystem::path file = file_for(plugin_id);
  if (Status made = make_private_file(file); !made) return made;
  const int fd = ::open(file.c_str(), O_WRONLY | O_APPEND | O_CLOEXEC | O_NOFOLLOW);
  if (fd < 0) return io_failure(file, "open");
  std::ostringstream line;
  line << checkpoint.sequence << ' ' << checkpoint.at_unix_ms << ' ' << checkpoint.key_id << ' '
       << checkpoint.hash << ' ' << checkpoint.mac << '\n';
  const std::string text = line.str();
  Status result;
  if (::flock(fd, LOCK_EX) != 0) {
    result = io_failure(file, "lock");
  } else if (::write(fd, text.data(), text.size()) != static_cast<ssize_t>(text.size())) {
    result = io_failure(file, "append to");
  } else if (::fsync(fd) != 0) {
    result = io_failure(file, "sync");
  }
  ::close(fd);  // releases the lock
  return result;
}

Result<std::vector<AuditCheckpoint>> CheckpointStore::list(std::string_view plugin_id) const {
  if (!plain_id(plugin_id)) return Status::invalid_argument("plugin_id", "not a plugin id");
  const std::filesystem::path file = file_for(plugin_id);
  std::vector<AuditCheckpoint> out;
  std::error_code missing;
  if (!std::filesystem::exists(std::filesystem::symlink_status(file, missing))) return out;
  std::ifstream in(file);
  if (!in) return io_failure(file, "read");
  std::string line;
  for (std::size_t number = 1; std::getline(in, line); ++number) {
    std::istringstream words(line);
    AuditCheckpoint checkpoint;
    std::string extra;
    if (!(words >> checkpoint.sequence >> checkpoint.at_unix_ms >> checkpoint.key_id >> checkpoint.hash >>
          checkpoint.mac) ||
        (words >> extra))
      return Status::storage("the audit checkpoint file " + file.string() + " is damaged: line " +
                             std::to_string(number) + " is not a checkpoint");
    out.push_back(std::move(checkpoint));
  }
  return out;
}

}  // namespace ehr::host::detail

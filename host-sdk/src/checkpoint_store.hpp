// The SDK's keeping of plugins' audit checkpoints (ehr_host_services.save_audit_checkpoint and
// list_audit_checkpoints): one append-only text file per plugin, HOST_DATA/plugins/<id>.checkpoints,
// mode 0600, outside the plugin's own directory so that the plugin's database and its checkpoints
// are two things to tamper with, not one. The host only stores: each checkpoint carries the
// plugin's MAC, which the plugin checks when it verifies.
#pragma once

#include <cstdint>
#include <filesystem>
#include <string>
#include <string_view>
#include <vector>

#include "ehr/host/status.hpp"

namespace ehr::host::detail {

struct AuditCheckpoint {
  std::int64_t sequence = 0;
  std::int64_t at_unix_ms = 0;
  std::uint32_t key_id = 0;
  std::string hash;
  std::string mac;
};

// THREADING: thread-safe, and safe across processes sharing the directory (each save is one
// O_APPEND write under an exclusive flock, synced before it returns).
class CheckpointStore {
 public:
  // `directory` is the host data directory's plugins/ folder; created 0700 on first save.
  explicit CheckpointStore(std::filesystem::path directory) : directory_(std::move(directory)) {}

  [[nodiscard]] std::filesystem::path file_for(std::string_view plugin_id) const;
  // Appends durably. Refuses (invalid_argument) a plugin id, a key id 0, or a hash or MAC that
  // could not be read back as written: empty, longer than 256 bytes, or holding anything but
  // printable ASCII other than a space.
  Status save(std::string_view plugin_id, const AuditCheckpoint& checkpoint) const;
  // In the order saved; none when the file does not exist. A line that is not a checkpoint is a
  // storage error naming the file and line (someone wrote into it).
  Result<std::vector<AuditCheckpoint>> list(std::string_view plugin_id) const;

 private:
  std::filesystem::path directory_;
};

}  // namespace ehr::host::detail

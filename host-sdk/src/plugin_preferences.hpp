// The admin's enable/disable choice per plugin, remembered in the host data directory
// (`plugins.state`, one "enabled ID" or "disabled ID" line each), written atomically.
#pragma once

#include <filesystem>
#include <map>
#include <optional>
#include <string>
#include <string_view>

#include "ehr/host/status.hpp"

namespace ehr::host::detail {

class PluginPreferences {
 public:
  static constexpr const char* kFileName = "plugins.state";

  // Reads the file if it exists; a missing file is an empty set of choices.
  static Result<PluginPreferences> load(const std::filesystem::path& host_data_directory);

  std::optional<bool> enabled(std::string_view plugin_id) const;
  const std::map<std::string, bool, std::less<>>& all() const { return choices_; }
  // Records the choice and rewrites the file (temp file, fsync, rename); unchanged on failure.
  Status set(std::string_view plugin_id, bool enabled);

 private:
  std::filesystem::path file_;
  std::map<std::string, bool, std::less<>> choices_;
};

}  // namespace ehr::host::detail

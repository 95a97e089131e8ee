// The host admin's configuration of one plugin (ehr_init_params.config): key/value pairs read from
// <host data directory>/plugins/<plugin id>.conf. It may hold secrets (webhook secrets, database
// passwords), so a file that others than its owner may read or write is refused, and no value
// ever appears in an error.
#pragma once

#include <filesystem>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "ehr/host/status.hpp"

namespace ehr::host::detail {

struct PluginConfigEntry {
  std::string key;
  std::string value;
};

// The file's name for a plugin: <host data directory>/plugins/<plugin id>.conf.
[[nodiscard]] std::filesystem::path plugin_config_path(const std::filesystem::path& host_data_directory,
                                                       const std::string& plugin_id);

// Reads `file`: one `key = value` per line, in the admin's order; blank lines and lines starting
// with `#` are skipped; spaces around keys and values are dropped. A missing file is no
// configuration. Refused, naming the file (and the line), never the value: a file whose mode lets
// group or others in, a link or anything but a regular file, a line without `=`, an empty or
// malformed key, a key given twice. `what` is what the file is, for errors: the host reads its own
// host.conf with the same rules ("the host configuration").
[[nodiscard]] Result<std::vector<PluginConfigEntry>> read_plugin_config(
    const std::filesystem::path& file, std::string_view what = "the plugin configuration");

}  // namespace ehr::host::detail

// The host admin's configuration of the plugin (ehr_init_params.config, ABI 1.1): key/value pairs
// for what only an admin sets (endpoints, secrets, connection strings), as opposed to settings,
// which staff change on pages. kConfigKeys is the one table of the keys this plugin knows; a key
// not in it is refused at init, naming it. Values may be secrets: they never reach a log or an
// error message.
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <utility>
#include <vector>

namespace ehr::portal {

struct ConfigKey {
  const char* key;
  const char* meaning;  // one line, for errors and docs
};

// Every key the plugin knows, in the order docs/admins.md lists them.
[[nodiscard]] std::span<const ConfigKey> config_keys() noexcept;

class PluginConfig {
 public:
  using Entries = std::vector<std::pair<std::string, std::string>>;

  PluginConfig() = default;  // no configuration: every key takes its default
  // Throws Error(EHR_STATUS_INVALID_ARGUMENT, field "config") naming every key it does not know,
  // and a key given twice.
  explicit PluginConfig(Entries entries);

  // The value, when the admin set the key (possibly to the empty string).
  [[nodiscard]] std::optional<std::string> get(const std::string& key) const;
  // The value as a whole number in [min, max], or `fallback` when unset. Throws Error naming the
  // key (never echoing the value) when it is not one.
  [[nodiscard]] int64_t get_integer(const std::string& key, int64_t fallback, int64_t min, int64_t max) const;
  // Every key and value, in the admin's order.
  [[nodiscard]] const Entries& entries() const noexcept { return entries_; }

 private:
  Entries entries_;
};

}  // namespace ehr::portal

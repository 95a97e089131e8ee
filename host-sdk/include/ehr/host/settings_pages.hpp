// SettingsPages: the C++ wrapper over a plugin's settings table (ehr_settings_api). A page is the
// General page (location_id empty) or a Location Settings page; values travel as text exactly as
// a person writes them ("on", "off", "care_team_only", ...) and the plugin validates them.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "ehr/host/status.hpp"
#include "ehr/settings.h"

namespace ehr::host {

namespace detail {
struct SettingsBinding;
}

enum class FieldType : std::uint32_t {
  boolean = EHR_FIELD_BOOL,
  choice = EHR_FIELD_CHOICE,
  string = EHR_FIELD_STRING,
  integer = EHR_FIELD_INT,
  text = EHR_FIELD_TEXT,
};

struct Choice {
  std::string value;  // stored and submitted, e.g. "care_team_only"
  std::string label;  // shown, e.g. "Care Team only"
};

struct Field {
  std::string section_id;
  std::string section_title;
  std::string key;
  std::string label;
  std::string help;
  FieldType type = FieldType::string;
  std::vector<Choice> choices;
  std::string default_value;
  std::string value;           // current value on this page (the effective one when following General)
  std::int64_t min_value = 0;  // integer: inclusive bounds; string/text: length bounds
  std::int64_t max_value = 0;
};

struct PageInfo {
  std::string page_id;
  std::string title;
  std::string location_id;       // empty for General
  std::string required_role;     // needed to open and save the page
  bool follows_general = false;  // location pages: no settings of its own yet
};

struct Page {
  PageInfo info;
  std::vector<Field> fields;  // in display order
  // nullptr when the page has no such field.
  const Field* find(std::string_view key) const;
};

struct SettingValue {
  std::string key;
  std::string value;
  friend bool operator==(const SettingValue&, const SettingValue&) = default;
};

struct EffectiveSetting {
  std::string key;
  std::string value;
  std::string source_location_id;  // empty when it comes from General or the default
  bool from_default = false;       // nobody has saved this value yet
};

// A cheap, copyable handle. Calls go to the plugin while it is loaded (enabled or disabled: an
// admin may configure a disabled plugin); after shutdown they answer EHR_STATUS_DISABLED.
// THREADING: any method may be called concurrently.
class SettingsPages {
 public:
  explicit SettingsPages(std::shared_ptr<const detail::SettingsBinding> binding);

  const std::string& plugin_id() const;

  // The page as `actor_user_id` may see it; forbidden without the page's required role.
  Result<Page> describe_page(std::string_view actor_user_id, std::string_view location_id) const;
  // Saves one page atomically; on any error nothing is saved and status().field() names the key.
  Status save_page(std::string_view actor_user_id, std::string_view location_id,
                   const std::vector<SettingValue>& values) const;
  // Drops a location's own settings so that it follows General again.
  Status reset_location(std::string_view actor_user_id, std::string_view location_id) const;
  // Effective settings of a location (empty: General) and where each comes from.
  Result<std::vector<EffectiveSetting>> effective(std::string_view location_id) const;

 private:
  std::shared_ptr<const detail::SettingsBinding> binding_;
};

}  // namespace ehr::host

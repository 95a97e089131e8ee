#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <unordered_map>
#include <utility>
#include <vector>

#include "common/storage.hpp"
#include "settings/settings_schema.hpp"

namespace ehr::portal {

class AuditLog;
class HookRegistry;
class HostClient;

enum class Audience { care_team_only, selected_users };

// The settings messaging decides by, for one location (R-SET-3/4/5): its own once saved, else
// General, else the schema's defaults.
struct PortalSettings {
  bool my_messages = false;
  Audience audience = Audience::care_team_only;
  bool use_location_information = false;
  std::string source_location_id;  // the location whose own settings apply; empty for General
  int64_t version = 0;             // the settings version these were read at (settings_version)
};

struct EffectiveSetting {
  std::string key;
  std::string value;
  std::string source_location_id;  // empty when from General or the default
  bool from_default = false;       // nobody has saved this value yet
};

struct FieldValue {
  const FieldSpec* spec = nullptr;
  const SectionSpec* section = nullptr;  // where the field is shown on this page
  std::string value;  // current value on this page (the effective one while following General)
};

// One page as a person sees it, generated from the schema (R-SET-7).
struct SettingsPage {
  std::string page_id;
  std::string title;
  std::string location_id;  // empty for General
  std::string required_role;
  bool follows_general = false;
  const SectionSpec* section = nullptr;  // the page's first section, which names it
  std::vector<FieldValue> fields;
};

struct SettingChange {
  std::string key;
  std::string old_value;
  std::string new_value;
};

using SubmittedValues = std::vector<std::pair<std::string, std::string>>;

// Portal Settings: General and per Location. Every call that opens or changes a page asks the
// host, at that moment, whether the actor holds the page's role (R-SET-1); validation, defaults
// and pages come from the schema; saves are atomic and audited; settings_changed hooks run after
// the commit. Thread-safe.
class SettingsService {
 public:
  SettingsService(const SettingsSchema& schema, Store& db, const HostClient& host, AuditLog& audit,
                  HookRegistry& hooks);

  // location_id empty: the General page. Throws Error: FORBIDDEN, NOT_FOUND (unknown location).
  [[nodiscard]] SettingsPage describe_page(std::string_view actor_user_id, std::string_view location_id);
  // Validates every value first (unknown key, wrong type, out-of-range choice: INVALID_ARGUMENT
  // naming the field, nothing saved), then saves all of them in one transaction. Saving a
  // location's page gives it its own settings; fields not submitted keep their effective value.
  // Returns the fields whose values changed.
  std::vector<SettingChange> save_page(std::string_view actor_user_id, std::string_view location_id,
                                       const SubmittedValues& values);
  // Makes a location follow General again; returns the effective values that changed.
  std::vector<SettingChange> reset_location(std::string_view actor_user_id, std::string_view location_id);

  // No actor: the host's own diagnostics ask this. Throws NOT_FOUND for an unknown location.
  [[nodiscard]] std::vector<EffectiveSetting> effective_settings(std::string_view location_id);
  // What the messaging policy asks on every check, from an in-memory snapshot that save_page and
  // reset_location replace whole once they commit. A location id is not checked against the host
  // here (the admin pages do that): one without settings of its own follows General.
  [[nodiscard]] PortalSettings effective(std::string_view location_id);
  // The General page's effective value of `key` (a notification template, say), from the same
  // snapshot: composing a notice asks the database nothing. Empty for a key the schema lacks.
  [[nodiscard]] std::string general_value(std::string_view key);
  // Inside a write that acts on settings read at `version`: true while they are still current in
  // that transaction; otherwise another writer of the same file changed them, the snapshot is
  // reloaded from `tx` and the caller must decide again.
  [[nodiscard]] bool still_current(Transaction& tx, int64_t version);

  [[nodiscard]] int64_t message_body_max_chars() const { return schema_.message_body_max_chars(); }
  [[nodiscard]] const SettingsSchema& schema() const noexcept { return schema_; }

 private:
  void require_role(std::string_view actor_user_id, const std::string& role, std::string_view action) const;
  // Throws NOT_FOUND for an unknown location (or any location in a single instance).
  [[nodiscard]] std::string location_name(std::string_view location_id) const;
  std::vector<EffectiveSetting> resolve(Transaction& tx, std::string_view location_id) const;
  std::vector<EffectiveSetting> resolve(std::string_view location_id,
                                        const std::map<std::string, std::string>& general,
                                        const std::map<std::string, std::string>& own) const;

  // Every location's effective settings at one settings version.
  struct Snapshot {
    struct StringHash {
      using is_transparent = void;
      std::size_t operator()(std::string_view text) const noexcept {
        return std::hash<std::string_view>{}(text);
      }
    };
    int64_t version = 0;
    PortalSettings general;            // the General page's own view
    PortalSettings following_general;  // a location without settings of its own
    std::unordered_map<std::string, PortalSettings, StringHash, std::equal_to<>> own;
    std::map<std::string, std::string, std::less<>> general_values;  // every General field's, by key
  };
  // `read(snapshot)` under the snapshot's lock, loading the snapshot first when there is none yet.
  template <typename Read>
  auto from_snapshot(const Read& read);
  [[nodiscard]] std::shared_ptr<const Snapshot> load_snapshot(Transaction& tx) const;
  // Replaces the snapshot unless a newer one is already in place (two saves may finish out of order).
  void install(std::shared_ptr<const Snapshot> next);
  // Audits each change in the caller's transaction and announces it to settings_changed hooks
  // after the commit.
  void record_changes(Transaction& tx, const std::string& actor, std::string_view location_id,
                      const std::vector<SettingChange>& changes, std::string_view note);
  void audit_refusal(std::string_view actor_user_id, std::string_view location_id, std::string_view action,
                     std::string_view why);

  const SettingsSchema& schema_;
  Store& db_;
  const HostClient& host_;
  AuditLog& audit_;
  HookRegistry& hooks_;
  mutable std::mutex snapshot_mutex_;
  std::shared_ptr<const Snapshot> snapshot_;  // loaded by the first check
};

}  // namespace ehr::portal

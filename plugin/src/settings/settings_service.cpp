#include "settings/settings_service.hpp"

#include <set>

#include "audit/audit_log.hpp"
#include "common/error.hpp"
#include "common/storage.hpp"
#include "hooks/hook_registry.hpp"
#include "host/host_client.hpp"
#include "roles/portal_roles.hpp"
#include "settings/settings_store.hpp"
#include "storage/transaction.hpp"

namespace ehr::portal {

namespace {

constexpr std::string_view kGeneralScope = "";

SettingScope scope_of(std::string_view location_id) {
  return location_id.empty() ? SettingScope::general : SettingScope::location;
}

std::string page_name(std::string_view location_id) {
  return location_id.empty() ? "the General page"
                             : "the Location Settings page of '" + std::string(location_id) + "'";
}

// How audit records name where a setting lives: "general/<key>" or "location:<id>/<key>".
std::string audit_target(std::string_view location_id, std::string_view key = {}) {
  std::string target = location_id.empty() ? "general" : "location:" + std::string(location_id);
  if (!key.empty()) target += "/" + std::string(key);
  return target;
}

std::string role_label(const std::string& role) {
  const RoleDefinition* known = find_portal_role(role);
  return known != nullptr ? "'" + std::string(known->label) + "' (" + role + ")" : "'" + role + "'";
}

const EffectiveSetting* find(const std::vector<EffectiveSetting>& settings, std::string_view key) {
  for (const auto& setting : settings) {
    if (setting.key == key) return &setting;
  }
  return nullptr;
}

PortalSettings portal_settings(const std::vector<EffectiveSetting>& settings, int64_t version) {
  auto value = [&](std::string_view key) -> std::string {
    const EffectiveSetting* setting = find(settings, key);
    return setting != nullptr ? setting->value : std::string();
  };
  PortalSettings result;
  result.my_messages = value("my_messages") == "on";
  result.audience =
      value("audience") == "selected_users" ? Audience::selected_users : Audience::care_team_only;
  result.use_location_information = value("use_location_information") == "on";
  if (const EffectiveSetting* source = find(settings, "my_messages")) {
    result.source_location_id = source->source_location_id;
  }
  result.version = version;
  return result;
}

}  // namespace

SettingsService::SettingsService(const SettingsSchema& schema, Store& db, const HostClient& host,
                                 AuditLog& audit, HookRegistry& hooks)
    : schema_(schema), db_(db), host_(host), audit_(audit), hooks_(hooks) {}

std::shared_ptr<const SettingsService::Snapshot> SettingsService::load_snapshot(Transaction& tx) const {
  auto snapshot = std::make_shared<Snapshot>();
  snapshot->version = settings_store::version(tx);
  const auto general = settings_store::values(tx, kGeneralScope);
  const std::vector<EffectiveSetting> general_effective = resolve(kGeneralScope, general, {});
  snapshot->general = portal_settings(general_effective, snapshot->version);
  for (const EffectiveSetting& setting : general_effective)
    snapshot->general_values.emplace(setting.key, setting.value);
  // Any non-empty id resolves as a location; which one does not matter without its own values.
  snapshot->following_general = portal_settings(resolve("-", general, {}), snapshot->version);
  for (const std::string& location : settings_store::own_locations(tx)) {
    snapshot->own.emplace(
        location,
        portal_settings(resolve(location, general, settings_store::values(tx, location)), snapshot->version));
  }
  return snapshot;
}

void SettingsService::install(std::shared_ptr<const Snapshot> next) {
  std::lock_guard<std::mutex> lock(snapshot_mutex_);
  if (!snapshot_ || next->version > snapshot_->version) snapshot_.swap(next);
}

void SettingsService::require_role(std::string_view actor_user_id, const std::string& role,
                                   std::string_view action) const {
  const std::string actor(actor_user_id);
  if (actor.empty()) {
    throw Error(EHR_STATUS_FORBIDDEN, "Portal Settings: no user was named as the actor", "actor_user_id");
  }
  auto user = host_.get_user(actor);
  if (!user) {
    throw Error(EHR_STATUS_FORBIDDEN,
                "Portal Settings: unknown user '" + actor + "' may not " + std::string(action),
                "actor_user_id");
  }
  if (!user->active) {
    throw Error(EHR_STATUS_FORBIDDEN,
                "Portal Settings: user '" + actor + "' is inactive and may not " + std::string(action),
                "actor_user_id");
  }
  if (!host_.user_has_role(actor, role)) {
    throw Error(EHR_STATUS_FORBIDDEN,
                "Portal Settings: user '" + actor + "' may not " + std::string(action) +
                    " without the role " + role_label(role),
                "actor_user_id");
  }
}

std::string SettingsService::location_name(std::string_view location_id) const {
  const auto company = host_.company();
  const auto locations = host_.locations();
  if (!company.is_master || locations.empty()) {
    throw Error(
        EHR_STATUS_NOT_FOUND,
        "this is a single instance: it has no locations, only General settings (asked for location '" +
            std::string(location_id) + "')",
        "location_id");
  }
  for (const auto& location : locations) {
    if (location.location_id == location_id) return location.name;
  }
  throw Error(EHR_STATUS_NOT_FOUND, "unknown location '" + std::string(location_id) + "'", "location_id");
}

std::vector<EffectiveSetting> SettingsService::resolve(Transaction& tx, std::string_view location_id) const {
  const auto general = settings_store::values(tx, kGeneralScope);
  std::map<std::string, std::string> own;
  const bool has_own = !location_id.empty() && settings_store::has_own(tx, location_id);
  if (has_own) own = settings_store::values(tx, location_id);
  return resolve(location_id, general, own);
}

std::vector<EffectiveSetting> SettingsService::resolve(std::string_view location_id,
                                                       const std::map<std::string, std::string>& general,
                                                       const std::map<std::string, std::string>& own) const {
  std::vector<EffectiveSetting> resolved;
  for (const FieldSpec* field : schema_.fields(scope_of(location_id))) {
    if (auto it = own.find(field->key); it != own.end()) {
      resolved.push_back({field->key, it->second, std::string(location_id), false});
    } else if (auto it = general.find(field->key); it != general.end() && field->general) {
      resolved.push_back({field->key, it->second, "", false});
    } else {
      resolved.push_back({field->key, field->default_value, "", true});
    }
  }
  return resolved;
}

SettingsPage SettingsService::describe_page(std::string_view actor_user_id, std::string_view location_id) {
  require_role(actor_user_id, schema_.required_role(), "open Portal Settings");
  const SettingScope scope = scope_of(location_id);
  SettingsPage page;
  page.page_id = schema_.id();
  page.location_id = std::string(location_id);
  page.required_role = schema_.required_role();
  page.section = &schema_.section(scope);
  page.title = schema_.title() + ": " + page.section->title;
  if (scope == SettingScope::location) page.title += " - " + location_name(location_id);
  Transaction tx(db_, TransactionMode::read);
  page.follows_general = scope == SettingScope::location && !settings_store::has_own(tx, location_id);
  const auto values = resolve(tx, location_id);
  for (const FieldSpec* field : schema_.fields(scope)) {
    page.fields.push_back({field, &schema_.section_of(*field, scope), find(values, field->key)->value});
  }
  return page;
}

std::vector<SettingChange> SettingsService::save_page(std::string_view actor_user_id,
                                                      std::string_view location_id,
                                                      const SubmittedValues& values) {
  try {
    require_role(actor_user_id, schema_.required_role(), "change Portal Settings");
  } catch (const Error& e) {
    audit_refusal(actor_user_id, location_id, "settings.change", e.what());
    throw;
  }
  const SettingScope scope = scope_of(location_id);
  if (scope == SettingScope::location) (void)location_name(location_id);

  // Validate everything before touching storage (R-SET-6).
  std::map<std::string, std::string> submitted;
  for (const auto& [key, value] : values) {
    const FieldSpec* field = schema_.find_field(key);
    if (field == nullptr || !field->in(scope)) {
      throw Error(EHR_STATUS_INVALID_ARGUMENT, "unknown setting '" + key + "' on " + page_name(location_id),
                  key);
    }
    if (submitted.count(key) > 0) {
      throw Error(EHR_STATUS_INVALID_ARGUMENT, "setting '" + key + "' was submitted twice", key);
    }
    submitted.emplace(key, field->normalize(value));
  }
  for (const auto& [key, value] : submitted) {
    const FieldSpec* field = schema_.find_field(key);
    if (field->required_role != schema_.required_role()) {
      require_role(actor_user_id, field->required_role, "change the setting '" + key + "'");
    }
  }

  const std::string actor(actor_user_id);
  std::vector<SettingChange> changes;
  Transaction tx(db_);
  const auto before = resolve(tx, location_id);
  const bool becomes_own = scope == SettingScope::location && !settings_store::has_own(tx, location_id);
  settings_store::mark_saved(tx, location_id, actor, host_.now_unix_ms());
  for (const FieldSpec* field : schema_.fields(scope)) {
    const std::string& old_value = find(before, field->key)->value;
    auto it = submitted.find(field->key);
    if (it == submitted.end() && scope == SettingScope::general) continue;
    const std::string& new_value = it != submitted.end() ? it->second : old_value;
    settings_store::put(tx, location_id, field->key, new_value);
    if (new_value != old_value) changes.push_back({field->key, old_value, new_value});
  }
  if (becomes_own) {
    audit_.append(tx, {Principal::staff(actor), "settings.own", "", audit_target(location_id), "ok",
                       "location " + std::string(location_id) + " now has its own settings"});
  }
  tx.after_commit([this, next = load_snapshot(tx)] { install(next); });
  record_changes(tx, actor, location_id, changes, "");
  tx.commit();
  return changes;
}

std::vector<SettingChange> SettingsService::reset_location(std::string_view actor_user_id,
                                                           std::string_view location_id) {
  try {
    require_role(actor_user_id, schema_.required_role(), "change Portal Settings");
  } catch (const Error& e) {
    audit_refusal(actor_user_id, location_id, "settings.reset", e.what());
    throw;
  }
  if (location_id.empty()) {
    throw Error(EHR_STATUS_INVALID_ARGUMENT, "only a location can be reset to follow General", "location_id");
  }
  (void)location_name(location_id);
  const std::string actor(actor_user_id);
  std::vector<SettingChange> changes;
  Transaction tx(db_);
  if (!settings_store::has_own(tx, location_id)) return changes;  // already follows General
  const auto before = resolve(tx, location_id);
  settings_store::drop(tx, location_id);
  const auto after = resolve(tx, location_id);
  for (const auto& setting : after) {
    const std::string& old_value = find(before, setting.key)->value;
    if (old_value != setting.value) changes.push_back({setting.key, old_value, setting.value});
  }
  audit_.append(tx, {Principal::staff(actor), "settings.reset", "", audit_target(location_id), "ok",
                     "location " + std::string(location_id) + " follows General again"});
  tx.after_commit([this, next = load_snapshot(tx)] { install(next); });
  record_changes(tx, actor, location_id, changes, " (follows General)");
  tx.commit();
  return changes;
}

std::vector<EffectiveSetting> SettingsService::effective_settings(std::string_view location_id) {
  if (!location_id.empty()) (void)location_name(location_id);
  Transaction tx(db_, TransactionMode::read);
  return resolve(tx, location_id);
}

template <typename Read>
auto SettingsService::from_snapshot(const Read& read) {
  for (;;) {
    {
      std::lock_guard<std::mutex> lock(snapshot_mutex_);
      if (snapshot_) return read(*snapshot_);
    }
    // The first check loads it (the database may be migrated after this service is built).
    // Loading outside snapshot_mutex_ keeps one lock order: the store's first, then the snapshot.
    Transaction tx(db_, TransactionMode::read);
    install(load_snapshot(tx));
  }
}

PortalSettings SettingsService::effective(std::string_view location_id) {
  return from_snapshot([&](const Snapshot& snapshot) {
    if (location_id.empty()) return snapshot.general;
    if (auto own = snapshot.own.find(location_id); own != snapshot.own.end()) return own->second;
    return snapshot.following_general;
  });
}

std::string SettingsService::general_value(std::string_view key) {
  return from_snapshot([&](const Snapshot& snapshot) {
    const auto found = snapshot.general_values.find(key);
    return found != snapshot.general_values.end() ? found->second : std::string();
  });
}

bool SettingsService::still_current(Transaction& tx, int64_t version) {
  if (tx.defers_checks()) {
    // Found stale when the batch commits, it runs again checking at once, and this reloads below.
    settings_store::check_version_later(tx, version);
    return true;
  }
  if (settings_store::version(tx) == version) return true;
  install(load_snapshot(tx));
  return false;
}

void SettingsService::record_changes(Transaction& tx, const std::string& actor, std::string_view location_id,
                                     const std::vector<SettingChange>& changes, std::string_view note) {
  for (const auto& change : changes) {
    audit_.append(
        tx, {Principal::staff(actor), "settings.change", "", audit_target(location_id, change.key), "ok",
             change.key + ": " + change.old_value + " -> " + change.new_value + std::string(note)});
  }
  // Hooks run only once the change is durable, outside the transaction (R-HOOK-1).
  tx.after_commit([this, actor, location = std::string(location_id), changes] {
    for (const auto& change : changes) {
      HookEvent event;
      event.point = HookPoint::settings_changed;
      event.actor = Principal::staff(actor);
      event.location_id = location;
      event.setting_key = change.key;
      event.old_value = change.old_value;
      event.new_value = change.new_value;
      hooks_.run(event);
    }
  });
}

void SettingsService::audit_refusal(std::string_view actor_user_id, std::string_view location_id,
                                    std::string_view action, std::string_view why) {
  try {
    audit_.append({Principal::staff(std::string(actor_user_id)), std::string(action), "",
                   audit_target(location_id), "forbidden", std::string(why)});
  } catch (...) {
    host_.log(LogLevel::error, "a refused Portal Settings change could not be audited");
  }
}

}  // namespace ehr::portal

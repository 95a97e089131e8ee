// libehr_host.so: the host C API (ehr/host_api.h) over the C++ host SDK. Each function checks its
// arguments, runs the SDK call through the host's CallbackDispatcher and turns every outcome into
// a status and an ehr_error; no exception crosses.
#include "ehr/host_api.h"

#include <cstring>
#include <exception>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "../src/c_abi.hpp"
#include "c_host_services.hpp"
#include "ehr/abi_support/error.hpp"
#include "ehr/abi_support/struct_io.hpp"
#include "ehr/abi_support/text.hpp"
#include "ehr/host/key_store.hpp"
#include "ehr/host/plugin_manager.hpp"
#include "ehr/host/role_store.hpp"

using namespace ehr::host;
using ehr::abi_support::as_view;
using ehr::abi_support::make_struct;
using ehr::abi_support::read_array;
using ehr::abi_support::read_struct;
using ehr::abi_support::to_string;
using ehr::abi_support::view;

struct ehr_host {
  ehr_host(PluginManagerOptions options, const ehr_host_services& table, bool calling_thread,
           std::unique_ptr<KeyStore> fallback_keys)
      : dispatcher(calling_thread),
        services(table, dispatcher, std::move(fallback_keys)),
        manager(std::move(options), services) {}

  capi::CallbackDispatcher dispatcher;
  capi::CHostServices services;
  PluginManager manager;
  std::mutex hooks_mutex;
  // By the id handed to the host. (Behind a pointer: HookRegistration is made only by the SDK.)
  std::map<std::uint64_t, std::unique_ptr<HookRegistration>> hooks;
  std::uint64_t next_hook_id = 1;
};

struct ehr_host_role_store {
  std::unique_ptr<capi::CUserDirectory> users;
  std::unique_ptr<RoleStore> store;
};

namespace {

ehr_status report(ehr_error** out_error, const Status& status) {
  if (out_error != nullptr) *out_error = nullptr;
  return detail::report(status, out_error);
}

// Runs an API function's body: every exception becomes EHR_STATUS_INTERNAL with its words.
template <class Body>
ehr_status guarded(ehr_error** out_error, Body&& body) noexcept {
  if (out_error != nullptr) *out_error = nullptr;
  try {
    return report(out_error, body());
  } catch (const std::exception& error) {
    return report(out_error, Status::internal(std::string("libehr_host: ") + error.what()));
  } catch (...) {
    return report(out_error, Status::internal("libehr_host: an unexpected exception"));
  }
}

// guarded(), run through the host's dispatcher (calling-thread hosts run callbacks meanwhile).
template <class Body>
ehr_status on_host(ehr_host* host, ehr_error** out_error, Body&& body) noexcept {
  if (out_error != nullptr) *out_error = nullptr;
  if (host == nullptr) return report(out_error, Status::invalid_argument("host", "the ehr_host is NULL"));
  try {
    return host->dispatcher.call([&] { return guarded(out_error, body); }, out_error);
  } catch (...) {
    return report(out_error, Status::internal("libehr_host: could not start the call"));
  }
}

Status missing(const char* argument) {
  return Status::invalid_argument(argument, std::string(argument) + " is NULL");
}

// A sink's answer: OK goes on, STOP ends early (a success), anything else fails the call.
Status sink_failed(ehr_status code, const char* sink) {
  return Status(code, std::string("the host's ") + sink + " answered " + ehr_status_name(code));
}

Result<Principal> principal_from(const ehr_principal* in, const char* argument) {
  ehr_principal copy;
  if (!read_struct(in, EHR_STRUCT_PRINCIPAL, EHR_SIZE_THROUGH(ehr_principal, id), copy))
    return Status::invalid_argument(
        argument, std::string(argument) + " is not an ehr_principal (NULL, wrong struct_type or size)");
  if (copy.kind != EHR_PRINCIPAL_STAFF && copy.kind != EHR_PRINCIPAL_PORTAL_USER)
    return Status::invalid_argument(std::string(argument) + ".kind",
                                    std::string(argument) +
                                        ".kind must be EHR_PRINCIPAL_STAFF or "
                                        "EHR_PRINCIPAL_PORTAL_USER");
  return detail::from_c(copy);
}

Result<MessagingChannel> channel_of(ehr_host* host, ehr_str channel_id) {
  return host->manager.registry().channel(as_view(channel_id));
}

ehr_host_plugin_state state_of(PluginState state) {
  switch (state) {
    case PluginState::enabled:
      return EHR_HOST_PLUGIN_ENABLED;
    case PluginState::disabled:
      return EHR_HOST_PLUGIN_DISABLED;
    case PluginState::shut_down:
      return EHR_HOST_PLUGIN_SHUT_DOWN;
    case PluginState::failed:
      break;
  }
  return EHR_HOST_PLUGIN_FAILED;
}

ehr_status send_info(const PluginInfo& info, void* ctx, ehr_host_plugin_sink_fn sink) {
  const std::string manifest_path = info.manifest_path.string();
  const std::string data_directory = info.data_directory.string();
  const char* cause = to_string(info.failure_cause);
  auto out = make_struct<ehr_host_plugin_info>(EHR_HOST_STRUCT_PLUGIN_INFO);
  out.id = view(info.id);
  if (info.manifest) {
    out.name = view(info.manifest->name);
    out.version = view(info.manifest->version);
    out.vendor = view(info.manifest->vendor);
  }
  out.manifest_path = view(manifest_path);
  out.data_directory = view(data_directory);
  out.plugin_version = view(info.plugin_version);
  out.state = state_of(info.state);
  out.enabled_preference = info.enabled_preference ? 1u : 0u;
  out.negotiated_version = info.negotiated_version;
  out.failure_code = info.failure.code();
  out.failure_cause = view(cause);
  out.failure_message = view(info.failure.message());
  out.failure_field = view(info.failure.field());
  return sink(ctx, &out);
}

template <class T>
Status each(const std::vector<T>& values, const char* sink_name, auto&& send) {
  for (const T& value : values) {
    const ehr_status code = send(value);
    if (code == EHR_STATUS_STOP) break;
    if (code != EHR_STATUS_OK) return sink_failed(code, sink_name);
  }
  return Status();
}

std::vector<std::string> strings_of(const ehr_str* items, std::size_t count) {
  std::vector<std::string> out;
  out.reserve(count);
  for (std::size_t i = 0; i < count; ++i) out.push_back(to_string(items[i]));
  return out;
}

}  // namespace

extern "C" {

// ---- Basics ------------------------------------------------------------------------------------

uint32_t ehr_host_api_version(void) {
  return EHR_HOST_API_VERSION;
}

uint32_t ehr_host_plugin_abi_version(void) {
  return EHR_ABI_VERSION;
}

void ehr_host_error_free(ehr_error* error) {
  ehr_error_free(error);
}

ehr_error* ehr_host_error_new(ehr_status code, ehr_str message, ehr_str field, uint32_t reason) {
  return ehr::abi_support::make_error(code, as_view(message), as_view(field), reason);
}

const char* ehr_host_status_name(ehr_status status) {
  return ehr_status_name(status);
}

const char* ehr_host_deny_reason_name(uint32_t reason) {
  return ehr_deny_reason_name(reason);
}

// ---- The plugin manager ------------------------------------------------------------------------

ehr_status ehr_host_create(const ehr_host_options* options, const ehr_host_services* services,
                           ehr_host** out_host, ehr_error** out_error) {
  return guarded(out_error, [&]() -> Status {
    if (out_host == nullptr) return missing("out_host");
    *out_host = nullptr;
    ehr_host_options o;
    if (!read_struct(options, EHR_HOST_STRUCT_OPTIONS, EHR_SIZE_THROUGH(ehr_host_options, abi_max_version),
                     o))
      return Status::invalid_argument("options",
                                      "options is not an ehr_host_options (NULL, wrong struct_type "
                                      "or struct_size)");
    if (o.plugins_directory.size == 0)
      return Status::invalid_argument("options.plugins_directory", "the plugins directory is empty");
    if (o.host_data_directory.size == 0)
      return Status::invalid_argument("options.host_data_directory", "the host data directory is empty");
    if (o.callbacks != EHR_HOST_CALLBACKS_ANY_THREAD && o.callbacks != EHR_HOST_CALLBACKS_CALLING_THREAD)
      return Status::invalid_argument("options.callbacks",
                                      "callbacks must be EHR_HOST_CALLBACKS_ANY_THREAD or "
                                      "EHR_HOST_CALLBACKS_CALLING_THREAD");
    ehr_host_services table;
    if (Status checked = capi::check_services_table(services, table); !checked) return checked;

    PluginManagerOptions m;
    m.plugins_directory = std::string(as_view(o.plugins_directory));
    m.host_data_directory = std::string(as_view(o.host_data_directory));
    m.require_signatures = o.require_signatures != 0;
    m.enable_new_plugins = o.start_new_disabled == 0;
    if (o.abi_min_version != 0) m.abi_min_version = o.abi_min_version;
    if (o.abi_max_version != 0) m.abi_max_version = o.abi_max_version;
    if (o.trusted_key_count > 0 && o.trusted_keys == nullptr) return missing("options.trusted_keys");
    // Arrays step by each element's own struct_size (common.h), as the plugin ABI's do.
    std::vector<ehr_host_trusted_key> keys;
    std::size_t bad = 0;
    if (!read_array(o.trusted_keys, o.trusted_key_count, EHR_HOST_STRUCT_TRUSTED_KEY,
                    EHR_SIZE_THROUGH(ehr_host_trusted_key, public_key_base64), keys, bad))
      return Status::invalid_argument("options.trusted_keys[" + std::to_string(bad) + "]",
                                      "not an ehr_host_trusted_key (wrong struct_type or struct_size)");
    for (const ehr_host_trusted_key& key : keys)
      m.trusted_keys.push_back(TrustedKey{to_string(key.key_id), to_string(key.public_key_base64)});
    // A table without get_key (NULL, or a 1.0 table) gets the SDK's file-backed keys: the key file
    // in the host data directory, or EHR_HOST_KEYS (R-SEC-2).
    std::unique_ptr<KeyStore> fallback_keys;
    if (table.get_key == nullptr) {
      auto keys = KeyStore::open(m.host_data_directory);
      if (!keys) return keys.status();
      fallback_keys = std::move(*keys);
    }
    *out_host = new ehr_host(std::move(m), table, o.callbacks == EHR_HOST_CALLBACKS_CALLING_THREAD,
                             std::move(fallback_keys));
    return Status();
  });
}

void ehr_host_destroy(ehr_host* host) {
  if (host == nullptr) return;
  // Shut down through the dispatcher, so a calling-thread host answers on_shutdown's callbacks.
  (void)on_host(host, nullptr, [&] {
    {
      std::lock_guard lock(host->hooks_mutex);
      host->hooks.clear();
    }
    host->manager.shutdown();
    return Status();
  });
  delete host;
}

ehr_status ehr_host_discover(ehr_host* host, ehr_error** out_error) {
  return on_host(host, out_error, [&] { return host->manager.discover(); });
}

ehr_status ehr_host_list_plugins(ehr_host* host, void* sink_ctx, ehr_host_plugin_sink_fn sink,
                                 ehr_error** out_error) {
  return on_host(host, out_error, [&]() -> Status {
    if (sink == nullptr) return missing("sink");
    return each(host->manager.list(), "plugin sink",
                [&](const PluginInfo& info) { return send_info(info, sink_ctx, sink); });
  });
}

ehr_status ehr_host_plugin_info_get(ehr_host* host, ehr_str plugin_id, void* sink_ctx,
                                    ehr_host_plugin_sink_fn sink, ehr_error** out_error) {
  return on_host(host, out_error, [&]() -> Status {
    if (sink == nullptr) return missing("sink");
    auto info = host->manager.info(as_view(plugin_id));
    if (!info) return info.status();
    const ehr_status code = send_info(*info, sink_ctx, sink);
    return code == EHR_STATUS_OK || code == EHR_STATUS_STOP ? Status() : sink_failed(code, "plugin sink");
  });
}

ehr_status ehr_host_verify_plugin(ehr_host* host, ehr_str plugin_id, void* sink_ctx,
                                  ehr_host_verification_sink_fn sink, ehr_error** out_error) {
  return on_host(host, out_error, [&]() -> Status {
    if (sink == nullptr) return missing("sink");
    auto verified = host->manager.verify(as_view(plugin_id));
    if (!verified) return verified.status();
    const Verification& v = *verified;
    const std::string manifest_path = v.manifest_path.string();
    const std::string library_path = v.library_path.string();
    auto out = make_struct<ehr_host_verification>(EHR_HOST_STRUCT_VERIFICATION);
    out.plugin_id = view(v.plugin_id);
    out.manifest_path = view(manifest_path);
    out.library_path = view(library_path);
    out.expected_sha256 = view(v.expected_sha256);
    out.actual_sha256 = view(v.actual_sha256);
    out.checksum_matches = v.checksum_matches ? 1u : 0u;
    out.signature = static_cast<ehr_host_signature>(v.signature);
    out.signature_key_id = view(v.signature_key_id);
    out.status = v.status.code();
    out.problem = view(v.status.message());
    const ehr_status code = sink(sink_ctx, &out);
    return code == EHR_STATUS_OK || code == EHR_STATUS_STOP ? Status()
                                                            : sink_failed(code, "verification sink");
  });
}

ehr_status ehr_host_enable_plugin(ehr_host* host, ehr_str plugin_id, ehr_error** out_error) {
  return on_host(host, out_error, [&] { return host->manager.enable(as_view(plugin_id)); });
}

ehr_status ehr_host_disable_plugin(ehr_host* host, ehr_str plugin_id, ehr_error** out_error) {
  return on_host(host, out_error, [&] { return host->manager.disable(as_view(plugin_id)); });
}

ehr_status ehr_host_shutdown(ehr_host* host, ehr_error** out_error) {
  return on_host(host, out_error, [&] {
    host->manager.shutdown();
    return Status();
  });
}

// ---- Settings ----------------------------------------------------------------------------------

ehr_status ehr_host_list_settings_plugins(ehr_host* host, void* sink_ctx, ehr_id_sink_fn sink,
                                          ehr_error** out_error) {
  return on_host(host, out_error, [&]() -> Status {
    if (sink == nullptr) return missing("sink");
    return each(host->manager.registry().settings_pages(), "id sink",
                [&](const SettingsPages& pages) { return sink(sink_ctx, view(pages.plugin_id())); });
  });
}

ehr_status ehr_host_settings_describe(ehr_host* host, ehr_str plugin_id, ehr_str actor_user_id,
                                      ehr_str location_id, void* sink_ctx, const ehr_page_sink* sink,
                                      ehr_error** out_error) {
  return on_host(host, out_error, [&]() -> Status {
    ehr_page_sink s;
    if (!read_struct(sink, EHR_STRUCT_PAGE_SINK, EHR_SIZE_THROUGH(ehr_page_sink, on_field), s) ||
        s.on_page == nullptr || s.on_field == nullptr)
      return Status::invalid_argument("sink", "sink is not an ehr_page_sink with on_page and on_field");
    auto pages = host->manager.registry().settings_pages(as_view(plugin_id));
    if (!pages) return pages.status();
    auto page = pages->describe_page(as_view(actor_user_id), as_view(location_id));
    if (!page) return page.status();
    auto info = make_struct<ehr_page_info>(EHR_STRUCT_PAGE_INFO);
    info.page_id = view(page->info.page_id);
    info.title = view(page->info.title);
    info.location_id = view(page->info.location_id);
    info.required_role = view(page->info.required_role);
    info.follows_general = page->info.follows_general ? 1u : 0u;
    info.field_count = static_cast<std::uint32_t>(page->fields.size());
    ehr_status code = s.on_page(sink_ctx, &info);
    if (code == EHR_STATUS_STOP) return Status();
    if (code != EHR_STATUS_OK) return sink_failed(code, "on_page");
    for (const Field& field : page->fields) {
      std::vector<ehr_choice> choices;
      for (const Choice& choice : field.choices) {
        auto c = make_struct<ehr_choice>(EHR_STRUCT_CHOICE);
        c.value = view(choice.value);
        c.label = view(choice.label);
        choices.push_back(c);
      }
      auto f = make_struct<ehr_field_info>(EHR_STRUCT_FIELD_INFO);
      f.section_id = view(field.section_id);
      f.section_title = view(field.section_title);
      f.key = view(field.key);
      f.label = view(field.label);
      f.help = view(field.help);
      f.type = static_cast<ehr_field_type>(field.type);
      f.choice_count = static_cast<std::uint32_t>(choices.size());
      f.choices = choices.empty() ? nullptr : choices.data();
      f.default_value = view(field.default_value);
      f.value = view(field.value);
      f.min_value = field.min_value;
      f.max_value = field.max_value;
      code = s.on_field(sink_ctx, &f);
      if (code == EHR_STATUS_STOP) break;
      if (code != EHR_STATUS_OK) return sink_failed(code, "on_field");
    }
    return Status();
  });
}

ehr_status ehr_host_settings_save(ehr_host* host, ehr_str plugin_id, ehr_str actor_user_id,
                                  ehr_str location_id, const ehr_setting_value* values, size_t value_count,
                                  ehr_error** out_error) {
  return on_host(host, out_error, [&]() -> Status {
    if (value_count > 0 && values == nullptr) return missing("values");
    std::vector<ehr_setting_value> copies;
    std::size_t bad = 0;
    if (!read_array(values, value_count, EHR_STRUCT_SETTING_VALUE, EHR_SIZE_THROUGH(ehr_setting_value, value),
                    copies, bad))
      return Status::invalid_argument("values[" + std::to_string(bad) + "]",
                                      "not an ehr_setting_value (wrong struct_type or struct_size)");
    std::vector<SettingValue> submitted;
    for (const ehr_setting_value& v : copies)
      submitted.push_back(SettingValue{to_string(v.key), to_string(v.value)});
    auto pages = host->manager.registry().settings_pages(as_view(plugin_id));
    if (!pages) return pages.status();
    return pages->save_page(as_view(actor_user_id), as_view(location_id), submitted);
  });
}

ehr_status ehr_host_settings_reset(ehr_host* host, ehr_str plugin_id, ehr_str actor_user_id,
                                   ehr_str location_id, ehr_error** out_error) {
  return on_host(host, out_error, [&]() -> Status {
    auto pages = host->manager.registry().settings_pages(as_view(plugin_id));
    if (!pages) return pages.status();
    return pages->reset_location(as_view(actor_user_id), as_view(location_id));
  });
}

ehr_status ehr_host_settings_effective(ehr_host* host, ehr_str plugin_id, ehr_str location_id, void* sink_ctx,
                                       ehr_effective_sink_fn sink, ehr_error** out_error) {
  return on_host(host, out_error, [&]() -> Status {
    if (sink == nullptr) return missing("sink");
    auto pages = host->manager.registry().settings_pages(as_view(plugin_id));
    if (!pages) return pages.status();
    auto settings = pages->effective(as_view(location_id));
    if (!settings) return settings.status();
    return each(*settings, "effective sink", [&](const EffectiveSetting& e) {
      auto out = make_struct<ehr_effective_setting>(EHR_STRUCT_EFFECTIVE_SETTING);
      out.key = view(e.key);
      out.value = view(e.value);
      out.source_location_id = view(e.source_location_id);
      out.from_default = e.from_default ? 1u : 0u;
      return sink(sink_ctx, &out);
    });
  });
}

// ---- Roles -------------------------------------------------------------------------------------

ehr_status ehr_host_list_roles_sections(ehr_host* host, void* sink_ctx, ehr_host_roles_section_sink_fn sink,
                                        ehr_error** out_error) {
  return on_host(host, out_error, [&]() -> Status {
    if (sink == nullptr) return missing("sink");
    return each(host->manager.registry().roles_sections(), "roles section sink",
                [&](const RolesSection& section) {
                  std::vector<ehr_role_descriptor> roles;
                  for (const RoleDescriptor& role : section.roles) {
                    auto r = make_struct<ehr_role_descriptor>(EHR_STRUCT_ROLE_DESCRIPTOR);
                    r.id = view(role.id);
                    r.label = view(role.label);
                    r.description = view(role.description);
                    roles.push_back(r);
                  }
                  auto out = make_struct<ehr_roles_section>(EHR_STRUCT_ROLES_SECTION);
                  out.section_id = view(section.section_id);
                  out.title = view(section.title);
                  out.roles = roles.empty() ? nullptr : roles.data();
                  out.role_count = roles.size();
                  return sink(sink_ctx, view(section.plugin_id), &out);
                });
  });
}

ehr_status ehr_host_role_store_open(ehr_str host_data_directory, const ehr_host_user_directory* users,
                                    ehr_host_role_store** out_store, ehr_error** out_error) {
  return guarded(out_error, [&]() -> Status {
    if (out_store == nullptr) return missing("out_store");
    *out_store = nullptr;
    ehr_host_user_directory table;
    if (!read_struct(users, EHR_HOST_STRUCT_USER_DIRECTORY,
                     EHR_SIZE_THROUGH(ehr_host_user_directory, list_users), table) ||
        table.list_users == nullptr)
      return Status::invalid_argument("users", "users is not an ehr_host_user_directory with list_users");
    if (host_data_directory.size == 0)
      return Status::invalid_argument("host_data_directory", "the host data directory is empty");
    auto holder = std::make_unique<ehr_host_role_store>();
    holder->users = std::make_unique<capi::CUserDirectory>(table);
    auto store = RoleStore::open(std::string(as_view(host_data_directory)), *holder->users);
    if (!store) return store.status();
    holder->store = std::move(*store);
    *out_store = holder.release();
    return Status();
  });
}

void ehr_host_role_store_close(ehr_host_role_store* store) {
  delete store;
}

ehr_status ehr_host_role_store_declare_role(ehr_host_role_store* store, const ehr_role_descriptor* role,
                                            ehr_error** out_error) {
  return guarded(out_error, [&]() -> Status {
    if (store == nullptr) return missing("store");
    ehr_role_descriptor r;
    if (!read_struct(role, EHR_STRUCT_ROLE_DESCRIPTOR, EHR_SIZE_THROUGH(ehr_role_descriptor, description), r))
      return Status::invalid_argument("role", "role is not an ehr_role_descriptor");
    return store->store->declare_role(
        RoleDescriptor{to_string(r.id), to_string(r.label), to_string(r.description)});
  });
}

ehr_status ehr_host_role_store_declare_plugin_roles(ehr_host_role_store* store, ehr_host* host,
                                                    ehr_error** out_error) {
  return guarded(out_error, [&]() -> Status {
    if (store == nullptr) return missing("store");
    if (host == nullptr) return missing("host");
    for (const RolesSection& section : host->manager.registry().roles_sections())
      if (Status declared = store->store->declare_section(section); !declared) return declared;
    return Status();
  });
}

ehr_status ehr_host_role_store_has_role(ehr_host_role_store* store, ehr_str user_id, ehr_str role_id,
                                        bool* out_has_role, ehr_error** out_error) {
  return guarded(out_error, [&]() -> Status {
    if (store == nullptr) return missing("store");
    if (out_has_role == nullptr) return missing("out_has_role");
    auto has = store->store->has_role(as_view(user_id), as_view(role_id));
    if (!has) return has.status();
    *out_has_role = *has;
    return Status();
  });
}

static ehr_status send_ids(const Result<std::vector<std::string>>& ids, void* sink_ctx, ehr_id_sink_fn sink,
                           ehr_error** out_error) {
  return guarded(out_error, [&]() -> Status {
    if (sink == nullptr) return missing("sink");
    if (!ids) return ids.status();
    return each(*ids, "id sink", [&](const std::string& id) { return sink(sink_ctx, view(id)); });
  });
}

ehr_status ehr_host_role_store_members(ehr_host_role_store* store, ehr_str role_id, void* sink_ctx,
                                       ehr_id_sink_fn sink, ehr_error** out_error) {
  if (store == nullptr) return report(out_error, missing("store"));
  return send_ids(store->store->members(as_view(role_id)), sink_ctx, sink, out_error);
}

ehr_status ehr_host_role_store_roles_of(ehr_host_role_store* store, ehr_str user_id, void* sink_ctx,
                                        ehr_id_sink_fn sink, ehr_error** out_error) {
  if (store == nullptr) return report(out_error, missing("store"));
  return send_ids(store->store->roles_of(as_view(user_id)), sink_ctx, sink, out_error);
}

static Status changed(const Result<RoleUpdate>& update, size_t* out_changed) {
  if (!update) return update.status();
  if (out_changed != nullptr) *out_changed = update->changed;
  return Status();
}

ehr_status ehr_host_role_store_set(ehr_host_role_store* store, ehr_str actor_user_id, ehr_str user_id,
                                   ehr_str role_id, uint32_t assigned, size_t* out_changed,
                                   ehr_error** out_error) {
  return guarded(out_error, [&]() -> Status {
    if (store == nullptr) return missing("store");
    return changed(
        store->store->set_role(as_view(actor_user_id), as_view(user_id), as_view(role_id), assigned != 0),
        out_changed);
  });
}

// Assign or unassign, selected users or (all) every active one: R-ROLE-3's four buttons.
static ehr_status bulk(ehr_host_role_store* store, bool assign, ehr_str actor_user_id, ehr_str role_id,
                       const ehr_str* user_ids, size_t user_count, uint32_t all, size_t* out_changed,
                       ehr_error** out_error) {
  return guarded(out_error, [&]() -> Status {
    if (store == nullptr) return missing("store");
    if (user_count > 0 && user_ids == nullptr) return missing("user_ids");
    RoleStore& roles = *store->store;
    const std::string_view actor = as_view(actor_user_id), role = as_view(role_id);
    if (all != 0)
      return changed(assign ? roles.assign_all(actor, role) : roles.unassign_all(actor, role), out_changed);
    const std::vector<std::string> users = strings_of(user_ids, user_count);
    return changed(
        assign ? roles.assign_selected(actor, role, users) : roles.unassign_selected(actor, role, users),
        out_changed);
  });
}

ehr_status ehr_host_role_store_assign(ehr_host_role_store* store, ehr_str actor_user_id, ehr_str role_id,
                                      const ehr_str* user_ids, size_t user_count, uint32_t all,
                                      size_t* out_changed, ehr_error** out_error) {
  return bulk(store, true, actor_user_id, role_id, user_ids, user_count, all, out_changed, out_error);
}

ehr_status ehr_host_role_store_unassign(ehr_host_role_store* store, ehr_str actor_user_id, ehr_str role_id,
                                        const ehr_str* user_ids, size_t user_count, uint32_t all,
                                        size_t* out_changed, ehr_error** out_error) {
  return bulk(store, false, actor_user_id, role_id, user_ids, user_count, all, out_changed, out_error);
}

ehr_status ehr_host_role_store_seed(ehr_host_role_store* store, const ehr_str* user_ids,
                                    const ehr_str* role_ids, size_t count, bool* out_applied,
                                    ehr_error** out_error) {
  return guarded(out_error, [&]() -> Status {
    if (store == nullptr) return missing("store");
    if (count > 0 && (user_ids == nullptr || role_ids == nullptr)) return missing("user_ids/role_ids");
    std::vector<RoleAssignment> assignments;
    for (std::size_t i = 0; i < count; ++i)
      assignments.push_back(RoleAssignment{to_string(user_ids[i]), to_string(role_ids[i])});
    auto applied = store->store->seed_initial(assignments);
    if (!applied) return applied.status();
    if (out_applied != nullptr) *out_applied = *applied;
    return Status();
  });
}

ehr_status ehr_host_role_store_changes(ehr_host_role_store* store, void* sink_ctx,
                                       ehr_host_role_change_sink_fn sink, ehr_error** out_error) {
  return guarded(out_error, [&]() -> Status {
    if (store == nullptr) return missing("store");
    if (sink == nullptr) return missing("sink");
    auto changes = store->store->changes();
    if (!changes) return changes.status();
    return each(*changes, "role change sink", [&](const RoleChange& c) {
      auto out = make_struct<ehr_host_role_change>(EHR_HOST_STRUCT_ROLE_CHANGE);
      out.sequence = c.sequence;
      out.at_unix_ms = c.at_unix_ms;
      out.actor_user_id = view(c.actor_user_id);
      out.user_id = view(c.user_id);
      out.role_id = view(c.role_id);
      out.old_assigned = c.old_assigned ? 1u : 0u;
      out.new_assigned = c.new_assigned ? 1u : 0u;
      return sink(sink_ctx, &out);
    });
  });
}

// ---- Messaging channel -------------------------------------------------------------------------

ehr_status ehr_host_list_channels(ehr_host* host, void* sink_ctx, ehr_host_channel_sink_fn sink,
                                  ehr_error** out_error) {
  return on_host(host, out_error, [&]() -> Status {
    if (sink == nullptr) return missing("sink");
    return each(host->manager.registry().channels(), "channel sink", [&](const MessagingChannel& channel) {
      return sink(sink_ctx, view(channel.id()), view(channel.plugin_id()));
    });
  });
}

ehr_status ehr_host_channel_explain(ehr_host* host, ehr_str channel_id, const ehr_explain_request* request,
                                    void* sink_ctx, ehr_decision_sink_fn sink, ehr_error** out_error) {
  return on_host(host, out_error, [&]() -> Status {
    if (sink == nullptr) return missing("sink");
    ehr_explain_request r;
    if (!read_struct(request, EHR_STRUCT_EXPLAIN_REQUEST, EHR_SIZE_THROUGH(ehr_explain_request, patient_id),
                     r))
      return Status::invalid_argument("request", "request is not an ehr_explain_request");
    auto channel = channel_of(host, channel_id);
    if (!channel) return channel.status();
    auto decision = channel->explain(
        ExplainRequest{to_string(r.staff_user_id), to_string(r.portal_user_id), to_string(r.patient_id)});
    if (!decision) return decision.status();
    auto out = make_struct<ehr_decision>(EHR_STRUCT_DECISION);
    out.allowed = decision->allowed ? 1u : 0u;
    out.reason = decision->reason;
    out.explanation = view(decision->explanation);
    const ehr_status code = sink(sink_ctx, &out);
    return code == EHR_STATUS_OK || code == EHR_STATUS_STOP ? Status() : sink_failed(code, "decision sink");
  });
}

static Status send_recipients(const std::vector<Recipient>& recipients, const char* sink_name, void* sink_ctx,
                              ehr_recipient_sink_fn sink) {
  return each(recipients, sink_name, [&](const Recipient& r) {
    auto out = make_struct<ehr_recipient>(EHR_STRUCT_RECIPIENT);
    out.principal = detail::to_c(r.principal);
    out.display_name = view(r.display_name);
    return sink(sink_ctx, &out);
  });
}

ehr_status ehr_host_channel_recipients(ehr_host* host, ehr_str channel_id, const ehr_principal* reader,
                                       ehr_str patient_id, void* sink_ctx, ehr_recipient_sink_fn sink,
                                       ehr_error** out_error) {
  return on_host(host, out_error, [&]() -> Status {
    if (sink == nullptr) return missing("sink");
    auto who = principal_from(reader, "reader");
    if (!who) return who.status();
    auto channel = channel_of(host, channel_id);
    if (!channel) return channel.status();
    auto recipients = channel->list_recipients(*who, as_view(patient_id));
    if (!recipients) return recipients.status();
    return send_recipients(*recipients, "recipient sink", sink_ctx, sink);
  });
}

static void write_sent(const Sent& sent, ehr_sent* out) {
  if (out == nullptr) return;
  // The caller's struct may be older (smaller) than ours: write only what it has room for.
  const std::uint32_t room = out->struct_size;
  auto value = make_struct<ehr_sent>(EHR_STRUCT_SENT);
  value.thread_id = sent.thread_id;
  value.message_id = sent.message_id;
  value.sent_at_unix_ms = sent.sent_at_unix_ms;
  std::memcpy(static_cast<void*>(out), &value, room < sizeof value ? room : sizeof value);
  out->struct_size = room;  // the caller's size stays: it says what the caller can read
}

static Status check_out_sent(const ehr_sent* out) {
  if (out != nullptr &&
      (out->struct_type != EHR_STRUCT_SENT || out->struct_size < EHR_SIZE_THROUGH(ehr_sent, sent_at_unix_ms)))
    return Status::invalid_argument("out_sent",
                                    "out_sent must be tagged EHR_STRUCT_SENT with its struct_size");
  return Status();
}

ehr_status ehr_host_channel_start(ehr_host* host, ehr_str channel_id, const ehr_start_request* request,
                                  ehr_sent* out_sent, ehr_error** out_error) {
  return on_host(host, out_error, [&]() -> Status {
    ehr_start_request r;
    if (!read_struct(request, EHR_STRUCT_START_REQUEST, EHR_SIZE_THROUGH(ehr_start_request, body), r))
      return Status::invalid_argument("request", "request is not an ehr_start_request");
    if (Status checked = check_out_sent(out_sent); !checked) return checked;
    StartRequest in;
    auto sender = principal_from(&r.sender, "request.sender");
    if (!sender) return sender.status();
    in.sender = *sender;
    in.patient_id = to_string(r.patient_id);
    if (r.recipient_count > 0 && r.recipients == nullptr) return missing("request.recipients");
    std::vector<ehr_principal> recipients;
    std::size_t bad = 0;
    if (!read_array(r.recipients, r.recipient_count, EHR_STRUCT_PRINCIPAL,
                    EHR_SIZE_THROUGH(ehr_principal, id), recipients, bad))
      return Status::invalid_argument("request.recipients[" + std::to_string(bad) + "]",
                                      "not an ehr_principal (wrong struct_type or struct_size)");
    for (const ehr_principal& p : recipients) {
      auto recipient = principal_from(&p, "request.recipients[]");
      if (!recipient) return recipient.status();
      in.recipients.push_back(*recipient);
    }
    in.subject = to_string(r.subject);
    in.body = to_string(r.body);
    auto channel = channel_of(host, channel_id);
    if (!channel) return channel.status();
    auto sent = channel->start_thread(in);
    if (!sent) return sent.status();
    write_sent(*sent, out_sent);
    return Status();
  });
}

ehr_status ehr_host_channel_reply(ehr_host* host, ehr_str channel_id, const ehr_reply_request* request,
                                  ehr_sent* out_sent, ehr_error** out_error) {
  return on_host(host, out_error, [&]() -> Status {
    ehr_reply_request r;
    if (!read_struct(request, EHR_STRUCT_REPLY_REQUEST, EHR_SIZE_THROUGH(ehr_reply_request, body), r))
      return Status::invalid_argument("request", "request is not an ehr_reply_request");
    if (Status checked = check_out_sent(out_sent); !checked) return checked;
    auto sender = principal_from(&r.sender, "request.sender");
    if (!sender) return sender.status();
    auto channel = channel_of(host, channel_id);
    if (!channel) return channel.status();
    auto sent = channel->reply(ReplyRequest{*sender, r.thread_id, to_string(r.body)});
    if (!sent) return sent.status();
    write_sent(*sent, out_sent);
    return Status();
  });
}

ehr_status ehr_host_channel_list(ehr_host* host, ehr_str channel_id, const ehr_list_request* request,
                                 void* sink_ctx, ehr_thread_sink_fn sink, ehr_inbox_totals* out_totals,
                                 ehr_error** out_error) {
  return on_host(host, out_error, [&]() -> Status {
    if (sink == nullptr) return missing("sink");
    ehr_list_request r;
    if (!read_struct(request, EHR_STRUCT_LIST_REQUEST, EHR_SIZE_THROUGH(ehr_list_request, offset), r))
      return Status::invalid_argument("request", "request is not an ehr_list_request");
    if (out_totals != nullptr && (out_totals->struct_type != EHR_STRUCT_INBOX_TOTALS ||
                                  out_totals->struct_size < EHR_SIZE_THROUGH(ehr_inbox_totals, unread_total)))
      return Status::invalid_argument("out_totals",
                                      "out_totals must be tagged EHR_STRUCT_INBOX_TOTALS with its size");
    auto reader = principal_from(&r.reader, "request.reader");
    if (!reader) return reader.status();
    auto channel = channel_of(host, channel_id);
    if (!channel) return channel.status();
    ListRequest in;
    in.reader = *reader;
    in.archived = r.include_archived != 0;
    in.limit = r.limit;
    in.offset = r.offset;
    auto listed = channel->list_threads(in);
    if (!listed) return listed.status();
    if (out_totals != nullptr) {
      out_totals->thread_count = listed->totals.thread_count;
      out_totals->unread_total = listed->totals.unread_total;
    }
    return each(listed->threads, "thread sink", [&](const ThreadSummary& t) {
      auto out = make_struct<ehr_thread_summary>(EHR_STRUCT_THREAD_SUMMARY);
      out.thread_id = t.thread_id;
      out.patient_id = view(t.patient_id);
      out.subject = view(t.subject);
      out.started_by = detail::to_c(t.started_by);
      out.last_sender = detail::to_c(t.last_sender);
      out.last_message_at_unix_ms = t.last_message_at_unix_ms;
      out.message_count = t.message_count;
      out.unread_count = t.unread_count;
      out.archived = t.archived ? 1u : 0u;
      return sink(sink_ctx, &out);
    });
  });
}

ehr_status ehr_host_channel_unread(ehr_host* host, ehr_str channel_id, const ehr_principal* reader,
                                   uint64_t* out_unread, ehr_error** out_error) {
  return on_host(host, out_error, [&]() -> Status {
    if (out_unread == nullptr) return missing("out_unread");
    auto who = principal_from(reader, "reader");
    if (!who) return who.status();
    auto channel = channel_of(host, channel_id);
    if (!channel) return channel.status();
    auto unread = channel->unread_total(*who);
    if (!unread) return unread.status();
    *out_unread = *unread;
    return Status();
  });
}

ehr_status ehr_host_channel_read(ehr_host* host, ehr_str channel_id, const ehr_principal* reader,
                                 int64_t thread_id, void* sink_ctx, ehr_message_sink_fn sink,
                                 ehr_error** out_error) {
  return on_host(host, out_error, [&]() -> Status {
    if (sink == nullptr) return missing("sink");
    auto who = principal_from(reader, "reader");
    if (!who) return who.status();
    auto channel = channel_of(host, channel_id);
    if (!channel) return channel.status();
    auto messages = channel->read_thread(*who, thread_id);
    if (!messages) return messages.status();
    return each(*messages, "message sink", [&](const MessageView& m) {
      auto out = make_struct<ehr_message_view>(EHR_STRUCT_MESSAGE_VIEW);
      out.message_id = m.message_id;
      out.thread_id = m.thread_id;
      out.sender = detail::to_c(m.sender);
      out.sender_display_name = view(m.sender_display_name);
      out.body = view(m.body);
      out.sent_at_unix_ms = m.sent_at_unix_ms;
      return sink(sink_ctx, &out);
    });
  });
}

ehr_status ehr_host_channel_set_archived(ehr_host* host, ehr_str channel_id, const ehr_principal* reader,
                                         int64_t thread_id, uint32_t archived, ehr_error** out_error) {
  return on_host(host, out_error, [&]() -> Status {
    auto who = principal_from(reader, "reader");
    if (!who) return who.status();
    auto channel = channel_of(host, channel_id);
    if (!channel) return channel.status();
    return channel->set_archived(*who, thread_id, archived != 0);
  });
}

ehr_status ehr_host_channel_invite(ehr_host* host, ehr_str channel_id, const ehr_invite_request* request,
                                   ehr_error** out_error) {
  return on_host(host, out_error, [&]() -> Status {
    ehr_invite_request r;
    if (!read_struct(request, EHR_STRUCT_INVITE_REQUEST, EHR_SIZE_THROUGH(ehr_invite_request, portal_user_id),
                     r))
      return Status::invalid_argument("request", "request is not an ehr_invite_request");
    auto channel = channel_of(host, channel_id);
    if (!channel) return channel.status();
    return channel->invite_portal_user(
        InviteRequest{to_string(r.actor_user_id), to_string(r.portal_user_id)});
  });
}

ehr_status ehr_host_channel_add_participant(ehr_host* host, ehr_str channel_id, const ehr_principal* actor,
                                            int64_t thread_id, const ehr_principal* added, bool* out_added,
                                            ehr_error** out_error) {
  return on_host(host, out_error, [&]() -> Status {
    auto who = principal_from(actor, "actor");
    if (!who) return who.status();
    auto colleague = principal_from(added, "added");
    if (!colleague) return colleague.status();
    auto channel = channel_of(host, channel_id);
    if (!channel) return channel.status();
    auto was_added = channel->add_participant(*who, thread_id, *colleague);
    if (!was_added) return was_added.status();
    if (out_added != nullptr) *out_added = *was_added;
    return Status::ok();
  });
}

ehr_status ehr_host_channel_participants(ehr_host* host, ehr_str channel_id, const ehr_principal* reader,
                                         int64_t thread_id, void* sink_ctx, ehr_recipient_sink_fn sink,
                                         ehr_error** out_error) {
  return on_host(host, out_error, [&]() -> Status {
    if (sink == nullptr) return missing("sink");
    auto who = principal_from(reader, "reader");
    if (!who) return who.status();
    auto channel = channel_of(host, channel_id);
    if (!channel) return channel.status();
    auto participants = channel->list_participants(*who, thread_id);
    if (!participants) return participants.status();
    return send_recipients(*participants, "participant sink", sink_ctx, sink);
  });
}

ehr_status ehr_host_channel_brand(ehr_host* host, ehr_str channel_id, const ehr_principal* reader,
                                  ehr_str patient_id, void* sink_ctx, ehr_brand_sink_fn sink,
                                  ehr_error** out_error) {
  return on_host(host, out_error, [&]() -> Status {
    if (sink == nullptr) return missing("sink");
    auto who = principal_from(reader, "reader");
    if (!who) return who.status();
    auto channel = channel_of(host, channel_id);
    if (!channel) return channel.status();
    auto brand = channel->chart_brand(*who, as_view(patient_id));
    if (!brand) return brand.status();
    auto out = make_struct<ehr_brand>(EHR_STRUCT_BRAND);
    out.name = view(brand->name);
    out.phone = view(brand->phone);
    out.address = view(brand->address);
    out.location_id = view(brand->location_id);
    const ehr_status code = sink(sink_ctx, &out);
    return code == EHR_STATUS_OK || code == EHR_STATUS_STOP ? Status() : sink_failed(code, "brand sink");
  });
}

// ---- Hooks -------------------------------------------------------------------------------------

ehr_status ehr_host_hook_points(ehr_host* host, ehr_str plugin_id, void* sink_ctx,
                                ehr_status (*sink)(void* sink_ctx, const ehr_hook_point_info* info),
                                ehr_error** out_error) {
  return on_host(host, out_error, [&]() -> Status {
    if (sink == nullptr) return missing("sink");
    auto hooks = host->manager.registry().hooks(as_view(plugin_id));
    if (!hooks) return hooks.status();
    auto points = hooks->list_points();
    if (!points) return points.status();
    return each(*points, "hook point sink", [&](const HookPointInfo& p) {
      auto out = make_struct<ehr_hook_point_info>(EHR_STRUCT_HOOK_POINT_INFO);
      out.point = static_cast<ehr_hook_point>(p.point);
      out.can_reject = p.can_reject ? 1u : 0u;
      out.name = view(p.name);
      out.description = view(p.description);
      return sink(sink_ctx, &out);
    });
  });
}

ehr_status ehr_host_hook_add(ehr_host* host, ehr_str plugin_id, ehr_hook_point point, ehr_hook_fn fn,
                             void* user_data, uint64_t* out_hook_id, ehr_error** out_error) {
  return on_host(host, out_error, [&]() -> Status {
    if (fn == nullptr) return missing("fn");
    if (out_hook_id == nullptr) return missing("out_hook_id");
    auto hooks = host->manager.registry().hooks(as_view(plugin_id));
    if (!hooks) return hooks.status();
    capi::CallbackDispatcher& dispatcher = host->dispatcher;
    auto added = hooks->add(static_cast<HookPoint>(point), [fn, user_data, &dispatcher](const HookEvent& e) {
      auto event = make_struct<ehr_hook_event>(EHR_STRUCT_HOOK_EVENT);
      event.point = static_cast<ehr_hook_point>(e.point);
      event.actor = detail::to_c(e.actor);
      event.patient_id = view(e.patient_id);
      event.thread_id = e.thread_id;
      event.message_id = e.message_id;
      event.subject = view(e.subject);
      event.body = view(e.body);
      event.location_id = view(e.location_id);
      event.setting_key = view(e.setting_key);
      event.old_value = view(e.old_value);
      event.new_value = view(e.new_value);
      ehr_status code = EHR_STATUS_INTERNAL;
      ehr_error* error = nullptr;
      dispatcher.callback([&] { code = fn(user_data, &event, &error); });
      return Status::from_c(code, error);
    });
    if (!added) return added.status();
    std::lock_guard lock(host->hooks_mutex);
    const std::uint64_t id = host->next_hook_id++;
    host->hooks.emplace(id, std::make_unique<HookRegistration>(std::move(*added)));
    *out_hook_id = id;
    return Status();
  });
}

ehr_status ehr_host_hook_remove(ehr_host* host, uint64_t hook_id, ehr_error** out_error) {
  return on_host(host, out_error, [&]() -> Status {
    std::unique_ptr<HookRegistration> registration;
    {
      std::lock_guard lock(host->hooks_mutex);
      auto found = host->hooks.find(hook_id);
      if (found == host->hooks.end())
        return Status::not_found("no hook " + std::to_string(hook_id) + " was added to this host", "hook_id");
      registration = std::move(found->second);
      host->hooks.erase(found);
    }
    // Outside the lock: removing waits for a running call of the hook, which may add or remove.
    return registration->remove();
  });
}

// ---- Audit -------------------------------------------------------------------------------------

ehr_status ehr_host_audit_verify(ehr_host* host, ehr_str plugin_id, ehr_audit_verify_result* out_result,
                                 ehr_error** out_error) {
  return on_host(host, out_error, [&]() -> Status {
    if (out_result == nullptr) return missing("out_result");
    if (out_result->struct_type != EHR_STRUCT_AUDIT_VERIFY_RESULT ||
        out_result->struct_size < EHR_SIZE_THROUGH(ehr_audit_verify_result, ok))
      return Status::invalid_argument(
          "out_result", "out_result must be tagged EHR_STRUCT_AUDIT_VERIFY_RESULT with its size");
    auto audit = host->manager.registry().audit_log(as_view(plugin_id));
    if (!audit) return audit.status();
    auto verified = audit->verify();
    if (!verified) return verified.status();
    out_result->records_checked = verified->records_checked;
    out_result->first_bad_sequence = verified->first_bad_sequence;
    out_result->ok = verified->ok ? 1u : 0u;
    // The 1.1 members, for a caller whose struct has them.
    if (out_result->struct_size >= EHR_SIZE_THROUGH(ehr_audit_verify_result, checkpoints_checked)) {
      out_result->finding = verified->finding;
      out_result->reserved2 = 0;
      out_result->checkpoint_sequence = verified->checkpoint_sequence;
      out_result->checkpoints_checked = verified->checkpoints_checked;
    }
    return Status();
  });
}

ehr_status ehr_host_audit_list(ehr_host* host, ehr_str plugin_id, ehr_str patient_id, void* sink_ctx,
                               ehr_audit_sink_fn sink, ehr_error** out_error) {
  return on_host(host, out_error, [&]() -> Status {
    if (sink == nullptr) return missing("sink");
    auto audit = host->manager.registry().audit_log(as_view(plugin_id));
    if (!audit) return audit.status();
    auto events = audit->list(as_view(patient_id));
    if (!events) return events.status();
    return each(*events, "audit sink", [&](const AuditEvent& e) {
      const ehr_audit_event out = detail::to_c(e);
      return sink(sink_ctx, &out);
    });
  });
}

}  // extern "C"

// The plugin lifecycle (DESIGN rule 8): discover -> validate -> verify -> load -> negotiate ->
// init -> register -> enable/disable -> shutdown. Each step that fails records its cause on the
// plugin's entry and the host carries on with the others.
#include "ehr/host/plugin_manager.hpp"

#include <dlfcn.h>
#include <sys/resource.h>

#include <algorithm>
#include <boost/dll/shared_library.hpp>
#include <exception>
#include <mutex>
#include <optional>

#include "c_abi.hpp"
#include "ehr/host/private_files.hpp"
#include "library_file.hpp"
#include "plugin_config.hpp"
#include "plugin_instance.hpp"
#include "plugin_preferences.hpp"
#include "registrar.hpp"
#include "registry_access.hpp"

namespace ehr::host {

namespace fs = std::filesystem;

namespace {

constexpr std::string_view kManifestSuffix = ".plugin.xml";

struct Failure {
  FailureCause cause;
  Status status;
};

Failure fail(FailureCause cause, ehr_status code, std::string message, std::string field = {}) {
  return Failure{cause, Status(code, std::move(message), std::move(field))};
}

bool is_manifest(const fs::path& path) {
  const std::string name = path.filename().string();
  return name.size() > kManifestSuffix.size() && name.ends_with(kManifestSuffix);
}

std::string id_from_manifest_name(const fs::path& path) {
  const std::string name = path.filename().string();
  return name.substr(0, name.size() - kManifestSuffix.size());
}

// What exists once a plugin's library is mapped and the plugin initialised.
struct LoadedPlugin {
  // Loaded with RTLD_NODELETE: the code stays mapped until process exit even after this object
  // goes, so nothing the plugin left behind (atexit handlers, thread-locals) can outlive it.
  boost::dll::shared_library library;
  ehr_plugin_api api{};
  ehr_plugin* handle = nullptr;
  std::shared_ptr<detail::PluginInstance> instance;
  std::shared_ptr<detail::PluginRegistrations> registrations;
};

struct Entry {
  PluginInfo info;
  std::optional<LoadedPlugin> loaded;
};

// The one re-entry guard of every lifecycle method. While a thread runs one, a plugin or
// host-services callback on that thread that calls back into the manager gets an error instead
// of a deadlock; so does a call from inside any plugin call (a hook, a channel call).
class LifecycleGuard {
 public:
  explicit LifecycleGuard(const char* method) {
    if (depth_ > 0 || detail::CallGuard::inside_any()) {
      refusal_ = Status::conflict(std::string("PluginManager::") + method +
                                  " was called from inside a plugin call or another lifecycle call; call it "
                                  "from the host's own thread instead");
      return;
    }
    ++depth_;
    entered_ = true;
  }
  ~LifecycleGuard() {
    if (entered_) --depth_;
  }
  LifecycleGuard(const LifecycleGuard&) = delete;
  LifecycleGuard& operator=(const LifecycleGuard&) = delete;

  explicit operator bool() const noexcept { return entered_; }
  const Status& refusal() const noexcept { return refusal_; }

 private:
  static thread_local int depth_;
  bool entered_ = false;
  Status refusal_;
};
thread_local int LifecycleGuard::depth_ = 0;

// The ABI versions one side speaks, both ends included. The host offers every minor of its
// major from its floor up, so one comparison decides for a manifest's range and for the version
// a plugin chose in negotiation alike.
struct AbiRange {
  std::uint32_t min = 0;
  std::uint32_t max = 0;

  std::string text() const {
    return min == max ? format_abi_version(min) : format_abi_version(min) + " to " + format_abi_version(max);
  }
};

// Where a refusal points: the manifest's fields, or "abi" for what the plugin chose.
struct AbiFields {
  const char* major = "abi";
  const char* too_new = "abi";
  const char* too_old = "abi";
};

// Does a plugin speaking `plugin` fit this host? `said` is the plugin's side in words ("plugin x
// speaks ABI 1.0 to 1.2 (x.plugin.xml)", "plugin x chose ABI 2.0").
std::optional<Failure> abi_fit(const AbiRange& host, const AbiRange& plugin, const std::string& said,
                               const AbiFields& fields) {
  if (EHR_VERSION_MAJOR(plugin.min) != EHR_VERSION_MAJOR(host.max))
    return fail(FailureCause::abi_major_mismatch, EHR_STATUS_VERSION_MISMATCH,
                said + "; this host speaks " + host.text() + ": the major versions must match", fields.major);
  if (plugin.min > host.max)
    return fail(FailureCause::abi_minor_too_new, EHR_STATUS_VERSION_MISMATCH,
                said + ", so it needs ABI " + format_abi_version(plugin.min) +
                    " or newer; this host offers up to " + format_abi_version(host.max) + ": update the host",
                fields.too_new);
  if (plugin.max < host.min)
    return fail(
        FailureCause::abi_too_old, EHR_STATUS_VERSION_MISMATCH,
        said + "; this host requires at least " + format_abi_version(host.min) + ": update the plugin",
        fields.too_old);
  return std::nullopt;
}

// The library a manifest names, checked on disk: present, its SHA-256 as the manifest says, and
// signed as the host requires. Loading and PluginManager::verify share it, so both judge alike.
struct LibraryCheck {
  std::optional<detail::LibraryFile> file;  // open once it could be read: the file to load
  Verification verification;                // every field the checks filled
  std::optional<Failure> failure;           // the first check that failed
};

// Counting /proc/self/fd costs well under a millisecond at thousands of descriptors, once per load.
std::optional<Failure> check_descriptor_headroom(const Manifest& m, std::size_t reserve) {
  rlimit limit{};
  if (reserve == 0 || ::getrlimit(RLIMIT_NOFILE, &limit) != 0 || limit.rlim_cur == RLIM_INFINITY)
    return std::nullopt;
  std::error_code error;
  std::size_t open = 0;
  for (fs::directory_iterator it("/proc/self/fd", error), end; !error && it != end; it.increment(error))
    ++open;
  if (error || open + reserve <= limit.rlim_cur) return std::nullopt;
  return fail(FailureCause::out_of_descriptors, EHR_STATUS_STORAGE,
              "plugin " + m.id + " was not loaded: the process has " + std::to_string(open) + " of its " +
                  std::to_string(limit.rlim_cur) + " file descriptors open and keeps " +
                  std::to_string(reserve) +
                  " free for the plugins already loaded; raise the limit (ulimit -n) or unload plugins it no "
                  "longer serves");
}

LibraryCheck verify_library(const Manifest& m, const PluginManagerOptions& options) {
  LibraryCheck out;
  Verification& v = out.verification;
  const std::string manifest_name = m.path.filename().string();
  v.plugin_id = m.id;
  v.manifest_path = m.path;
  v.library_path = m.library;
  v.expected_sha256 = m.library_sha256;
  auto file = detail::LibraryFile::open(m.library);
  if (!file) {
    out.failure =
        file.status().code() == EHR_STATUS_NOT_FOUND
            ? fail(FailureCause::library_missing, EHR_STATUS_NOT_FOUND,
                   "the library " + m.library.string() + " named in " + manifest_name + " does not exist",
                   "library/@file")
            : Failure{FailureCause::load_failed, file.status()};
    v.status = out.failure->status;
    return out;
  }
  auto digest = file->sha256_hex();
  auto checked_signature = digest ? file->check_signature(m.signature, options.trusted_keys)
                                  : Result<detail::SignatureCheck>(digest.status());
  if (!checked_signature) {
    out.failure = Failure{FailureCause::load_failed, checked_signature.status()};
    v.status = out.failure->status;
    return out;
  }
  v.actual_sha256 = *digest;
  v.checksum_matches = v.actual_sha256 == v.expected_sha256;
  const detail::SignatureCheck& signature = *checked_signature;
  v.signature = signature.signature;
  v.signature_key_id = signature.key_id;
  if (!v.checksum_matches)
    out.failure = fail(FailureCause::checksum_mismatch, EHR_STATUS_INVALID_ARGUMENT,
                       "the library " + m.library.string() + " has SHA-256 " + v.actual_sha256 + " but " +
                           manifest_name + " says " + v.expected_sha256 +
                           ": the file was changed or the manifest is stale",
                       "library/@sha256");
  else if (signature.signature == Verification::Signature::invalid ||
           signature.signature == Verification::Signature::untrusted_key)
    out.failure = fail(FailureCause::signature_invalid, EHR_STATUS_FORBIDDEN,
                       "plugin " + m.id + " (" + manifest_name + "): " + signature.problem, "signature");
  else if (signature.signature == Verification::Signature::absent && options.require_signatures)
    out.failure = fail(
        FailureCause::signature_missing, EHR_STATUS_FORBIDDEN,
        "plugin " + m.id + " (" + manifest_name + ") is not signed and this host requires signed plugins",
        "signature");
  if (out.failure) v.status = out.failure->status;
  out.file = std::move(*file);
  return out;
}

}  // namespace

struct PluginManager::Impl {
  Impl(PluginManagerOptions o, HostServices& s)
      : options(std::move(o)), services(s), table(s, options.host_data_directory) {}

  PluginManagerOptions options;
  HostServices& services;
  HostServicesTable table;
  Registry registry;
  mutable std::recursive_mutex mutex;
  std::vector<std::unique_ptr<Entry>> entries;  // in load order
  std::optional<detail::PluginPreferences> preferences;

  Status prepare();
  AbiRange host_abi() const { return AbiRange{options.abi_min_version, options.abi_max_version}; }
  void discover_manifest(const fs::path& manifest_path);
  void remember_missing_manifests();
  std::optional<Failure> load(Entry& entry);
  std::optional<Failure> check_before_loading(const Manifest& manifest);
  std::optional<Failure> negotiate(const Manifest& manifest, boost::dll::shared_library& library,
                                   LoadedPlugin& out, std::uint32_t& chosen);
  std::optional<Failure> initialise(Entry& entry, LoadedPlugin& plugin);
  Status set_enabled(Entry& entry, bool enabled);
  // Calls the plugin's on_enable or on_disable (absent: nothing to do); the caller holds its
  // lifecycle lock exclusively.
  static Status switch_plugin(LoadedPlugin& plugin, bool enabled);
  void shut_down(Entry& entry);
  Entry* find(std::string_view plugin_id) const;
  Status unknown_plugin(std::string_view plugin_id) const;
  // For enable/disable: the data directory is ready and the plugin is known.
  Result<Entry*> known_entry(std::string_view plugin_id);
  // The one place a plugin's state changes: the state, its failure cause and its failure stay
  // consistent (enabling clears an old failure; a failure is logged where it happens).
  void transition(Entry& entry, PluginState to, std::optional<Failure> failure = std::nullopt);
  void log(LogLevel level, const std::string& message) noexcept;
};

void PluginManager::Impl::log(LogLevel level, const std::string& message) noexcept {
  try {
    services.log(level, message);
  } catch (...) {
    // A host logger that throws must not take the plugin manager down with it.
  }
}

Entry* PluginManager::Impl::find(std::string_view plugin_id) const {
  for (const auto& entry : entries)
    if (entry->info.id == plugin_id) return entry.get();
  return nullptr;
}

Status PluginManager::Impl::unknown_plugin(std::string_view plugin_id) const {
  return Status::not_found(
      "no plugin " + std::string(plugin_id) + " in " + options.plugins_directory.string(), "plugin_id");
}

Result<Entry*> PluginManager::Impl::known_entry(std::string_view plugin_id) {
  if (Status prepared = prepare(); !prepared) return prepared;
  if (Entry* entry = find(plugin_id)) return entry;
  return unknown_plugin(plugin_id);
}

void PluginManager::Impl::transition(Entry& entry, PluginState to, std::optional<Failure> failure) {
  entry.info.state = to;
  if (failure) {
    entry.info.failure_cause = failure->cause;
    entry.info.failure = std::move(failure->status);
    log(LogLevel::error, "plugin " + entry.info.id +
                             (to == PluginState::failed ? " not loaded (" : " loaded but not enabled (") +
                             to_string(entry.info.failure_cause) + "): " + entry.info.failure.message());
  } else if (to == PluginState::enabled) {
    entry.info.failure_cause = FailureCause::none;
    entry.info.failure = Status();
  }
}

Status PluginManager::Impl::prepare() {
  if (Status made = make_private_directory(options.host_data_directory); !made) return made;
  if (Status made = make_private_directory(options.host_data_directory / "plugins"); !made) return made;
  if (!preferences) {
    auto loaded = detail::PluginPreferences::load(options.host_data_directory);
    if (!loaded) return loaded.status();
    preferences = std::move(*loaded);
  }
  return Status();
}

Status PluginManager::discover() {
  std::lock_guard lock(impl_->mutex);
  LifecycleGuard guard("discover");
  if (!guard) return guard.refusal();
  if (Status prepared = impl_->prepare(); !prepared) return prepared;

  std::error_code error;
  const fs::path& directory = impl_->options.plugins_directory;
  if (!fs::is_directory(directory, error))
    return Status::not_found("the plugins directory " + directory.string() + " does not exist",
                             "plugins_directory");
  std::vector<fs::path> manifests;
  for (fs::directory_iterator it(directory, error), end; !error && it != end; it.increment(error))
    if (is_manifest(it->path())) manifests.push_back(it->path());
  if (error)
    return Status::storage("cannot read the plugins directory " + directory.string() + ": " +
                           error.message());
  // Sorted, so that which of two duplicates wins does not depend on the file system.
  std::sort(manifests.begin(), manifests.end());
  for (const fs::path& manifest : manifests) impl_->discover_manifest(manifest);
  impl_->remember_missing_manifests();
  return Status();
}

void PluginManager::Impl::discover_manifest(const fs::path& manifest_path) {
  // A plugin already loaded from this manifest stays as it is; a failed one is tried again (the
  // admin may have fixed it).
  for (auto it = entries.begin(); it != entries.end(); ++it) {
    if ((*it)->info.manifest_path != manifest_path) continue;
    if ((*it)->loaded) return;
    entries.erase(it);
    break;
  }
  auto entry = std::make_unique<Entry>();
  Entry& e = *entry;
  e.info.manifest_path = manifest_path;
  const ManifestResult manifest = load_manifest(manifest_path);
  if (!manifest) {
    e.info.id = id_from_manifest_name(manifest_path);
    e.info.enabled_preference = preferences->enabled(e.info.id).value_or(options.enable_new_plugins);
    const auto kind = manifest.problem().kind;
    transition(e, PluginState::failed,
               Failure{kind == ManifestProblem::Kind::not_well_formed ? FailureCause::manifest_not_well_formed
                       : kind == ManifestProblem::Kind::missing       ? FailureCause::manifest_missing
                                                                      : FailureCause::manifest_invalid,
                       manifest.status()});
    entries.push_back(std::move(entry));
    return;
  }
  e.info.manifest = manifest.manifest();
  e.info.id = e.info.manifest->id;
  e.info.data_directory = options.host_data_directory / "plugins" / e.info.id;

  // An earlier manifest with the same id wins (replacing a leftover "manifest missing" entry).
  std::erase_if(entries, [&](const auto& other) {
    return other->info.id == e.info.id && other->info.failure_cause == FailureCause::manifest_missing &&
           !other->info.manifest;
  });
  if (Entry* other = find(e.info.id); other != nullptr && other->info.manifest) {
    e.info.enabled_preference = other->info.enabled_preference;
    transition(e, PluginState::failed,
               fail(FailureCause::duplicate_id, EHR_STATUS_CONFLICT,
                    "plugin id " + e.info.id + " is declared by both " + other->info.manifest_path.string() +
                        " and " + manifest_path.string() + "; only the first is loaded",
                    "plugin/@id"));
    entries.push_back(std::move(entry));
    return;
  }

  const std::optional<bool> remembered = preferences->enabled(e.info.id);
  e.info.enabled_preference = remembered.value_or(options.enable_new_plugins);
  if (!remembered) {
    // First sight of this plugin: remember the default so later runs follow the admin's choice.
    if (Status saved = preferences->set(e.info.id, e.info.enabled_preference); !saved)
      log(LogLevel::warning, "cannot remember plugin " + e.info.id + ": " + saved.message());
  }

  entries.push_back(std::move(entry));
  if (auto failure = load(e)) {
    transition(e, PluginState::failed, std::move(failure));
    return;
  }
  transition(e, PluginState::disabled);
  if (e.info.enabled_preference) {
    if (Status enabled = set_enabled(e, true); !enabled)
      transition(e, PluginState::disabled, Failure{FailureCause::enable_failed, enabled});
  } else {
    // A plugin is enabled once on_init returns (plugin.h): one the admin keeps off hears so now,
    // before anything can use its tables (the SDK's own gate is closed until then anyway).
    std::unique_lock lock(e.loaded->instance->lock);
    if (Status outcome = switch_plugin(*e.loaded, false); !outcome)
      log(LogLevel::warning, "plugin " + e.info.id + " on_disable reported: " + outcome.message());
  }
}

void PluginManager::Impl::remember_missing_manifests() {
  for (const auto& [id, enabled] : preferences->all()) {
    if (!enabled || find(id) != nullptr) continue;
    auto entry = std::make_unique<Entry>();
    entry->info.id = id;
    entry->info.enabled_preference = true;
    entry->info.data_directory = options.host_data_directory / "plugins" / id;
    transition(*entry, PluginState::failed,
               fail(FailureCause::manifest_missing, EHR_STATUS_NOT_FOUND,
                    "plugin " + id + " is enabled in " +
                        (options.host_data_directory / detail::PluginPreferences::kFileName).string() +
                        " but no manifest in " + options.plugins_directory.string() +
                        " declares it; reinstall it, or disable it to forget it"));
    entries.push_back(std::move(entry));
  }
}

std::optional<Failure> PluginManager::Impl::check_before_loading(const Manifest& m) {
  const std::string manifest_name = m.path.filename().string();
  const OptionalServices offered = table.services().optional_services();
  for (const std::string& service : m.host_services) {
    const bool ok = (service == "notify" && offered.notify) || (service == "audit" && offered.audit);
    if (!ok)
      return fail(FailureCause::host_service_missing, EHR_STATUS_UNSUPPORTED,
                  "plugin " + m.id + " needs the host service \"" + service + "\" (" + manifest_name +
                      ", host-services), which this host does not offer",
                  "host-services/service/@name");
  }
  return abi_fit(
      host_abi(), AbiRange{m.abi_min, m.abi_max},
      "plugin " + m.id + " speaks ABI " + AbiRange{m.abi_min, m.abi_max}.text() + " (" + manifest_name + ")",
      AbiFields{"abi", "abi/@min", "abi/@max"});
}

std::optional<Failure> PluginManager::Impl::load(Entry& entry) {
  const Manifest& m = *entry.info.manifest;
  const std::string manifest_name = m.path.filename().string();
  if (auto failure = check_before_loading(m)) return failure;
  if (auto failure = check_descriptor_headroom(m, options.descriptor_reserve)) return failure;

  LibraryCheck checked = verify_library(m, options);
  if (checked.failure) return checked.failure;
  detail::LibraryFile& file = *checked.file;

  LoadedPlugin plugin;
  std::error_code error;
  const auto mode = static_cast<boost::dll::load_mode::type>(
      boost::dll::load_mode::rtld_now | boost::dll::load_mode::rtld_local | RTLD_NODELETE);
  (void)dlerror();
  plugin.library.load(file.load_path(), mode, error);
  if (error || !plugin.library.is_loaded()) {
    const char* why = dlerror();
    return fail(
        FailureCause::load_failed, EHR_STATUS_UNSUPPORTED,
        "the dynamic loader refused " + m.library.string() + ": " + (why != nullptr ? why : error.message()),
        "library/@file");
  }
  file.keep_open_until_exit();
  if (!plugin.library.has(EHR_PLUGIN_ENTRY_POINT))
    return fail(FailureCause::entry_point_missing, EHR_STATUS_UNSUPPORTED,
                "the library " + m.library.string() + " does not export " + EHR_PLUGIN_ENTRY_POINT +
                    ": it is not an EHR plugin, or was built without EHR_PLUGIN_EXPORT",
                "library/@file");
  std::uint32_t chosen = 0;
  if (auto failure = negotiate(m, plugin.library, plugin, chosen)) return failure;
  entry.info.negotiated_version = chosen;
  entry.info.plugin_version = detail::copy(plugin.api.plugin_version);
  if (auto failure = initialise(entry, plugin)) return failure;
  entry.loaded = std::move(plugin);
  return std::nullopt;
}

std::optional<Failure> PluginManager::Impl::negotiate(const Manifest& m, boost::dll::shared_library& library,
                                                      LoadedPlugin& out, std::uint32_t& chosen) {
  const AbiRange host = host_abi();
  auto& entry_point = library.get<ehr_status(ehr_negotiation*, ehr_error**)>(EHR_PLUGIN_ENTRY_POINT);
  auto negotiation = detail::make_struct<ehr_negotiation>(EHR_STRUCT_NEGOTIATION);
  negotiation.host_min_version = host.min;
  negotiation.host_max_version = host.max;
  detail::ErrorSlot error;
  ehr_status code = EHR_STATUS_INTERNAL;
  try {
    code = entry_point(&negotiation, error.out());
  } catch (...) {
    return fail(
        FailureCause::negotiation_failed, EHR_STATUS_INTERNAL,
        "plugin " + m.id + " let an exception escape " + EHR_PLUGIN_ENTRY_POINT + " (an ABI violation)");
  }
  const std::string offered = host.text();
  if (code != EHR_STATUS_OK) {
    Status refused = error.status(code);
    if (code == EHR_STATUS_VERSION_MISMATCH) {
      // The host offers every minor of its major from its floor up: a plugin of the same major
      // that refuses must need a newer minor.
      const bool same_major = EHR_VERSION_MAJOR(m.abi_min) == EHR_VERSION_MAJOR(host.max);
      return fail(same_major ? FailureCause::abi_minor_too_new : FailureCause::abi_major_mismatch,
                  EHR_STATUS_VERSION_MISMATCH,
                  "plugin " + m.id + " refused ABI " + offered + ": " + refused.message() +
                      (same_major ? " (update the host)" : ""),
                  "abi");
    }
    return fail(
        FailureCause::negotiation_failed, code,
        "plugin " + m.id + " refused to negotiate (" + refused.code_name() + "): " + refused.message());
  }
  chosen = negotiation.chosen_version;
  if (auto failure = abi_fit(host, AbiRange{chosen, chosen},
                             "plugin " + m.id + " chose ABI " + format_abi_version(chosen), AbiFields{}))
    return failure;
  if (!detail::read_struct(negotiation.plugin_api, EHR_STRUCT_PLUGIN_API,
                           EHR_SIZE_THROUGH(ehr_plugin_api, on_shutdown), out.api) ||
      out.api.on_init == nullptr || out.api.on_shutdown == nullptr)
    return fail(FailureCause::negotiation_failed, EHR_STATUS_INVALID_ARGUMENT,
                "plugin " + m.id +
                    " answered negotiation without a usable ehr_plugin_api (on_init and on_shutdown "
                    "are required)");
  const std::string reported_id = detail::copy(out.api.plugin_id);
  if (reported_id != m.id)
    return fail(FailureCause::plugin_id_mismatch, EHR_STATUS_CONFLICT,
                "the library " + m.library.string() + " says it is plugin \"" + reported_id + "\" but " +
                    m.path.filename().string() + " declares \"" + m.id + "\"",
                "plugin/@id");
  return std::nullopt;
}

std::optional<Failure> PluginManager::Impl::initialise(Entry& entry, LoadedPlugin& plugin) {
  const Manifest& m = *entry.info.manifest;
  if (Status made = make_private_directory(entry.info.data_directory); !made)
    return fail(FailureCause::init_failed, EHR_STATUS_STORAGE, made.message() + " for plugin " + m.id);
  auto config = detail::read_plugin_config(detail::plugin_config_path(options.host_data_directory, m.id));
  if (!config)
    return fail(FailureCause::config_invalid, config.status().code(),
                "plugin " + m.id + ": " + config.status().message(), "config");
  std::vector<ehr_config_entry> config_entries;
  for (const detail::PluginConfigEntry& entry : *config) {
    auto c_entry = detail::make_struct<ehr_config_entry>(EHR_STRUCT_CONFIG_ENTRY);
    c_entry.key = detail::view(entry.key);
    c_entry.value = detail::view(entry.value);
    config_entries.push_back(c_entry);
  }
  plugin.instance = std::make_shared<detail::PluginInstance>(m.id);
  detail::Registrar registrar(plugin.instance, m, registry);

  const std::string data_directory = entry.info.data_directory.string();
  const std::string schema = m.settings_schema ? m.settings_schema->string() : std::string();
  const std::string manifest_directory = m.path.parent_path().string();
  auto params = detail::make_struct<ehr_init_params>(EHR_STRUCT_INIT_PARAMS);
  params.host = table.table();
  params.data_directory = detail::view(data_directory);
  params.settings_schema_path = detail::view(schema);
  params.manifest_directory = detail::view(manifest_directory);
  params.config = config_entries.empty() ? nullptr : config_entries.data();
  params.config_count = config_entries.size();

  detail::ErrorSlot init_error;
  ehr_status code = EHR_STATUS_INTERNAL;
  try {
    code = plugin.api.on_init(&params, registrar.table(), &plugin.handle, init_error.out());
  } catch (const std::exception& thrown) {
    registrar.close();
    return fail(
        FailureCause::init_threw, EHR_STATUS_INTERNAL,
        "plugin " + m.id + " let a C++ exception escape on_init (an ABI violation): " + thrown.what());
  } catch (...) {
    registrar.close();
    return fail(FailureCause::init_threw, EHR_STATUS_INTERNAL,
                "plugin " + m.id + " let an exception escape on_init (an ABI violation)");
  }
  registrar.close();
  if (code != EHR_STATUS_OK) {
    Status refused = init_error.status(code);
    return Failure{FailureCause::init_failed, Status(code,
                                                     "plugin " + m.id + " failed to initialise (" +
                                                         refused.code_name() + "): " + refused.message(),
                                                     refused.field(), refused.deny_reason())};
  }
  plugin.registrations = registrar.registrations();
  if (Status published = detail::RegistryAccess::add(registry, plugin.registrations); !published) {
    try {
      plugin.api.on_shutdown(plugin.handle);
    } catch (...) {
    }
    return Failure{FailureCause::init_failed, published};
  }
  return std::nullopt;
}

Status PluginManager::Impl::switch_plugin(LoadedPlugin& plugin, bool enabled) {
  auto call = enabled ? plugin.api.on_enable : plugin.api.on_disable;
  if (call == nullptr) return Status();
  detail::ErrorSlot error;
  ehr_status code = EHR_STATUS_INTERNAL;
  try {
    code = call(plugin.handle, error.out());
  } catch (...) {
    code = EHR_STATUS_INTERNAL;
  }
  return error.status(code);
}

Status PluginManager::Impl::set_enabled(Entry& entry, bool enabled) {
  LoadedPlugin& plugin = *entry.loaded;
  std::unique_lock lock(plugin.instance->lock);
  if (!plugin.instance->alive) return Status::disabled("plugin " + entry.info.id + " has been shut down");
  if (plugin.instance->enabled == enabled) return Status();
  const Status outcome = switch_plugin(plugin, enabled);
  if (enabled) {
    if (!outcome) return outcome;
    plugin.instance->enabled = true;
    transition(entry, PluginState::enabled);
  } else {
    // The SDK stops channel calls whatever the plugin answers: the admin's "off" always holds.
    plugin.instance->enabled = false;
    transition(entry, PluginState::disabled);
    if (!outcome)
      log(LogLevel::warning, "plugin " + entry.info.id + " on_disable reported: " + outcome.message());
  }
  return Status();
}

void PluginManager::Impl::shut_down(Entry& entry) {
  if (!entry.loaded) return;
  LoadedPlugin& plugin = *entry.loaded;
  detail::RegistryAccess::remove(registry, entry.info.id);
  std::unique_lock lock(plugin.instance->lock);
  if (!plugin.instance->alive) return;
  try {
    plugin.api.on_shutdown(plugin.handle);
  } catch (...) {
    log(LogLevel::error,
        "plugin " + entry.info.id + " let an exception escape on_shutdown (an ABI violation)");
  }
  plugin.instance->alive = false;
  plugin.instance->enabled = false;
  transition(entry, PluginState::shut_down);
}

PluginManager::PluginManager(PluginManagerOptions options, HostServices& services)
    : impl_(std::make_unique<Impl>(std::move(options), services)) {}

PluginManager::~PluginManager() {
  shutdown();
}

std::vector<PluginInfo> PluginManager::list() const {
  std::lock_guard lock(impl_->mutex);
  std::vector<PluginInfo> out;
  for (const auto& entry : impl_->entries) out.push_back(entry->info);
  std::stable_sort(out.begin(), out.end(),
                   [](const PluginInfo& a, const PluginInfo& b) { return a.id < b.id; });
  return out;
}

Result<PluginInfo> PluginManager::info(std::string_view plugin_id) const {
  std::lock_guard lock(impl_->mutex);
  if (const Entry* entry = impl_->find(plugin_id)) return entry->info;
  return impl_->unknown_plugin(plugin_id);
}

Result<Verification> PluginManager::verify(std::string_view plugin_id) const {
  std::lock_guard lock(impl_->mutex);
  const Entry* entry = impl_->find(plugin_id);
  if (entry == nullptr) return impl_->unknown_plugin(plugin_id);
  Verification out;
  out.plugin_id = entry->info.id;
  out.manifest_path = entry->info.manifest_path;
  if (out.manifest_path.empty()) {
    out.status = entry->info.failure;
    return out;
  }
  const ManifestResult manifest = load_manifest(out.manifest_path);
  if (!manifest) {
    out.status = manifest.status();
    return out;
  }
  return verify_library(manifest.manifest(), impl_->options).verification;
}

Status PluginManager::enable(std::string_view plugin_id) {
  std::lock_guard lock(impl_->mutex);
  LifecycleGuard guard("enable");
  if (!guard) return guard.refusal();
  auto found = impl_->known_entry(plugin_id);
  if (!found) return found.status();
  Entry* entry = *found;
  if (entry->info.state == PluginState::shut_down)
    return Status::disabled("plugin " + entry->info.id + " has been shut down");
  if (!entry->info.manifest || entry->info.failure_cause == FailureCause::duplicate_id)
    return entry->info.failure;  // nothing to remember: this entry is not a plugin of its own
  if (Status saved = impl_->preferences->set(entry->info.id, true); !saved) return saved;
  entry->info.enabled_preference = true;
  if (!entry->loaded)
    return Status(entry->info.failure.code(),
                  "plugin " + entry->info.id +
                      " will be enabled once it loads; now it cannot: " + entry->info.failure.message(),
                  entry->info.failure.field());
  Status enabled = impl_->set_enabled(*entry, true);
  if (!enabled) impl_->transition(*entry, entry->info.state, Failure{FailureCause::enable_failed, enabled});
  return enabled;
}

Status PluginManager::disable(std::string_view plugin_id) {
  std::lock_guard lock(impl_->mutex);
  LifecycleGuard guard("disable");
  if (!guard) return guard.refusal();
  auto found = impl_->known_entry(plugin_id);
  if (!found) return found.status();
  Entry* entry = *found;
  if (entry->info.failure_cause == FailureCause::duplicate_id) return entry->info.failure;
  if (Status saved = impl_->preferences->set(entry->info.id, false); !saved) return saved;
  entry->info.enabled_preference = false;
  if (!entry->loaded || entry->info.state == PluginState::shut_down) return Status();
  return impl_->set_enabled(*entry, false);
}

void PluginManager::shutdown() {
  std::lock_guard lock(impl_->mutex);
  LifecycleGuard guard("shutdown");
  if (!guard) {
    impl_->log(LogLevel::error, guard.refusal().message() + "; ignored");
    return;
  }
  for (auto it = impl_->entries.rbegin(); it != impl_->entries.rend(); ++it) impl_->shut_down(**it);
}

const Registry& PluginManager::registry() const {
  return impl_->registry;
}
const PluginManagerOptions& PluginManager::options() const {
  return impl_->options;
}

}  // namespace ehr::host

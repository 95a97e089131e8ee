#include "environment.hpp"

#include <stdexcept>

namespace ehr::bench {

namespace fs = std::filesystem;

namespace {

Environment* current = nullptr;
constexpr const char* kPluginId = "portal-messaging";

[[noreturn]] void fail(const std::string& what, const host::Status& status) {
  throw std::runtime_error(what + ": " + status.to_string());
}

}  // namespace

host::PluginManagerOptions manager_options(const fs::path& plugins_directory,
                                           const fs::path& host_data_directory) {
  host::PluginManagerOptions options;
  options.plugins_directory = plugins_directory;
  options.host_data_directory = host_data_directory;
  return options;
}

Environment& environment() {
  if (current == nullptr) throw std::logic_error("the bench environment is not set up");
  return *current;
}

void set_environment(Environment* environment) {
  current = environment;
}

LoadedPlugin::LoadedPlugin(const Practice& practice, const fs::path& plugins_directory,
                           const fs::path& host_data_directory)
    : host_(practice), manager_(manager_options(plugins_directory, host_data_directory), host_) {
  if (host::Status status = manager_.discover(); !status) fail("plugin discovery failed", status);
  auto info = manager_.info(kPluginId);
  if (!info) fail("the portal-messaging plugin was not found", info.status());
  if (info->state != host::PluginState::enabled)
    fail("the portal-messaging plugin did not load", info->failure);
  if (info->data_directory != Environment::plugin_database(host_data_directory).parent_path()) {
    throw std::runtime_error("the plugin's data directory is " + info->data_directory.string() +
                             ", not where the bench put the dataset");
  }
  auto channels = manager_.registry().channels();
  if (channels.empty()) throw std::runtime_error("the plugin registered no messaging channel");
  channel_ = std::make_unique<host::MessagingChannel>(channels.front());
  auto hooks = manager_.registry().hooks(kPluginId);
  if (!hooks) fail("the plugin registered no hooks", hooks.status());
  auto before = hooks->add(host::HookPoint::before_store, [](const host::HookEvent& event) {
    return event.body.empty() ? host::Status::invalid_argument("body", "empty") : host::Status::ok();
  });
  if (!before) fail("cannot add a before_store hook", before.status());
  hooks_.push_back(std::move(*before));
  auto after =
      hooks->add(host::HookPoint::after_store, [](const host::HookEvent&) { return host::Status::ok(); });
  if (!after) fail("cannot add an after_store hook", after.status());
  hooks_.push_back(std::move(*after));
}

LoadedPlugin::~LoadedPlugin() {
  hooks_.clear();
  manager_.shutdown();
}

Environment::Environment(Options options)
    : options_(std::move(options)),
      practice_(options_.quick ? quick_scale() : full_scale()),
      dataset_(ensure_dataset(practice_, EHR_BENCH_CACHE_DIR, schema_file())) {
  fs::remove_all(options_.work_directory);
  fs::create_directories(options_.work_directory);
}

Environment::~Environment() {
  plugin_.reset();
}

fs::path Environment::plugins_directory() {
  return EHR_BENCH_PLUGINS_DIR;
}
fs::path Environment::library() {
  return plugins_directory() / "portal_messaging.so";
}
fs::path Environment::schema_file() {
  return plugins_directory() / "portal-settings.xml";
}
fs::path Environment::plugin_database(const fs::path& host_data_directory) {
  return host_data_directory / "plugins" / kPluginId / "portal.db";
}

void Environment::install_dataset(const fs::path& host_data_directory) const {
  const fs::path target = plugin_database(host_data_directory);
  fs::create_directories(target.parent_path());
  for (const char* suffix : {"", "-wal", "-shm"}) fs::remove(fs::path(target).concat(suffix));
  fs::copy_file(dataset_.file, target);
}

fs::path Environment::working_database() const {
  return plugin_database(options_.work_directory / "host-data");
}

LoadedPlugin& Environment::plugin() {
  if (!plugin_) {
    const fs::path host_data = options_.work_directory / "host-data";
    install_dataset(host_data);
    plugin_ = std::make_unique<LoadedPlugin>(practice_, plugins_directory(), host_data);
  }
  return *plugin_;
}

}  // namespace ehr::bench

#include "pg_environment.hpp"

#include <fstream>
#include <iostream>
#include <stdexcept>

namespace ehr::bench {

namespace fs = std::filesystem;

namespace {

PgEnvironment* current_pg = nullptr;

}  // namespace

void write_pg_plugin_config(const fs::path& host_data_directory, const std::string& conninfo) {
  const fs::path file = host_data_directory / "plugins" / "portal-messaging.conf";
  fs::create_directories(file.parent_path());
  {
    std::ofstream out(file, std::ios::trunc);
    out << "storage = postgresql\n"
        << "storage.postgresql.conninfo = " << conninfo << "\n"
        << "storage.postgresql.pool_size = " << kPgPoolSize << "\n";
    if (!out) throw std::runtime_error("cannot write " + file.string());
  }
  fs::permissions(file, fs::perms::owner_read | fs::perms::owner_write);
}

PgEnvironment& pg_environment() {
  if (current_pg == nullptr) throw std::logic_error("the bench has no PostgreSQL server (--postgresql)");
  return *current_pg;
}

void set_pg_environment(PgEnvironment* environment) {
  current_pg = environment;
}

PgEnvironment::PgEnvironment(const Environment& environment, std::string admin_conninfo)
    : environment_(environment),
      admin_conninfo_(std::move(admin_conninfo)),
      dataset_(ensure_pg_dataset(
          admin_conninfo_, environment.dataset(), environment.practice().scale().name,
          [&environment](const std::string& conninfo) {
            // The generated chain has no key; the plugin keys it at its
            // first start with the host's audit key.
            const fs::path host_data = environment.options().work_directory / "pg-first-start";
            write_pg_plugin_config(host_data, conninfo);
            LoadedPlugin first(environment.practice(), Environment::plugins_directory(), host_data);
          })),
      work_conninfo_(copy_pg_dataset(admin_conninfo_, dataset_, "portal_bench_work")) {}

PgEnvironment::~PgEnvironment() {
  plugin_.reset();
}

LoadedPlugin& PgEnvironment::plugin() {
  if (!plugin_) {
    const fs::path host_data = environment_.options().work_directory / "pg-host-data";
    write_pg_plugin_config(host_data, work_conninfo_);
    plugin_ =
        std::make_unique<LoadedPlugin>(environment_.practice(), Environment::plugins_directory(), host_data);
  }
  return *plugin_;
}

}  // namespace ehr::bench

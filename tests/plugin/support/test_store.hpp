// A migrated Store for the feature tests, on both backends, so one test compiled once proves both
// (issue 12: parameterized fixtures, not copies). The instances named .../postgresql take a
// database of their own on the throw-away server of the ctest fixture `postgresql`, which only
// they wait for (ehr_discover_on_both_backends, tests/CMakeLists.txt).
#pragma once

#include <gtest/gtest.h>
#include <sqlite3.h>

#include <memory>
#include <optional>
#include <ostream>
#include <string>
#include <vector>

#include "common/storage.hpp"
#include "portal_schema.hpp"
#include "storage/sqlite_store.hpp"
#include "storage/store.hpp"
#include "support/pg_test_database.hpp"
#include "support/temp_dir.hpp"

namespace ehr::portal::test {

enum class Backend { sqlite, postgresql };

// Names the backend in gtest's output, rather than its bytes.
inline void PrintTo(Backend backend, std::ostream* out) {
  *out << (backend == Backend::sqlite ? "sqlite" : "postgresql");
}

inline std::vector<Backend> backends() {
  return {Backend::sqlite, Backend::postgresql};
}

inline std::string backend_name(const ::testing::TestParamInfo<Backend>& info) {
  return info.param == Backend::sqlite ? "sqlite" : "postgresql";
}

// OWNERSHIP: owns the store and its data (the file, or the database), removed at the end.
class TestStore {
 public:
  explicit TestStore(Backend backend) : backend_(backend) { reopen(); }

  // A new Store on the same data, as a host restarting sees it.
  Store& reopen() {
    store_.reset();
    if (backend_ == Backend::postgresql) {
      if (!database_) database_.emplace();
      store_ = std::make_unique<pg::PgStore>(database_->options());
      store_->migrate(pg::test::all_steps());
      return *store_;
    }
    store_ = std::make_unique<SqliteStore>(dir_ / "portal.db");
    store_->migrate(portal_sqlite_steps());
    return *store_;
  }

  // SQLite's database file.
  [[nodiscard]] std::filesystem::path file() const { return dir_ / "portal.db"; }

  // Closes the store (reopen() opens it again): no connection left, as before a fork.
  void close() { store_.reset(); }

  // Another Store on the same data, as another host (PostgreSQL) or another process (SQLite)
  // has it. Already migrated.
  [[nodiscard]] std::unique_ptr<Store> another() const {
    if (backend_ == Backend::postgresql) return std::make_unique<pg::PgStore>(database_->options());
    return std::make_unique<SqliteStore>(file());
  }

  // Runs `script` on a connection of its own, outside the plugin's stores: what someone with
  // access to the database itself could do behind the plugin's back.
  void run_outside(const std::string& script) const {
    if (backend_ == Backend::postgresql) {
      pg::Connection(database_->connection()).run_command(script);
      return;
    }
    sqlite3* raw = nullptr;
    ASSERT_EQ(sqlite3_open((dir_ / "portal.db").c_str(), &raw), SQLITE_OK);
    char* message = nullptr;
    EXPECT_EQ(sqlite3_exec(raw, script.c_str(), nullptr, nullptr, &message), SQLITE_OK) << message;
    sqlite3_free(message);
    sqlite3_close(raw);
  }

  Store& operator*() const noexcept { return *store_; }
  Store* operator->() const noexcept { return store_.get(); }
  [[nodiscard]] Backend backend() const noexcept { return backend_; }

 private:
  Backend backend_;
  TempDir dir_;
  std::optional<pg::test::ScratchDatabase> database_;
  std::unique_ptr<Store> store_;
};

}  // namespace ehr::portal::test

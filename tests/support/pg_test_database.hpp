// For the PostgreSQL tests: the throw-away server the ctest fixture `postgresql` runs in
// EHR_TEST_PG_DIR, and a database of each test's own, created empty and dropped after it.
#pragma once

#include <gtest/gtest.h>

#include <cctype>
#include <cstdlib>
#include <functional>
#include <span>
#include <string>

#include <vector>

#include "common/storage.hpp"
#include "portal_schema.hpp"
#include "storage/migrations.hpp"
#include "storage/postgresql/pg_connection.hpp"
#include "storage/postgresql/pg_store.hpp"

namespace ehr::portal::pg::test {

// Every feature's PostgreSQL steps, in the order of their global versions: what Portal migrates.
inline std::vector<Migration> all_steps() {
  const std::span<const Migration> steps = portal_postgresql_steps();
  return {steps.begin(), steps.end()};
}

inline std::string conninfo(const std::string& database) {
  return std::string("host=") + EHR_TEST_PG_DIR + " port=5432 user=ehr dbname=" + database;
}

// scripts/pg-cluster COMMAND on the test server ("restart").
inline void cluster(const std::string& command) {
  const std::string line = std::string(EHR_PG_CLUSTER_SCRIPT) + " " + command + " " + EHR_TEST_PG_DIR;
  ASSERT_EQ(std::system(line.c_str()), 0) << line;
}

// A database named after the running test. Tests on the server run one at a time (ctest's
// RESOURCE_LOCK), and a database left by a crashed run is dropped first.
class ScratchDatabase {
 public:
  ScratchDatabase() : name_(name_for_current_test()) {
    Connection admin(admin_options());
    admin.run_command("DROP DATABASE IF EXISTS " + name_ + " WITH (FORCE)");
    admin.run_command("CREATE DATABASE " + name_);
  }
  ~ScratchDatabase() {
    try {
      Connection admin(admin_options());
      admin.run_command("DROP DATABASE IF EXISTS " + name_ + " WITH (FORCE)");
    } catch (const Error&) {
      // The next run's constructor drops it.
    }
  }
  ScratchDatabase(const ScratchDatabase&) = delete;
  ScratchDatabase& operator=(const ScratchDatabase&) = delete;

  [[nodiscard]] const std::string& name() const noexcept { return name_; }
  [[nodiscard]] std::string conninfo() const { return test::conninfo(name_); }
  [[nodiscard]] PgStoreOptions options(std::size_t pool_size = 2) const {
    PgStoreOptions options;
    options.conninfo = conninfo();
    options.pool_size = pool_size;
    return options;
  }
  // A connection of its own to the database, outside any store: to set up and to look.
  [[nodiscard]] ConnectionOptions connection() const {
    ConnectionOptions options;
    options.conninfo = conninfo();
    return options;
  }

 private:
  static ConnectionOptions admin_options() {
    ConnectionOptions options;
    options.conninfo = test::conninfo("postgres");
    return options;
  }
  // Lower-case letters, digits and _ only (it is spliced into DDL, which takes no parameters),
  // shorter than PostgreSQL's 63-byte names, unique by a hash of the full test name.
  static std::string name_for_current_test() {
    const auto* info = ::testing::UnitTest::GetInstance()->current_test_info();
    const std::string full = std::string(info->test_suite_name()) + "." + info->name();
    std::string name = "t_";
    for (char c : std::string(info->name()).substr(0, 40))
      name += std::isalnum(static_cast<unsigned char>(c)) != 0 ? static_cast<char>(std::tolower(c)) : '_';
    const std::size_t hash = std::hash<std::string>{}(full);
    static constexpr char kHex[] = "0123456789abcdef";
    name += '_';
    for (int i = 0; i < 8; ++i) name += kHex[(hash >> (4 * i)) & 0xF];
    return name;
  }

  std::string name_;
};

}  // namespace ehr::portal::pg::test

// The bench dataset on PostgreSQL. The rows are the cached SQLite dataset's (bench/dataset.cpp:
// written once through the plugin's own code), copied row for row into a database migrated with
// the plugin's PostgreSQL steps, with COPY (a stream of rows, no SQL built from values): the same
// threads, messages, sealed bodies, settings and keyed audit chain. The loaded database is kept
// on the server as a template named after the generator version and the scale, and each run
// works on a copy of it (CREATE DATABASE ... TEMPLATE), so the template is never written.
#pragma once

#include <filesystem>
#include <functional>
#include <string>

#include "dataset.hpp"

namespace ehr::bench {

// `conninfo` with its database replaced by `database` (a key/value string or URI alike).
std::string with_database(const std::string& conninfo, const std::string& database);

struct PgDataset {
  std::string template_database;  // e.g. portal_dataset_v3_full
  bool reused = false;            // found on the server
  double load_seconds = 0;        // when loaded in this run
  std::string server_version;     // e.g. "15.10"
};

// Makes sure the server `admin_conninfo` reaches (a role that may create databases) holds the
// template for `scale_name` loaded from `sqlite_dataset`, dropping templates of other generator
// versions; throws std::runtime_error naming what failed. `first_start` runs on the loaded
// database before it becomes the template: what a host's first start on it does once (keying the
// generated audit chain) is then not repeated by every run.
PgDataset ensure_pg_dataset(const std::string& admin_conninfo, const Dataset& sqlite_dataset,
                            const std::string& scale_name,
                            const std::function<void(const std::string& conninfo)>& first_start);

// (Re)creates `database` as a copy of the template; returns its connection string.
std::string copy_pg_dataset(const std::string& admin_conninfo, const PgDataset& dataset,
                            const std::string& database);

// (Re)creates `database` empty; returns its connection string.
std::string fresh_pg_database(const std::string& admin_conninfo, const std::string& database);

}  // namespace ehr::bench

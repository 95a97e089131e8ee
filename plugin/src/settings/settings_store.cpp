#include "settings/settings_store.hpp"

#include "common/storage.hpp"
#include "storage/transaction.hpp"

namespace ehr::portal::settings_store {

std::map<std::string, std::string> values(Transaction& tx, std::string_view scope) {
  std::map<std::string, std::string> found;
  auto rows = tx.prepare("SELECT key, value FROM settings_value WHERE scope = ?1");
  rows.bind(1, scope);
  while (rows.step()) found.emplace(rows.text(0), rows.text(1));
  return found;
}

bool has_own(Transaction& tx, std::string_view scope) {
  auto row = tx.prepare("SELECT 1 FROM settings_scope WHERE scope = ?1");
  row.bind(1, scope);
  return row.step();
}

void mark_saved(Transaction& tx, std::string_view scope, std::string_view actor, int64_t at_unix_ms) {
  tx.prepare(
        "INSERT INTO settings_scope(scope, saved_at_unix_ms, saved_by) VALUES (?1, ?2, ?3) "
        "ON CONFLICT(scope) DO UPDATE SET saved_at_unix_ms = excluded.saved_at_unix_ms, saved_by = "
        "excluded.saved_by")
      .bind_all(scope, at_unix_ms, actor)
      .run();
}

void put(Transaction& tx, std::string_view scope, std::string_view key, std::string_view value) {
  tx.prepare(
        "INSERT INTO settings_value(scope, key, value) VALUES (?1, ?2, ?3) "
        "ON CONFLICT(scope, key) DO UPDATE SET value = excluded.value")
      .bind_all(scope, key, value)
      .run();
}

void drop(Transaction& tx, std::string_view scope) {
  tx.prepare("DELETE FROM settings_scope WHERE scope = ?1").bind_all(scope).run();
}

std::vector<std::string> own_locations(Transaction& tx) {
  std::vector<std::string> found;
  auto rows = tx.prepare("SELECT scope FROM settings_scope WHERE scope <> ''");
  while (rows.step()) found.push_back(rows.text(0));
  return found;
}

int64_t version(Transaction& tx) {
  auto row = tx.prepare("SELECT version FROM settings_version");
  return row.step() ? row.int64(0) : 0;
}

void check_version_later(Transaction& tx, int64_t expected) {
  Statement still =
      tx.prepare("SELECT portal_guess_held(EXISTS (SELECT 1 FROM settings_version WHERE version = ?1))");
  still.bind(1, expected).send();
  tx.check_later(std::move(still));
}

}  // namespace ehr::portal::settings_store

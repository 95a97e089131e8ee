// The features' PostgreSQL schema (versions 1-7) on a real PostgreSQL 15 server: it migrates once
// however many hosts start together, it holds the tables, columns and indexes SQLite's schema
// holds, and its triggers keep the rules SQLite's keep.
#include <gtest/gtest.h>
#include <sqlite3.h>

#include <latch>
#include <map>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "common/storage.hpp"
#include "portal_schema.hpp"
#include "storage/migrations.hpp"
#include "storage/postgresql/pg_store.hpp"
#include "support/pg_test_database.hpp"

namespace ehr::portal::pg {
namespace {

// As Portal assembles them: each feature's steps, in the order of their global versions.
using test::all_steps;

std::int64_t single_number(Store& store, std::string_view sql) {
  auto tx = store.begin(TransactionMode::read);
  auto query = tx->prepare(sql);
  EXPECT_TRUE(query->step()) << sql;
  return query->int64(0);
}

// Runs one statement in a write transaction of its own and commits; returns the server's refusal
// ("" when it ran).
std::string write(Store& store, std::string_view sql) {
  try {
    auto tx = store.begin(TransactionMode::write);
    auto statement = tx->prepare(sql);
    while (statement->step()) {
    }
    tx->commit();
    return "";
  } catch (const Error& error) {
    return error.what();
  }
}

class PgSchemaTest : public ::testing::Test {
 protected:
  test::ScratchDatabase database_;
};

TEST_F(PgSchemaTest, R_STORE_1_EveryFeatureMigratesOnAFreshDatabaseAndASecondMigrateIsANoOp) {
  PgStore store(database_.options());
  const std::vector<Migration> steps = all_steps();
  ASSERT_EQ(steps.size(), 7u);
  for (std::size_t i = 0; i < steps.size(); ++i) EXPECT_EQ(steps[i].version, static_cast<int>(i) + 1);
  EXPECT_EQ(store.migrate(steps), 7);
  EXPECT_EQ(store.migrate(steps), 7);
  EXPECT_EQ(single_number(store, "SELECT count(*) FROM schema_migrations"), 7);
  EXPECT_EQ(single_number(store, "SELECT count(*) FROM store_identity WHERE length(store_id) = 16"), 1);
  EXPECT_EQ(single_number(store, "SELECT version FROM settings_version"), 0);
}

// The guard of a write on a guess (step 6) lets a guess that held through, and refuses one that
// did not with its own SQLSTATE, which the backend throws as GuessWrong: never a real failure.
TEST_F(PgSchemaTest, R_STORE_1_TheGuardOfAGuessRefusesOneThatNoLongerHolds) {
  PgStore store(database_.options());
  ASSERT_EQ(store.migrate(all_steps()), 7);
  EXPECT_EQ(single_number(store, "SELECT CASE WHEN portal_guess_held(1 = 1) THEN 1 ELSE 0 END"), 1);
  for (const char* guess : {"1 = 2", "NULL"}) {
    SCOPED_TRACE(guess);
    auto tx = store.begin(TransactionMode::read);
    auto guarded = tx->prepare(std::string("SELECT portal_guess_held(") + guess + ")");
    EXPECT_THROW((void)guarded->step(), storage::GuessWrong);
  }
}

TEST_F(PgSchemaTest, R_STORE_1_TwoHostsMigratingAtOnceApplyEachStepOnce) {
  constexpr int kHosts = 3;
  const std::vector<Migration> steps = all_steps();
  std::vector<std::unique_ptr<PgStore>> hosts;
  for (int i = 0; i < kHosts; ++i) hosts.push_back(std::make_unique<PgStore>(database_.options()));
  std::latch start(kHosts);
  std::vector<int> reached(kHosts, -1);
  std::vector<std::string> errors(kHosts);
  std::vector<std::thread> threads;
  for (int i = 0; i < kHosts; ++i) {
    threads.emplace_back([&, i] {
      start.arrive_and_wait();
      try {
        reached[i] = hosts[i]->migrate(steps);
      } catch (const Error& error) {
        errors[i] = error.what();
      }
    });
  }
  for (std::thread& thread : threads) thread.join();
  for (int i = 0; i < kHosts; ++i) {
    EXPECT_EQ(errors[i], "") << "host " << i;
    EXPECT_EQ(reached[i], 7) << "host " << i;
  }
  EXPECT_EQ(single_number(*hosts[0], "SELECT count(*) FROM schema_migrations"), 7);
  EXPECT_EQ(single_number(*hosts[0], "SELECT count(*) FROM store_identity"), 1) << "step 3 ran once";
  EXPECT_EQ(single_number(*hosts[0], "SELECT count(*) FROM settings_version"), 1) << "step 2 ran once";
}

// Same tables, same column names and nullability, integers as BIGINT, the sealed columns as BYTEA,
// every index and trigger name SQLite's schema has (after all its steps): the features' SQL reads
// and writes both alike. The inbox totals are left out of the comparison: each backend keeps its
// own (PostgreSQL step 5 the thread totals; SQLite step 10 those and the unread sums, with one
// trigger per event where PostgreSQL has one function for several).
TEST_F(PgSchemaTest, R_STORE_1_TheSchemaHoldsWhatSqlitesHolds) {
  sqlite3* sqlite = nullptr;
  ASSERT_EQ(sqlite3_open(":memory:", &sqlite), SQLITE_OK);
  for (const Migration& step : portal_sqlite_steps()) {
    char* message = nullptr;
    ASSERT_EQ(sqlite3_exec(sqlite, std::string(step.sql).c_str(), nullptr, nullptr, &message), SQLITE_OK)
        << step.name << ": " << (message ? message : "");
  }
  auto sqlite_rows = [&](const char* sql) {
    std::set<std::string> rows;
    sqlite3_stmt* statement = nullptr;
    EXPECT_EQ(sqlite3_prepare_v2(sqlite, sql, -1, &statement, nullptr), SQLITE_OK) << sql;
    while (sqlite3_step(statement) == SQLITE_ROW)
      rows.insert(reinterpret_cast<const char*>(sqlite3_column_text(statement, 0)));
    sqlite3_finalize(statement);
    return rows;
  };
  // "table.column type null|not null"; a key's columns are never NULL (PostgreSQL says so, SQLite
  // implies it for a rowid and a WITHOUT ROWID table's key).
  const std::set<std::string> sqlite_columns = sqlite_rows(
      "SELECT m.name || '.' || c.name || ' ' || lower(c.type) || ' ' || "
      "CASE WHEN c.\"notnull\" OR c.pk > 0 THEN 'not null' ELSE 'null' END "
      "FROM sqlite_master m, pragma_table_info(m.name) c WHERE m.type = 'table' AND m.name <> "
      "'inbox_totals'");
  const std::set<std::string> sqlite_indexes = sqlite_rows(
      "SELECT name FROM sqlite_master WHERE type = 'index' AND name NOT LIKE 'sqlite_autoindex%'");
  const std::set<std::string> sqlite_triggers =
      sqlite_rows("SELECT name FROM sqlite_master WHERE type = 'trigger' AND name NOT LIKE 'inbox_totals_%'");
  sqlite3_close(sqlite);

  PgStore store(database_.options());
  ASSERT_EQ(store.migrate(all_steps()), 7);
  auto pg_rows = [&](std::string_view sql) {
    std::set<std::string> rows;
    auto tx = store.begin(TransactionMode::read);
    auto query = tx->prepare(sql);
    while (query->step()) rows.insert(query->text(0));
    return rows;
  };
  // SQLite's types as the PostgreSQL schema spells them.
  const std::map<std::string, std::string> sealed = {
      {"message_threads.subject", "bytea"}, {"messages.body", "bytea"}, {"webhook_outbox.payload", "bytea"}};
  std::set<std::string> expected;
  for (const std::string& column : sqlite_columns) {
    const std::string name = column.substr(0, column.find(' '));
    std::string rest = column.substr(column.find(' ') + 1);
    const std::string type = rest.substr(0, rest.find(' '));
    const std::string null = rest.substr(rest.find(' ') + 1);
    std::string pg_type = type == "integer" ? "bigint" : type;
    if (auto found = sealed.find(name); found != sealed.end()) pg_type = found->second;
    expected.insert(name + " " + pg_type + " " + null);
  }
  EXPECT_EQ(pg_rows("SELECT table_name || '.' || column_name || ' ' || data_type || ' ' || "
                    "CASE is_nullable WHEN 'NO' THEN 'not null' ELSE 'null' END "
                    "FROM information_schema.columns WHERE table_schema = 'public' "
                    "AND table_name NOT IN ('schema_migrations', 'inbox_totals')"),
            expected);
  const std::set<std::string> pg_indexes =
      pg_rows("SELECT indexname FROM pg_indexes WHERE schemaname = 'public'");
  for (const std::string& index : sqlite_indexes) EXPECT_TRUE(pg_indexes.contains(index)) << index;
  const std::set<std::string> pg_triggers = pg_rows("SELECT tgname FROM pg_trigger WHERE NOT tgisinternal");
  for (const std::string& trigger : sqlite_triggers) EXPECT_TRUE(pg_triggers.contains(trigger)) << trigger;
}

constexpr std::string_view kInsertAudit =
    "INSERT INTO audit_log (sequence, at_unix_ms, actor_kind, actor_id, action, outcome, previous_hash, "
    "hash) "
    "VALUES (1, 1700000000000, 1, 'u1', 'message.send', 'ok', 'genesis', 'h1')";

TEST_F(PgSchemaTest, R_AUD_1_TheAuditLogRefusesUpdateDeleteAndTruncate) {
  PgStore store(database_.options());
  ASSERT_EQ(store.migrate(all_steps()), 7);
  ASSERT_EQ(write(store, kInsertAudit), "");
  EXPECT_NE(write(store, "UPDATE audit_log SET outcome = 'denied'")
                .find("the audit log is append-only: a record cannot be changed"),
            std::string::npos);
  EXPECT_NE(
      write(store, "DELETE FROM audit_log").find("the audit log is append-only: a record cannot be deleted"),
      std::string::npos);
  EXPECT_NE(write(store, "TRUNCATE audit_log").find("the audit log is append-only: it cannot be truncated"),
            std::string::npos);
  EXPECT_EQ(single_number(store, "SELECT count(*) FROM audit_log WHERE outcome = 'ok'"), 1);

  // Re-chaining an unkeyed log (AuditLog::start): the update trigger is off for one transaction.
  {
    auto tx = store.begin(TransactionMode::write);
    tx->execute_script("ALTER TABLE audit_log DISABLE TRIGGER audit_log_refuse_update");
    auto rechain = tx->prepare("UPDATE audit_log SET hash = ?1, key_id = ?2 WHERE sequence = 1");
    rechain->bind_text(1, "keyed");
    rechain->bind_int64(2, 7);
    EXPECT_FALSE(rechain->step());
    tx->execute_script("ALTER TABLE audit_log ENABLE TRIGGER audit_log_refuse_update");
    tx->commit();
  }
  EXPECT_EQ(single_number(store, "SELECT key_id FROM audit_log"), 7);
  EXPECT_NE(write(store, "UPDATE audit_log SET hash = 'forged'").find("a record cannot be changed"),
            std::string::npos);
}

TEST_F(PgSchemaTest, R_SEC_2_AMessageChangesOnlyByABodyResealedUnderANewKey) {
  PgStore store(database_.options());
  ASSERT_EQ(store.migrate(all_steps()), 7);
  {
    auto tx = store.begin(TransactionMode::write);
    auto thread = tx->prepare(
        "INSERT INTO message_threads (id, patient_id, subject, started_by_kind, started_by_id, created_at, "
        "last_sender_kind, last_sender_id, last_message_at) VALUES (1, 'p1', ?1, 1, 'u1', 5, 1, 'u1', 5)");
    thread->bind_text(1, "clear subject");
    EXPECT_FALSE(thread->step());
    auto message = tx->prepare(
        "INSERT INTO messages (id, thread_id, sender_kind, sender_id, body, sent_at) VALUES (1, 1, 1, 'u1', "
        "?1, 5)");
    message->bind_blob(1, std::string_view("sealed\0body", 11));
    EXPECT_FALSE(message->step());
    tx->commit();
  }
  const std::string refused = "messages are never changed";
  EXPECT_NE(write(store, "UPDATE messages SET body = '\\x00ff'").find(refused), std::string::npos)
      << "a new body under the same key";
  EXPECT_NE(write(store, "UPDATE messages SET sender_id = 'u2'").find(refused), std::string::npos);
  EXPECT_NE(write(store, "UPDATE messages SET sent_at = 6, body_key = 2").find(refused), std::string::npos);
  EXPECT_NE(write(store, "DELETE FROM messages").find("messages are never deleted"), std::string::npos);
  EXPECT_NE(write(store, "TRUNCATE messages CASCADE").find("messages are never deleted"), std::string::npos);
  EXPECT_EQ(write(store, "UPDATE messages SET body = '\\x0102', body_key = 2"), "") << "a re-seal";
  EXPECT_EQ(single_number(store, "SELECT body_key FROM messages WHERE body = '\\x0102'"), 2);
}

TEST_F(PgSchemaTest, R_STORE_1_EverySettingsChangeBumpsTheVersion) {
  PgStore store(database_.options());
  ASSERT_EQ(store.migrate(all_steps()), 7);
  auto version = [&] { return single_number(store, "SELECT version FROM settings_version"); };
  ASSERT_EQ(
      write(store, "INSERT INTO settings_scope (scope, saved_at_unix_ms, saved_by) VALUES ('', 1, 'u1')"),
      "");
  EXPECT_EQ(version(), 1);
  ASSERT_EQ(write(store, "INSERT INTO settings_value (scope, key, value) VALUES ('', 'audience', 'x')"), "");
  EXPECT_EQ(version(), 2);
  ASSERT_EQ(write(store, "UPDATE settings_value SET value = 'y'"), "");
  EXPECT_EQ(version(), 3);
  ASSERT_EQ(write(store,
                  "INSERT INTO settings_scope (scope, saved_at_unix_ms, saved_by) VALUES ('', 2, 'u2') "
                  "ON CONFLICT (scope) DO UPDATE SET saved_at_unix_ms = excluded.saved_at_unix_ms"),
            "");
  EXPECT_EQ(version(), 4);
  ASSERT_EQ(write(store, "DELETE FROM settings_scope"), "");
  EXPECT_EQ(version(), 6) << "the scope and, by cascade, its value";
  EXPECT_EQ(single_number(store, "SELECT count(*) FROM settings_value"), 0);
  ASSERT_EQ(write(store, "TRUNCATE settings_value"), "");
  EXPECT_EQ(version(), 7);
}

// The inbox totals (step 5) start from the participants already there and follow every change of
// them, whichever statement makes it: new rows, a row archived and back, a row moved to another
// reader, rows deleted, the table truncated.
TEST_F(PgSchemaTest, R_CONV_2_InboxTotalsAreTheParticipantsCountedWhateverChangesThem) {
  PgStore store(database_.options());
  const std::vector<Migration> steps = all_steps();
  ASSERT_EQ(store.migrate(std::span(steps).first(4)), 4);
  const auto thread = [&](int id) {
    return write(store,
                 "INSERT INTO message_threads (id, patient_id, subject, started_by_kind, started_by_id, "
                 "created_at, last_sender_kind, last_sender_id, last_message_at) VALUES (" +
                     std::to_string(id) + ", 'p1', '\\x00', 1, 'u1', 5, 1, 'u1', 5)");
  };
  const auto join = [&](int id, const char* who) {
    return write(store,
                 "INSERT INTO thread_participants (thread_id, principal_kind, principal_id, patient_id, "
                 "last_message_at) VALUES (" +
                     std::to_string(id) + ", 1, '" + who + "', 'p1', 5)");
  };
  for (int id = 1; id <= 3; ++id) {
    ASSERT_EQ(thread(id), "");
    ASSERT_EQ(join(id, "u1"), "");
  }
  ASSERT_EQ(join(1, "u2"), "");
  ASSERT_EQ(store.migrate(std::span(steps).first(5)), 5);
  // Every (reader, archived) pair as the totals have it and as a count of the rows has it.
  const auto agree = [&] {
    return single_number(
               store,
               "SELECT count(*) FROM (SELECT principal_kind, principal_id, archived, count(*) AS threads "
               "FROM thread_participants GROUP BY 1, 2, 3) counted FULL JOIN "
               "(SELECT * FROM inbox_totals WHERE threads > 0) kept USING (principal_kind, principal_id, "
               "archived) WHERE counted.threads IS DISTINCT FROM kept.threads") == 0;
  };
  const auto total = [&](const char* who, int archived) {
    return single_number(store,
                         "SELECT COALESCE((SELECT threads FROM inbox_totals WHERE principal_kind = 1 "
                         "AND principal_id = '" +
                             std::string(who) + "' AND archived = " + std::to_string(archived) + "), 0)");
  };
  EXPECT_EQ(total("u1", 0), 3) << "counted by the migration";
  EXPECT_TRUE(agree());
  ASSERT_EQ(thread(4), "");
  ASSERT_EQ(join(4, "u1"), "");
  ASSERT_EQ(
      write(store,
            "UPDATE thread_participants SET archived = 1 WHERE thread_id IN (1, 2) AND principal_id = 'u1'"),
      "");
  EXPECT_EQ(total("u1", 0), 2);
  EXPECT_EQ(total("u1", 1), 2);
  EXPECT_TRUE(agree());
  // A new message unarchives every row of its thread, moved or not.
  ASSERT_EQ(write(store,
                  "UPDATE thread_participants SET archived = 0, unread_count = unread_count + 1 "
                  "WHERE thread_id = 1"),
            "");
  EXPECT_EQ(total("u1", 0), 3);
  EXPECT_EQ(total("u1", 1), 1);
  ASSERT_EQ(
      write(store,
            "UPDATE thread_participants SET principal_id = 'u3' WHERE thread_id = 1 AND principal_id = 'u2'"),
      "");
  EXPECT_EQ(total("u2", 0), 0);
  EXPECT_EQ(total("u3", 0), 1);
  EXPECT_TRUE(agree());
  ASSERT_EQ(write(store, "DELETE FROM thread_participants WHERE thread_id = 4"), "");
  EXPECT_EQ(total("u1", 0), 2);
  EXPECT_TRUE(agree());
  ASSERT_EQ(write(store, "TRUNCATE thread_participants"), "");
  EXPECT_EQ(single_number(store, "SELECT count(*) FROM inbox_totals"), 0);
}

}  // namespace
}  // namespace ehr::portal::pg

#include "pg_dataset.hpp"

#include <libpq-fe.h>
#include <sqlite3.h>

#include <chrono>
#include <memory>
#include <stdexcept>
#include <utility>
#include <vector>

#include "common/storage.hpp"
#include "pg_baselines.hpp"
#include "portal_schema.hpp"
#include "storage/postgresql/pg_store.hpp"

namespace ehr::bench {

namespace {

// What the generator writes, in an order the foreign keys accept. store_identity and
// settings_version hold one row the migrations put there: it is replaced by the generated one
// (the store id names the messages' FHIR identifiers).
struct Table {
  const char* name;
  bool seeded_by_migration;
};
constexpr Table kTables[] = {
    {"settings_scope", false}, {"settings_value", false},  {"settings_version", true},
    {"store_identity", true},  {"message_threads", false}, {"thread_participants", false},
    {"messages", false},       {"audit_log", false},
};
// Identity columns whose sequence must continue after the copied ids.
constexpr std::pair<const char*, const char*> kIdentities[] = {
    {"message_threads", "id"}, {"messages", "id"}, {"audit_log", "sequence"}};

std::string template_name(const std::string& scale_name) {
  return "portal_dataset_v" + std::to_string(kGeneratorVersion) + "_" + scale_name;
}

std::string quoted_identifier(const std::string& name) {
  return "\"" + name + "\"";
}

// COPY's text format: backslash escapes for the characters that delimit it.
void append_copy_text(std::string& out, const unsigned char* text, int length) {
  for (int i = 0; i < length; ++i) {
    const char c = static_cast<char>(text[i]);
    switch (c) {
      case '\\':
        out += "\\\\";
        break;
      case '\t':
        out += "\\t";
        break;
      case '\n':
        out += "\\n";
        break;
      case '\r':
        out += "\\r";
        break;
      default:
        out += c;
    }
  }
}

// A bytea value in COPY's text format: the hex input syntax, its backslash escaped.
void append_copy_bytea(std::string& out, const unsigned char* bytes, int length) {
  static constexpr char kHex[] = "0123456789abcdef";
  out += "\\\\x";
  for (int i = 0; i < length; ++i) {
    out += kHex[bytes[i] >> 4];
    out += kHex[bytes[i] & 0xF];
  }
}

struct Column {
  std::string name;
  bool bytea = false;
};

std::vector<Column> columns_of(RawPgConnection& pg, const std::string& table) {
  std::vector<Column> columns;
  PGresult* result =
      PQexecParams(pg.handle(),
                   "SELECT column_name, data_type FROM information_schema.columns WHERE "
                   "table_schema = 'public' AND table_name = $1 ORDER BY ordinal_position",
                   1, nullptr, std::vector<const char*>{table.c_str()}.data(), nullptr, nullptr, 0);
  if (PQresultStatus(result) != PGRES_TUPLES_OK) {
    PQclear(result);
    throw std::runtime_error("cannot read the columns of " + table + ": " + PQerrorMessage(pg.handle()));
  }
  for (int row = 0; row < PQntuples(result); ++row)
    columns.push_back({PQgetvalue(result, row, 0), std::string(PQgetvalue(result, row, 1)) == "bytea"});
  PQclear(result);
  if (columns.empty()) throw std::runtime_error("the migrated database has no table " + table);
  return columns;
}

void copy_table(sqlite3* source, RawPgConnection& pg, const Table& table) {
  const std::vector<Column> columns = columns_of(pg, table.name);
  std::string list;
  for (const Column& column : columns) list += (list.empty() ? "" : ", ") + quoted_identifier(column.name);
  if (table.seeded_by_migration) pg.execute(std::string("DELETE FROM ") + table.name);
  const std::string select = "SELECT " + list + " FROM " + table.name;
  sqlite3_stmt* rows = nullptr;
  if (sqlite3_prepare_v2(source, select.c_str(), -1, &rows, nullptr) != SQLITE_OK)
    throw std::runtime_error("cannot read " + std::string(table.name) +
                             " from the SQLite dataset: " + sqlite3_errmsg(source));
  const std::unique_ptr<sqlite3_stmt, int (*)(sqlite3_stmt*)> finalize(rows, sqlite3_finalize);
  PGresult* started =
      PQexec(pg.handle(), ("COPY " + std::string(table.name) + " (" + list + ") FROM STDIN").c_str());
  const bool copying = PQresultStatus(started) == PGRES_COPY_IN;
  PQclear(started);
  if (!copying)
    throw std::runtime_error("COPY into " + std::string(table.name) + ": " + PQerrorMessage(pg.handle()));
  std::string buffer;
  auto flush = [&] {
    if (PQputCopyData(pg.handle(), buffer.data(), static_cast<int>(buffer.size())) != 1)
      throw std::runtime_error("COPY into " + std::string(table.name) + ": " + PQerrorMessage(pg.handle()));
    buffer.clear();
  };
  int step;
  while ((step = sqlite3_step(rows)) == SQLITE_ROW) {
    for (int i = 0; i < static_cast<int>(columns.size()); ++i) {
      if (i > 0) buffer += '\t';
      const int type = sqlite3_column_type(rows, i);
      if (type == SQLITE_NULL) {
        buffer += "\\N";
      } else if (columns[static_cast<std::size_t>(i)].bytea) {
        const auto* bytes = static_cast<const unsigned char*>(sqlite3_column_blob(rows, i));
        append_copy_bytea(buffer, bytes, sqlite3_column_bytes(rows, i));
      } else {
        const unsigned char* text = sqlite3_column_text(rows, i);
        append_copy_text(buffer, text, sqlite3_column_bytes(rows, i));
      }
    }
    buffer += '\n';
    if (buffer.size() >= (1 << 20)) flush();
  }
  if (step != SQLITE_DONE)
    throw std::runtime_error("reading " + std::string(table.name) +
                             " from the SQLite dataset: " + sqlite3_errmsg(source));
  if (!buffer.empty()) flush();
  if (PQputCopyEnd(pg.handle(), nullptr) != 1)
    throw std::runtime_error("COPY into " + std::string(table.name) + ": " + PQerrorMessage(pg.handle()));
  PGresult* finished = PQgetResult(pg.handle());
  const bool done = PQresultStatus(finished) == PGRES_COMMAND_OK;
  const std::string why = done ? "" : PQresultErrorMessage(finished);
  PQclear(finished);
  while (PGresult* more = PQgetResult(pg.handle())) PQclear(more);
  if (!done) throw std::runtime_error("COPY into " + std::string(table.name) + ": " + why);
}

void load(const std::string& conninfo, const std::filesystem::path& sqlite_file) {
  {
    // The plugin's own PostgreSQL schema, as a host starting on an empty database migrates it.
    portal::pg::PgStoreOptions options;
    options.conninfo = conninfo;
    options.pool_size = 1;
    options.statement_timeout = std::chrono::milliseconds(0);
    portal::pg::PgStore store(options);
    store.migrate(portal::portal_postgresql_steps());
  }
  sqlite3* source = nullptr;
  if (sqlite3_open_v2(sqlite_file.c_str(), &source, SQLITE_OPEN_READONLY, nullptr) != SQLITE_OK) {
    sqlite3_close(source);
    throw std::runtime_error("cannot open the SQLite dataset " + sqlite_file.string());
  }
  const std::unique_ptr<sqlite3, int (*)(sqlite3*)> close(source, sqlite3_close);
  RawPgConnection pg(conninfo);
  // One transaction: an interrupted load leaves an empty database, never a partial template (and
  // the template only gets its name once complete).
  pg.execute("BEGIN");
  for (const Table& table : kTables) copy_table(source, pg, table);
  for (const auto& [table, column] : kIdentities) {
    pg.execute(std::string("SELECT setval(pg_get_serial_sequence('") + table + "', '" + column +
               "'), (SELECT COALESCE(MAX(" + column + "), 0) + 1 FROM " + table + "), false)");
  }
  pg.execute("COMMIT");
}

bool database_exists(RawPgConnection& admin, const std::string& name) {
  admin.prepare("database_exists", "SELECT count(*) FROM pg_database WHERE datname = $1");
  return admin.run("database_exists", {name}) != "0";
}

}  // namespace

std::string with_database(const std::string& conninfo, const std::string& database) {
  char* why = nullptr;
  PQconninfoOption* options = PQconninfoParse(conninfo.c_str(), &why);
  PQfreemem(why);
  if (options == nullptr) throw std::runtime_error("--postgresql: not a libpq connection string");
  std::string result;
  auto append = [&result](const std::string& keyword, const std::string& value) {
    std::string quoted;
    for (char c : value) {
      if (c == '\\' || c == '\'') quoted += '\\';
      quoted += c;
    }
    result += (result.empty() ? "" : " ") + keyword + "='" + quoted + "'";
  };
  for (const PQconninfoOption* option = options; option->keyword != nullptr; ++option) {
    const std::string keyword = option->keyword;
    if (keyword != "dbname" && option->val != nullptr) append(keyword, option->val);
  }
  PQconninfoFree(options);
  append("dbname", database);
  return result;
}

PgDataset ensure_pg_dataset(const std::string& admin_conninfo, const Dataset& sqlite_dataset,
                            const std::string& scale_name,
                            const std::function<void(const std::string& conninfo)>& first_start) {
  PgDataset dataset;
  dataset.template_database = template_name(scale_name);
  RawPgConnection admin(admin_conninfo);
  dataset.server_version = admin.execute("SHOW server_version");
  if (database_exists(admin, dataset.template_database)) {
    dataset.reused = true;
    return dataset;
  }
  admin.prepare("old_templates",
                "SELECT string_agg(datname, ' ') FROM pg_database WHERE datname LIKE 'portal\\_dataset\\_v%' "
                "AND datname LIKE '%\\_' || $1");
  // Earlier generator versions' templates of this scale: never used again.
  const std::string old = admin.run("old_templates", {scale_name});
  for (std::size_t start = 0; start < old.size();) {
    const std::size_t end = std::min(old.find(' ', start), old.size());
    const std::string name = old.substr(start, end - start);
    if (!name.empty()) admin.execute("DROP DATABASE IF EXISTS " + quoted_identifier(name) + " WITH (FORCE)");
    start = end + 1;
  }
  const auto started = std::chrono::steady_clock::now();
  const std::string partial = dataset.template_database + "_partial";
  admin.execute("DROP DATABASE IF EXISTS " + quoted_identifier(partial) + " WITH (FORCE)");
  admin.execute("CREATE DATABASE " + quoted_identifier(partial));
  const std::string loaded = with_database(admin_conninfo, partial);
  load(loaded, sqlite_dataset.file);
  first_start(loaded);
  // What autovacuum would have done to a database in service: planner statistics, and the
  // visibility map that lets the inbox's covering index answer without visiting the table.
  RawPgConnection(loaded).execute("VACUUM (ANALYZE, FREEZE)");
  admin.execute("ALTER DATABASE " + quoted_identifier(partial) + " RENAME TO " +
                quoted_identifier(dataset.template_database));
  dataset.load_seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  return dataset;
}

std::string copy_pg_dataset(const std::string& admin_conninfo, const PgDataset& dataset,
                            const std::string& database) {
  RawPgConnection admin(admin_conninfo);
  admin.execute("DROP DATABASE IF EXISTS " + quoted_identifier(database) + " WITH (FORCE)");
  // FILE_COPY: the template's files copied after a checkpoint, rather than every page written
  // to the WAL (PostgreSQL 15's default), which for a large template takes far longer.
  admin.execute("CREATE DATABASE " + quoted_identifier(database) + " TEMPLATE " +
                quoted_identifier(dataset.template_database) + " STRATEGY FILE_COPY");
  return with_database(admin_conninfo, database);
}

std::string fresh_pg_database(const std::string& admin_conninfo, const std::string& database) {
  RawPgConnection admin(admin_conninfo);
  admin.execute("DROP DATABASE IF EXISTS " + quoted_identifier(database) + " WITH (FORCE)");
  admin.execute("CREATE DATABASE " + quoted_identifier(database));
  return with_database(admin_conninfo, database);
}

}  // namespace ehr::bench

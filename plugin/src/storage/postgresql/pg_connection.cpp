#include "storage/postgresql/pg_connection.hpp"

#include <libpq-fe.h>
#include <poll.h>

#include <array>
#include <charconv>
#include <string>
#include <utility>
#include <vector>

namespace ehr::portal::pg {

namespace {

std::string field(const PGresult* result, int code) {
  const char* value = result == nullptr ? nullptr : PQresultErrorField(result, code);
  return value == nullptr ? std::string() : std::string(value);
}

}  // namespace

PgError::PgError(ehr_status code, const std::string& message, std::string sqlstate)
    : Error(code, message), sqlstate_(std::move(sqlstate)) {}

Rows::~Rows() {
  if (result_ != nullptr) PQclear(result_);
}

int Rows::size() const noexcept {
  return PQntuples(result_);
}

bool Rows::is_null(int row, int column) const {
  return PQgetisnull(result_, row, column) == 1;
}

std::string Rows::text(int row, int column) const {
  return std::string(PQgetvalue(result_, row, column),
                     static_cast<std::size_t>(PQgetlength(result_, row, column)));
}

std::int64_t Rows::int64(int row, int column) const {
  const char* begin = PQgetvalue(result_, row, column);
  const char* end = begin + PQgetlength(result_, row, column);
  std::int64_t value = 0;
  auto [where, error] = std::from_chars(begin, end, value);
  if (error != std::errc() || where != end)
    throw Error(EHR_STATUS_STORAGE,
                "a column read as a number holds something else (column " + std::to_string(column) + ")");
  return value;
}

std::int64_t Rows::affected() const {
  const char* count = PQcmdTuples(result_);
  std::int64_t value = 0;
  std::from_chars(count, count + std::char_traits<char>::length(count), value);
  return value;
}

Connection::Connection(ConnectionOptions options) : options_(std::move(options)) {
  connect();
}

Connection::~Connection() {
  if (conn_ != nullptr) PQfinish(conn_);
}

void Connection::connect() {
  // The admin's string is expanded as the dbname keyword; what follows it is ours. The timeout
  // travels as a startup option, so no SQL is ever built from a value.
  const std::string startup = "-c statement_timeout=" + std::to_string(options_.statement_timeout.count());
  const std::array<const char*, 4> keywords{"dbname", "options", "application_name", nullptr};
  const std::array<const char*, 4> values{options_.conninfo.c_str(), startup.c_str(), "portal-messaging",
                                          nullptr};
  if (conn_ != nullptr) PQfinish(conn_);
  prepared_.clear();
  server_said_goodbye_ = false;
  conn_ = PQconnectdbParams(keywords.data(), values.data(), /*expand_dbname=*/1);
  if (conn_ == nullptr) throw PgError(EHR_STATUS_STORAGE, "out of memory connecting to PostgreSQL", "");
  const char* host = PQhost(conn_);
  const char* port = PQport(conn_);
  const char* db = PQdb(conn_);
  server_ = std::string("host ") + (host ? host : "?") + " port " + (port ? port : "?") + " database " +
            (db ? db : "?");
  // Notices (and a dying session's last FATAL) would go to stderr: the callers' errors say what
  // matters.
  PQsetNoticeProcessor(
      conn_, [](void*, const char*) {}, nullptr);
  if (PQstatus(conn_) != CONNECTION_OK) {
    // libpq's message says why (refused, no such socket, authentication); it never repeats a
    // password. It ends with a newline.
    std::string why = PQerrorMessage(conn_);
    while (!why.empty() && (why.back() == '\n' || why.back() == ' ')) why.pop_back();
    // A failed PGconn is still allocated, and a constructor that throws runs no destructor.
    PQfinish(conn_);
    conn_ = nullptr;
    throw PgError(EHR_STATUS_STORAGE, "cannot connect to the PostgreSQL server (" + server_ + "): " + why,
                  "");
  }
}

bool Connection::healthy() const noexcept {
  return conn_ != nullptr && !server_said_goodbye_ && PQstatus(conn_) == CONNECTION_OK;
}

void Connection::notice_server_goodbye() noexcept {
  if (conn_ == nullptr || PQstatus(conn_) != CONNECTION_OK) return;
  // The backend never LISTENs, so an idle session hears from the server only when it is being
  // ended (a restart, a failover, pg_terminate_backend): its last words are a FATAL error and
  // EOF. Anything readable therefore means "connect again" rather than "risk the next call".
  pollfd socket{PQsocket(conn_), POLLIN, 0};
  if (::poll(&socket, 1, 0) != 0) server_said_goodbye_ = true;
}

void Connection::reconnect() {
  connect();
}

void Connection::fail(PGresult* result, std::string_view what) {
  std::string sqlstate = field(result, PG_DIAG_SQLSTATE);
  std::string primary = field(result, PG_DIAG_MESSAGE_PRIMARY);
  if (result != nullptr) PQclear(result);
  if (!healthy()) {
    prepared_.clear();
    throw PgError(EHR_STATUS_STORAGE,
                  "the connection to the PostgreSQL server (" + server_ + ") was lost during " +
                      std::string(what) + "; it was not completed, and the next call connects again",
                  "");
  }
  if (sqlstate == "57014")
    throw PgError(EHR_STATUS_STORAGE,
                  "the PostgreSQL server cancelled " + std::string(what) +
                      " after the statement timeout of " +
                      std::to_string(options_.statement_timeout.count()) + " ms",
                  sqlstate);
  // The primary message names the constraint or object, never the values (those are in DETAIL,
  // which may hold PHI and is left out).
  throw PgError(
      EHR_STATUS_STORAGE,
      "the PostgreSQL server refused " + std::string(what) + " (SQLSTATE " + sqlstate + "): " + primary,
      sqlstate);
}

Rows Connection::run(const Query& query, std::initializer_list<Value> parameters) {
  const std::string name(query.name);
  if (!prepared_.contains(name)) {
    PGresult* prepared = PQprepare(conn_, name.c_str(), std::string(query.sql).c_str(), 0, nullptr);
    if (PQresultStatus(prepared) != PGRES_COMMAND_OK) fail(prepared, "preparing statement " + name);
    PQclear(prepared);
    prepared_.insert(name);
  }
  std::vector<std::string> texts;
  texts.reserve(parameters.size());
  std::vector<const char*> pointers;
  std::vector<int> lengths;
  pointers.reserve(parameters.size());
  lengths.reserve(parameters.size());
  for (const Value& value : parameters) {
    if (std::holds_alternative<std::monostate>(value)) {
      texts.emplace_back();
    } else if (const auto* text = std::get_if<std::string_view>(&value)) {
      texts.emplace_back(*text);
    } else {
      texts.emplace_back(std::to_string(std::get<std::int64_t>(value)));
    }
  }
  std::size_t index = 0;
  for (const Value& value : parameters) {
    const bool null = std::holds_alternative<std::monostate>(value);
    pointers.push_back(null ? nullptr : texts[index].c_str());
    lengths.push_back(static_cast<int>(texts[index].size()));
    ++index;
  }
  PGresult* result = PQexecPrepared(conn_, name.c_str(), static_cast<int>(pointers.size()), pointers.data(),
                                    lengths.data(), nullptr, /*resultFormat=*/0);
  const ExecStatusType status = PQresultStatus(result);
  if (status != PGRES_TUPLES_OK && status != PGRES_COMMAND_OK) fail(result, "statement " + name);
  return Rows(result);
}

std::string Connection::run_command(std::string_view command) {
  PGresult* result = PQexec(conn_, std::string(command).c_str());
  const ExecStatusType status = PQresultStatus(result);
  if (status != PGRES_COMMAND_OK && status != PGRES_TUPLES_OK) fail(result, command);
  std::string tag = PQcmdStatus(result);
  PQclear(result);
  return tag;
}

}  // namespace ehr::portal::pg

#include "storage/postgresql/pg_connection.hpp"

#include <libpq-fe.h>
#include <poll.h>

#include <array>
#include <charconv>
#include <string>
#include <utility>
#include <vector>

namespace ehr::storage::pg {

namespace {

std::string field(const PGresult* result, int code) {
  const char* value = result == nullptr ? nullptr : PQresultErrorField(result, code);
  return value == nullptr ? std::string() : std::string(value);
}

// The start of a statement's text for an error, on one line. Statements hold no values (those are
// bound), so naming them says which failed without saying anything about a patient.
std::string excerpt(std::string_view sql) {
  constexpr std::size_t kLength = 60;
  std::string out;
  for (char c : sql) {
    const bool space = c == ' ' || c == '\n' || c == '\t' || c == '\r';
    if (space && (out.empty() || out.back() == ' ')) continue;
    if (out.size() == kLength) return out + "...";
    out += space ? ' ' : c;
  }
  while (!out.empty() && out.back() == ' ') out.pop_back();
  return out;
}

// Type OIDs of PostgreSQL's catalog (pg_type.dat), fixed since they were assigned.
constexpr Oid kBoolOid = 16;
constexpr Oid kByteaOid = 17;

int hex_digit(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

// bytea in the hex output format ("\x" then two digits a byte), which every connection asks for.
std::string decode_bytea(std::string_view hex, int column) {
  std::string bytes;
  if (hex.size() % 2 != 0 || hex.substr(0, 2) != "\\x")
    throw Error(EHR_STATUS_STORAGE,
                "a bytea column is not in the hex format (column " + std::to_string(column) + ")");
  bytes.reserve(hex.size() / 2 - 1);
  for (std::size_t i = 2; i < hex.size(); i += 2) {
    const int high = hex_digit(hex[i]);
    const int low = hex_digit(hex[i + 1]);
    if (high < 0 || low < 0)
      throw Error(EHR_STATUS_STORAGE,
                  "a bytea column is not in the hex format (column " + std::to_string(column) + ")");
    bytes.push_back(static_cast<char>(high * 16 + low));
  }
  return bytes;
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

int Rows::columns() const noexcept {
  return PQnfields(result_);
}

bool Rows::is_null(int row, int column) const {
  return PQgetisnull(result_, row, column) == 1;
}

std::string Rows::text(int row, int column) const {
  const std::string_view value(PQgetvalue(result_, row, column),
                               static_cast<std::size_t>(PQgetlength(result_, row, column)));
  if (PQftype(result_, column) == kByteaOid && !is_null(row, column)) return decode_bytea(value, column);
  return std::string(value);
}

std::int64_t Rows::int64(int row, int column) const {
  const char* begin = PQgetvalue(result_, row, column);
  const char* end = begin + PQgetlength(result_, row, column);
  // Conditions the portable SQL selects (EXISTS, a = b) are booleans on PostgreSQL, 0 or 1 on SQLite.
  if (PQftype(result_, column) == kBoolOid && end - begin == 1) return *begin == 't' ? 1 : 0;
  std::int64_t value = 0;
  auto [where, error] = std::from_chars(begin, end, value);
  if (error != std::errc() || where != end)
    throw Error(EHR_STATUS_STORAGE, "a column read as a number holds something else (column " +
                                        std::to_string(column) + ", type " +
                                        std::to_string(PQftype(result_, column)) + ")");
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

namespace {

// The `options` (server startup options) the admin's connection string sets, if any: the keyword
// that follows it would replace them, so ours are appended to theirs instead.
std::string admin_startup_options(const std::string& conninfo) {
  std::string options;
  char* why = nullptr;
  PQconninfoOption* parsed = PQconninfoParse(conninfo.c_str(), &why);
  PQfreemem(why);
  // libpq's reason quotes the text after the fault ("missing "=" after "..."", "invalid
  // percent-encoded token: "...""), which may be a piece of the password: not repeated.
  if (parsed == nullptr)
    throw PgError(EHR_STATUS_STORAGE,
                  "the PostgreSQL connection string is neither key=value pairs nor a postgresql:// URI "
                  "(libpq's reason is not repeated: it may quote the password)",
                  "");
  for (const PQconninfoOption* option = parsed; option->keyword != nullptr; ++option) {
    if (std::string_view(option->keyword) == "options" && option->val != nullptr) options = option->val;
  }
  PQconninfoFree(parsed);
  return options;
}

}  // namespace

void Connection::connect() {
  // The admin's string is expanded as the dbname keyword; what follows it is ours. The timeout
  // travels as a startup option, so no SQL is ever built from a value.
  // synchronous_commit=on: an acknowledged write is durable whatever the server's or the role's
  // default (a startup option outranks both; of two, the later wins). bytea_output=hex: the
  // format Rows decodes.
  std::string startup = admin_startup_options(options_.conninfo);
  if (!startup.empty()) startup += ' ';
  startup += "-c statement_timeout=" + std::to_string(options_.statement_timeout.count()) +
             " -c synchronous_commit=on -c bytea_output=hex";
  const std::array<const char*, 4> keywords{"dbname", "options", "application_name", nullptr};
  const std::array<const char*, 4> values{options_.conninfo.c_str(), startup.c_str(), "portal-messaging",
                                          nullptr};
  if (conn_ != nullptr) PQfinish(conn_);
  prepared_.clear();
  server_said_goodbye_ = false;
  answer_due_ = false;
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
  // The answer to a command sent without waiting is readable too, and is no goodbye.
  finish_sent();
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

void Connection::send_command(const char* command) noexcept {
  finish_sent();
  // A session that cannot take it shows as not healthy, and the server ends its transaction.
  if (conn_ != nullptr) answer_due_ = PQsendQuery(conn_, command) == 1;
}

void Connection::finish_sent() noexcept {
  if (!answer_due_) return;
  answer_due_ = false;
  // Until libpq returns no more results, the answer (or the error of a session lost meanwhile,
  // after which PQstatus says so) is still being read.
  while (PGresult* result = PQgetResult(conn_)) PQclear(result);
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

const std::vector<unsigned>& Connection::prepare(const Query& query) {
  finish_sent();
  const std::string name(query.name);
  if (auto found = prepared_.find(name); found != prepared_.end()) return found->second;
  PGresult* prepared = PQprepare(conn_, name.c_str(), std::string(query.sql).c_str(), 0, nullptr);
  if (PQresultStatus(prepared) != PGRES_COMMAND_OK)
    fail(prepared, "preparing statement " + name + " (" + excerpt(query.sql) + ")");
  PQclear(prepared);
  // The types the server inferred: text bound where it expects bytea is sent as bytes (binary),
  // so that the bytea input syntax never reinterprets a backslash in it.
  PGresult* described = PQdescribePrepared(conn_, name.c_str());
  if (PQresultStatus(described) != PGRES_COMMAND_OK)
    fail(described, "describing statement " + name + " (" + excerpt(query.sql) + ")");
  std::vector<unsigned> types(static_cast<std::size_t>(PQnparams(described)));
  for (std::size_t i = 0; i < types.size(); ++i) types[i] = PQparamtype(described, static_cast<int>(i));
  PQclear(described);
  return prepared_.emplace(name, std::move(types)).first->second;
}

Rows Connection::run(const Query& query, std::initializer_list<Value> parameters) {
  return run(query, std::span<const Value>(parameters.begin(), parameters.size()));
}

Rows Connection::run(const Query& query, std::span<const Value> parameters) {
  const std::vector<unsigned>& types = prepare(query);
  std::vector<std::string> texts(parameters.size());
  std::vector<const char*> pointers(parameters.size(), nullptr);
  std::vector<int> lengths(parameters.size(), 0);
  std::vector<int> formats(parameters.size(), 0);
  for (std::size_t i = 0; i < parameters.size(); ++i) {
    std::string_view bytes;
    const Value& value = parameters[i];
    if (std::holds_alternative<std::monostate>(value)) continue;
    if (const auto* number = std::get_if<std::int64_t>(&value)) {
      texts[i] = std::to_string(*number);
    } else if (const auto* text = std::get_if<std::string_view>(&value)) {
      bytes = *text;
      formats[i] = i < types.size() && types[i] == kByteaOid ? 1 : 0;
      // libpq reads a text-format value up to its first NUL: the rest would be dropped unsaid.
      if (formats[i] == 0 && bytes.find('\0') != std::string_view::npos)
        throw Error(EHR_STATUS_INVALID_ARGUMENT, "parameter " + std::to_string(i + 1) + " of statement " +
                                                     std::string(query.name) +
                                                     " is text holding a NUL character, which PostgreSQL "
                                                     "text cannot store (bind it as bytes)");
      if (formats[i] == 0) texts[i] = std::string(bytes);
    } else {
      bytes = std::get<Bytes>(value).bytes;
      formats[i] = 1;
    }
    // A text-format value is NUL-terminated (the copy in texts), a binary one is read by its
    // length; neither may be a null pointer, which would mean SQL NULL.
    if (formats[i] == 0) {
      pointers[i] = texts[i].c_str();
      lengths[i] = static_cast<int>(texts[i].size());
    } else {
      pointers[i] = bytes.data() != nullptr ? bytes.data() : "";
      lengths[i] = static_cast<int>(bytes.size());
    }
  }
  const std::string name(query.name);
  PGresult* result = PQexecPrepared(conn_, name.c_str(), static_cast<int>(pointers.size()), pointers.data(),
                                    lengths.data(), formats.data(), /*resultFormat=*/0);
  const ExecStatusType status = PQresultStatus(result);
  if (status != PGRES_TUPLES_OK && status != PGRES_COMMAND_OK)
    fail(result, "statement " + name + " (" + excerpt(query.sql) + ")");
  return Rows(result);
}

std::string Connection::run_command(std::string_view command) {
  finish_sent();
  PGresult* result = PQexec(conn_, std::string(command).c_str());
  const ExecStatusType status = PQresultStatus(result);
  if (status != PGRES_COMMAND_OK && status != PGRES_TUPLES_OK) fail(result, excerpt(command));
  std::string tag = PQcmdStatus(result);
  PQclear(result);
  return tag;
}

}  // namespace ehr::storage::pg

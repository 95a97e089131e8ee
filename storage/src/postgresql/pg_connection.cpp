#include "storage/postgresql/pg_connection.hpp"

#include <libpq-fe.h>
#include <poll.h>

#include <array>
#include <charconv>
#include <exception>
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

// "statement NAME (SQL...)", as errors name a statement.
std::string statement_words(const Query& query) {
  return "statement " + std::string(query.name) + " (" + excerpt(query.sql) + ")";
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

std::string Rows::command_tag() const {
  return PQcmdStatus(result_);
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
  // format Rows decodes. client_connection_check_interval: a write sends its COMMIT with its
  // statements, before it waits for the write lock; should the host die meanwhile, the server
  // notices within a second and ends the session, rather than commit later what no one will
  // acknowledge.
  std::string startup = admin_startup_options(options_.conninfo);
  if (!startup.empty()) startup += ' ';
  startup += "-c statement_timeout=" + std::to_string(options_.statement_timeout.count()) +
             " -c synchronous_commit=on -c bytea_output=hex -c client_connection_check_interval=1000";
  const std::array<const char*, 4> keywords{"dbname", "options", "application_name", nullptr};
  const std::array<const char*, 4> values{options_.conninfo.c_str(), startup.c_str(), "portal-messaging",
                                          nullptr};
  if (conn_ != nullptr) PQfinish(conn_);
  prepared_.clear();
  server_said_goodbye_ = false;
  answer_due_ = false;
  broken_ = false;
  begin_commands_.clear();
  begin_failed_ = false;
  in_pipeline_ = false;
  sent_.clear();
  sending_begin_.clear();
  outcomes_.clear();
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
  return conn_ != nullptr && !server_said_goodbye_ && !broken_ && PQstatus(conn_) == CONNECTION_OK;
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
  read_pipeline();
  finish_sent();
  if (!healthy()) return;
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
  if (sqlstate == kGuessWrongSqlstate)
    throw GuessWrong("a guess that " + std::string(what) + " was written on no longer held: " + primary);
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
  const std::string name(query.name);
  if (auto found = prepared_.find(name); found != prepared_.end()) return found->second;
  // Preparing waits for the server's answer, which pipeline mode has no room for: what is queued
  // goes first.
  read_pipeline();
  finish_sent();
  count_round_trip();
  PGresult* prepared = PQprepare(conn_, name.c_str(), std::string(query.sql).c_str(), 0, nullptr);
  if (PQresultStatus(prepared) != PGRES_COMMAND_OK) fail(prepared, "preparing " + statement_words(query));
  PQclear(prepared);
  // The types the server inferred: text bound where it expects bytea is sent as bytes (binary),
  // so that the bytea input syntax never reinterprets a backslash in it.
  count_round_trip();
  PGresult* described = PQdescribePrepared(conn_, name.c_str());
  if (PQresultStatus(described) != PGRES_COMMAND_OK) fail(described, "describing " + statement_words(query));
  std::vector<unsigned> types(static_cast<std::size_t>(PQnparams(described)));
  for (std::size_t i = 0; i < types.size(); ++i) types[i] = PQparamtype(described, static_cast<int>(i));
  PQclear(described);
  return prepared_.emplace(name, std::move(types)).first->second;
}

Rows Connection::run(const Query& query, std::initializer_list<Value> parameters) {
  return run(query, std::span<const Value>(parameters.begin(), parameters.size()));
}

Rows Connection::run(const Query& query, std::span<const Value> parameters) {
  return receive(send(query, parameters));
}

namespace {

// A statement's parameters as libpq takes them. OWNERSHIP: points into `parameters` (binary
// values) and into its own copies (text values); libpq copies both when the statement is sent.
struct Bound {
  std::vector<std::string> texts;
  std::vector<const char*> pointers;
  std::vector<int> lengths;
  std::vector<int> formats;
};

Bound bind_parameters(const Query& query, const std::vector<unsigned>& types,
                      std::span<const Value> parameters) {
  Bound bound;
  std::vector<std::string>& texts = bound.texts;
  std::vector<const char*>& pointers = bound.pointers;
  std::vector<int>& lengths = bound.lengths;
  std::vector<int>& formats = bound.formats;
  texts.resize(parameters.size());
  pointers.assign(parameters.size(), nullptr);
  lengths.assign(parameters.size(), 0);
  formats.assign(parameters.size(), 0);
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
  return bound;
}

}  // namespace

std::uint64_t Connection::send(const Query& query, std::span<const Value> parameters) {
  const std::string name(query.name);
  const std::vector<unsigned>& types = prepare(query);
  const Bound bound = bind_parameters(query, types, parameters);
  if (!in_pipeline_) {
    finish_sent();
    if (!healthy() || PQenterPipelineMode(conn_) != 1) fail(nullptr, statement_words(query));
    in_pipeline_ = true;
    sending_begin_ = std::move(begin_commands_);
    begin_commands_.clear();
    for (const std::string& command : sending_begin_) {
      sent_.push_back({0, Query{{}, command}});
      if (PQsendQueryParams(conn_, command.c_str(), 0, nullptr, nullptr, nullptr, nullptr, 0) != 1) break;
    }
  }
  const std::uint64_t ticket = next_ticket_++;
  sent_.push_back({ticket, query});
  if (PQsendQueryPrepared(conn_, name.c_str(), static_cast<int>(bound.pointers.size()), bound.pointers.data(),
                          bound.lengths.data(), bound.formats.data(), /*resultFormat=*/0) != 1) {
    // A session that broke while sending: read_pipeline() gives each command sent the error.
    broken_ = true;
  }
  return ticket;
}

Rows Connection::receive(std::uint64_t ticket) {
  if (!outcomes_.contains(ticket)) read_pipeline();
  auto found = outcomes_.find(ticket);
  if (found == outcomes_.end())
    throw Error(EHR_STATUS_INTERNAL, "a statement's answer was received twice, or after its transaction");
  Outcome outcome = std::move(found->second);
  outcomes_.erase(found);
  if (outcome.error) std::rethrow_exception(outcome.error);
  return std::move(*outcome.rows);
}

void Connection::forget(std::uint64_t ticket) noexcept {
  outcomes_.erase(ticket);
}

std::uint64_t Connection::send_behind(std::string_view command) {
  if (!in_pipeline_) return 0;
  const std::uint64_t ticket = next_ticket_++;
  sent_.push_back({ticket, Query{{}, command}});
  if (PQsendQueryParams(conn_, std::string(command).c_str(), 0, nullptr, nullptr, nullptr, nullptr, 0) != 1)
    broken_ = true;
  return ticket;
}

bool Connection::ran(std::uint64_t ticket) noexcept {
  if (!outcomes_.contains(ticket)) read_pipeline();
  const auto found = outcomes_.find(ticket);
  return found == outcomes_.end() || !found->second.skipped;
}

void Connection::defer_begin(std::vector<std::string> commands, std::string on_timeout) {
  outcomes_.clear();
  begin_commands_ = std::move(commands);
  begin_on_timeout_ = std::move(on_timeout);
  begin_failed_ = false;
}

bool Connection::begin_deferred() const noexcept {
  return !begin_commands_.empty();
}

bool Connection::end_transaction() noexcept {
  read_pipeline();
  const bool never_sent = !begin_commands_.empty();
  begin_commands_.clear();
  outcomes_.clear();
  return never_sent;
}

void Connection::run_deferred_begin() {
  read_pipeline();
  const std::vector<std::string> commands = std::move(begin_commands_);
  begin_commands_.clear();
  for (const std::string& command : commands) {
    finish_sent();
    count_round_trip();
    PGresult* result = PQexec(conn_, command.c_str());
    const ExecStatusType status = PQresultStatus(result);
    if (status != PGRES_COMMAND_OK && status != PGRES_TUPLES_OK) {
      begin_failed_ = true;
      std::rethrow_exception(begin_failure(result, command));
    }
    PQclear(result);
  }
}

std::exception_ptr Connection::begin_failure(PGresult* result, std::string_view command) {
  if (!begin_on_timeout_.empty() && healthy() && field(result, PG_DIAG_SQLSTATE) == "57014") {
    PQclear(result);
    return std::make_exception_ptr(PgError(EHR_STATUS_STORAGE, begin_on_timeout_, "57014"));
  }
  try {
    fail(result, excerpt(command));
  } catch (...) {
    return std::current_exception();
  }
}

void Connection::read_pipeline() noexcept {
  if (!in_pipeline_) return;
  in_pipeline_ = false;
  const std::vector<Sent> sent = std::move(sent_);
  sent_.clear();
  // Every answer is read before any is judged: a session the server ended shows as lost only
  // once its end is read, and the error must say lost, not refused.
  std::vector<PGresult*> results(sent.size(), nullptr);
  count_round_trip();
  bool complete = !broken_ && PQpipelineSync(conn_) == 1;
  for (std::size_t i = 0; complete && i < sent.size(); ++i) {
    results[i] = PQgetResult(conn_);
    // Each command's answer ends with a null result; a lost session ends every answer.
    if (results[i] == nullptr || PQresultStatus(results[i]) == PGRES_PIPELINE_SYNC) {
      complete = false;
      break;
    }
    while (PGresult* rest = PQgetResult(conn_)) {
      PQclear(rest);
      if (PQstatus(conn_) != CONNECTION_OK) break;
    }
    if (PQstatus(conn_) != CONNECTION_OK) complete = false;
  }
  if (complete) {
    PGresult* sync = PQgetResult(conn_);
    complete = sync != nullptr && PQresultStatus(sync) == PGRES_PIPELINE_SYNC;
    PQclear(sync);
    complete = complete && PQexitPipelineMode(conn_) == 1;
  }
  // The session is then in a state the client cannot know: the pool connects it again.
  if (!complete) broken_ = true;

  std::exception_ptr first_failure;
  bool failure_from_server = false;  // the first failure has a SQLSTATE: the server reported it
  for (std::size_t i = 0; i < sent.size(); ++i) {
    PGresult* result = results[i];
    const ExecStatusType status = result == nullptr ? PGRES_FATAL_ERROR : PQresultStatus(result);
    const bool ok = status == PGRES_TUPLES_OK || status == PGRES_COMMAND_OK;
    Outcome outcome;
    if (ok) {
      if (sent[i].ticket == 0) {
        PQclear(result);
        continue;
      }
      outcome.rows.emplace(result);
    } else if (first_failure) {
      // Not run because of the failure before it, which says why, when the server reported that
      // failure: it runs a pipeline's commands in order, and skips the rest after a failed one or
      // ends the session there (a restart ends each session with an error). After a session lost
      // without a word from the server, libpq marks the rest aborted too, but only the client
      // stopped there: whether the server ran them is not known.
      outcome.skipped = failure_from_server;
      PQclear(result);
      outcome.error = first_failure;
    } else {
      begin_failed_ = sent[i].ticket == 0;
      failure_from_server = !field(result, PG_DIAG_SQLSTATE).empty();
      first_failure = sent[i].ticket == 0 ? begin_failure(result, sent[i].query.sql) : [&] {
        try {
          fail(result,
               sent[i].query.name.empty() ? excerpt(sent[i].query.sql) : statement_words(sent[i].query));
        } catch (...) {
          return std::current_exception();
        }
      }();
      outcome.error = first_failure;
    }
    if (sent[i].ticket != 0) outcomes_.emplace(sent[i].ticket, std::move(outcome));
  }
  sending_begin_.clear();
}

std::string Connection::run_command(std::string_view command) {
  read_pipeline();
  if (!begin_commands_.empty()) run_deferred_begin();
  finish_sent();
  count_round_trip();
  PGresult* result = PQexec(conn_, std::string(command).c_str());
  const ExecStatusType status = PQresultStatus(result);
  if (status != PGRES_COMMAND_OK && status != PGRES_TUPLES_OK) fail(result, excerpt(command));
  std::string tag = PQcmdStatus(result);
  PQclear(result);
  return tag;
}

}  // namespace ehr::storage::pg

#include "baselines.hpp"

#include <spawn.h>
#include <sqlite3.h>
#include <sys/wait.h>
#include <unistd.h>

#include <time.h>

#include <algorithm>
#include <array>
#include <fstream>
#include <stdexcept>

extern char** environ;

namespace ehr::bench {

namespace {

[[noreturn]] void sqlite_failure(sqlite3* db, const std::string& what) {
  throw std::runtime_error(what + ": " + (db != nullptr ? sqlite3_errmsg(db) : "out of memory"));
}

void bind_text(sqlite3_stmt* statement, int index, const std::string& text) {
  sqlite3_bind_text(statement, index, text.data(), static_cast<int>(text.size()), SQLITE_TRANSIENT);
}

}  // namespace

RawConnection::RawConnection(const std::filesystem::path& file) {
  if (sqlite3_open_v2(file.c_str(), &db_, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, nullptr) != SQLITE_OK) {
    std::string message = db_ != nullptr ? sqlite3_errmsg(db_) : "out of memory";
    sqlite3_close(db_);
    throw std::runtime_error("cannot open " + file.string() + ": " + message);
  }
  sqlite3_busy_timeout(db_, 5000);
  execute("PRAGMA journal_mode=WAL");
  execute("PRAGMA synchronous=FULL");
  execute("PRAGMA foreign_keys=ON");
}

RawConnection::~RawConnection() {
  for (sqlite3_stmt* statement : statements_) sqlite3_finalize(statement);
  sqlite3_close(db_);
}

void RawConnection::execute(const char* sql) {
  char* error = nullptr;
  if (sqlite3_exec(db_, sql, nullptr, nullptr, &error) != SQLITE_OK) {
    std::string message = error != nullptr ? error : "unknown error";
    sqlite3_free(error);
    throw std::runtime_error(std::string(sql) + ": " + message);
  }
}

sqlite3_stmt* RawConnection::prepare(const char* sql) {
  sqlite3_stmt* statement = nullptr;
  if (sqlite3_prepare_v3(db_, sql, -1, SQLITE_PREPARE_PERSISTENT, &statement, nullptr) != SQLITE_OK) {
    sqlite_failure(db_, std::string("cannot prepare ") + sql);
  }
  statements_.push_back(statement);
  return statement;
}

void RawConnection::run(sqlite3_stmt* statement) {
  int rc;
  while ((rc = sqlite3_step(statement)) == SQLITE_ROW) {
  }
  sqlite3_reset(statement);
  if (rc != SQLITE_DONE) sqlite_failure(db_, "a raw statement failed");
}

RawSend::RawSend(const std::filesystem::path& database, Rows rows, int messages_per_commit)
    : rows_(rows),
      messages_per_commit_(std::max(messages_per_commit, 1)),
      db_(database),
      begin_(db_.prepare("BEGIN IMMEDIATE")),
      message_(db_.prepare("INSERT INTO messages (thread_id, sender_kind, sender_id, body, sent_at) "
                           "VALUES (?1, 1, ?2, ?3, ?4)")),
      thread_(db_.prepare("UPDATE message_threads SET last_sender_kind = 1, last_sender_id = ?2, "
                          "last_message_at = MAX(last_message_at, ?3), last_message_id = ?4, message_count = "
                          "message_count + 1 "
                          "WHERE id = ?1")),
      participants_(db_.prepare(
          "UPDATE thread_participants SET archived = 0, "
          "last_message_at = (SELECT last_message_at FROM message_threads WHERE id = ?1), "
          "unread_count = unread_count + (principal_kind <> 1 OR principal_id <> ?2) WHERE thread_id = ?1")),
      audit_(db_.prepare(
          "INSERT INTO audit_log (at_unix_ms, actor_kind, actor_id, action, patient_id, target, "
          "outcome, detail, previous_hash, hash) VALUES (?1, 1, ?2, 'message.send', ?3, ?4, 'ok', "
          "?5, ?6, ?6)")),
      commit_(db_.prepare("COMMIT")) {
  if (rows_ != Rows::rows) return;
  sqlite3_stmt* totals_kept = db_.prepare(
      "SELECT 1 FROM sqlite_master WHERE type = 'trigger' AND name = 'inbox_totals_follow_unread'");
  const bool kept = sqlite3_step(totals_kept) == SQLITE_ROW;
  sqlite3_reset(totals_kept);
  if (!kept)
    throw std::runtime_error(
        "the raw baseline's database has no inbox totals triggers (migration 10): "
        "it would write less than a reply");
}

RawSend::~RawSend() {
  try {
    flush();
  } catch (const std::exception&) {
    // The connection closes next, which rolls the open batch back; nothing measures it any more.
  }
}

void RawSend::flush() {
  if (open_messages_ == 0) return;
  db_.run(commit_);
  open_messages_ = 0;
}

void RawSend::send(int64_t thread_id, const std::string& patient_id, const std::string& sender_id,
                   const std::string& body, int64_t at_ms) {
  // A fixed 64-hex text stands in for the chained hash: the baseline pays for the row, not the HMAC.
  static const std::string kHash(64, 'a');
  const std::string target = "thread:" + std::to_string(thread_id);
  if (open_messages_ == 0) db_.run(begin_);
  sqlite3_bind_int64(message_, 1, thread_id);
  bind_text(message_, 2, sender_id);
  bind_text(message_, 3, body);
  sqlite3_bind_int64(message_, 4, at_ms);
  db_.run(message_);
  if (rows_ == Rows::rows) {
    const int64_t message_id = sqlite3_last_insert_rowid(db_.handle());
    sqlite3_bind_int64(thread_, 1, thread_id);
    bind_text(thread_, 2, sender_id);
    sqlite3_bind_int64(thread_, 3, at_ms);
    sqlite3_bind_int64(thread_, 4, message_id);
    db_.run(thread_);
    sqlite3_bind_int64(participants_, 1, thread_id);
    bind_text(participants_, 2, sender_id);
    db_.run(participants_);
  }
  sqlite3_bind_int64(audit_, 1, at_ms);
  bind_text(audit_, 2, sender_id);
  // The thread's patient, as the plugin records it: the audit index's entry lands where that
  // patient's records are, not on one page every baseline record shares.
  bind_text(audit_, 3, patient_id);
  bind_text(audit_, 4, target);
  bind_text(audit_, 5, "reply");
  bind_text(audit_, 6, kHash);
  db_.run(audit_);
  if (++open_messages_ == messages_per_commit_) flush();
}

double raw_role_inserts_ms(const std::filesystem::path& database, uint32_t users, uint32_t round) {
  RawConnection db(database);
  db.execute(
      "CREATE TABLE IF NOT EXISTS role_assignments (user_id TEXT NOT NULL, role_id TEXT NOT NULL, "
      "PRIMARY KEY (user_id, role_id)) WITHOUT ROWID;"
      "CREATE TABLE IF NOT EXISTS role_changes (sequence INTEGER PRIMARY KEY, at_unix_ms INTEGER NOT NULL, "
      "actor_user_id TEXT NOT NULL, user_id TEXT NOT NULL, role_id TEXT NOT NULL, old_assigned INTEGER NOT "
      "NULL, "
      "new_assigned INTEGER NOT NULL);"
      "DELETE FROM role_assignments;");
  sqlite3_stmt* begin = db.prepare("BEGIN IMMEDIATE");
  sqlite3_stmt* assign = db.prepare("INSERT INTO role_assignments (user_id, role_id) VALUES (?1, ?2)");
  sqlite3_stmt* change = db.prepare(
      "INSERT INTO role_changes (at_unix_ms, actor_user_id, user_id, role_id, old_assigned, new_assigned) "
      "VALUES (?1, 'admin', ?2, ?3, 0, 1)");
  sqlite3_stmt* commit = db.prepare("COMMIT");
  const std::string role = "available_for_portal_messages";
  const auto started = std::chrono::steady_clock::now();
  db.run(begin);
  for (uint32_t i = 0; i < users; ++i) {
    const std::string user = "u" + std::to_string(i);
    bind_text(assign, 1, user);
    bind_text(assign, 2, role);
    db.run(assign);
    sqlite3_bind_int64(change, 1, round);
    bind_text(change, 2, user);
    bind_text(change, 3, role);
    db.run(change);
  }
  db.run(commit);
  return std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - started).count();
}

double Latencies::percentile_us(double q) {
  if (samples_.empty()) return 0;
  const std::size_t rank =
      std::min(samples_.size() - 1, static_cast<std::size_t>(q * static_cast<double>(samples_.size())));
  std::nth_element(samples_.begin(), samples_.begin() + static_cast<std::ptrdiff_t>(rank), samples_.end());
  using namespace std::chrono;
  return duration<double, std::micro>(steady_clock::duration(samples_[rank])).count();
}

namespace {
int64_t thread_cpu_ns() {
  timespec now{};
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &now);
  return static_cast<int64_t>(now.tv_sec) * 1000000000 + now.tv_nsec;
}
}  // namespace

ThreadCpuTime::ThreadCpuTime() : started_ns_(thread_cpu_ns()) {}

std::chrono::steady_clock::duration ThreadCpuTime::elapsed() const {
  return std::chrono::duration_cast<std::chrono::steady_clock::duration>(
      std::chrono::nanoseconds(thread_cpu_ns() - started_ns_));
}

std::string run_child(const std::vector<std::string>& arguments) {
  return run_children({arguments}).front();
}

std::vector<std::string> run_children(const std::vector<std::vector<std::string>>& argument_lists) {
  struct Child {
    pid_t pid = 0;
    int output = -1;
  };
  std::vector<Child> children;
  for (const std::vector<std::string>& arguments : argument_lists) {
    int out[2];
    if (pipe(out) != 0) throw std::runtime_error("cannot create a pipe");
    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    posix_spawn_file_actions_adddup2(&actions, out[1], STDOUT_FILENO);
    posix_spawn_file_actions_addclose(&actions, out[0]);
    std::vector<std::string> argv_text{"/proc/self/exe"};
    argv_text.insert(argv_text.end(), arguments.begin(), arguments.end());
    std::vector<char*> argv;
    for (std::string& text : argv_text) argv.push_back(text.data());
    argv.push_back(nullptr);
    pid_t pid = 0;
    const int rc = posix_spawn(&pid, "/proc/self/exe", &actions, nullptr, argv.data(), environ);
    posix_spawn_file_actions_destroy(&actions);
    close(out[1]);
    if (rc != 0) {
      close(out[0]);
      throw std::runtime_error("cannot start a child bench process");
    }
    children.push_back({pid, out[0]});
  }
  // Their output is a line or two: reading them one after the other blocks none.
  std::vector<std::string> outputs;
  std::string failure;
  for (const Child& child : children) {
    std::string output;
    std::array<char, 4096> buffer{};
    ssize_t n;
    while ((n = read(child.output, buffer.data(), buffer.size())) > 0)
      output.append(buffer.data(), static_cast<size_t>(n));
    close(child.output);
    int status = 0;
    waitpid(child.pid, &status, 0);
    if ((!WIFEXITED(status) || WEXITSTATUS(status) != 0) && failure.empty())
      failure = "child bench process failed: " + output;
    outputs.push_back(std::move(output));
  }
  if (!failure.empty()) throw std::runtime_error(failure);
  return outputs;
}

uint64_t peak_rss_bytes() {
  std::ifstream status("/proc/self/status");
  std::string line;
  while (std::getline(status, line)) {
    if (line.rfind("VmHWM:", 0) == 0) return std::stoull(line.substr(6)) * 1024;
  }
  return 0;
}

}  // namespace ehr::bench

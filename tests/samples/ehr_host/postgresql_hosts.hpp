// What the ehr-host tests on PostgreSQL share: hosts configured for one database, the reference
// host's web console run as a process of its own (`ehr-host serve`), and a look at the server's
// locks, which is how a test knows a host is inside a call without sleeping on a guess.
#pragma once

#include <sys/types.h>

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <string>

#include <nlohmann/json.hpp>

#include "ehr_host_process.hpp"
#include "storage/postgresql/pg_connection.hpp"

namespace ehr::sample::cli_test {

// Writes `config` as the host's plugins/portal-messaging.conf, mode 0600 as the SDK requires.
void configure(const EhrHost& host, const std::string& config);
// Writes `config` as the host's host.conf (the SDK's role store), mode 0600.
void configure_roles(const EhrHost& host, const std::string& config);
// Gives `to` the key file of `from`: hosts sharing one database read each other's messages only
// with one key set (a deployment copies it to every server).
void share_keys(const EhrHost& from, const EhrHost& to);

// Waits (at most `limit`) until at least `count` sessions other than `look`'s own wait on a lock in
// `look`'s database: a host then is inside its call, at the point the test's lock holds it.
[[nodiscard]] bool sessions_wait_on_a_lock(ehr::storage::pg::Connection& look, int count,
                                           std::chrono::milliseconds limit = std::chrono::seconds(20));

// Waits (at most `limit`) until no session other than `look`'s own waits on a lock in `look`'s
// database: the server ended the session of a host killed while it waited.
[[nodiscard]] bool no_session_waits_on_a_lock(ehr::storage::pg::Connection& look,
                                              std::chrono::milliseconds limit = std::chrono::seconds(20));

// The sessions of the test's database waiting on a lock now (each one's statement and when its
// connection started), for a failure message: which write a test caught waiting.
[[nodiscard]] std::string sessions_waiting_on_a_lock(ehr::storage::pg::Connection& look);

// `ehr-host serve` on a loopback port the system picks, as its own process. OWNERSHIP: the host's
// directories outlive it.
class ServedHost {
 public:
  // Returns once the server says where it listens; a server that does not within 30 s fails the
  // test (port() is then 0).
  explicit ServedHost(const EhrHost& host);
  ~ServedHost();
  ServedHost(const ServedHost&) = delete;
  ServedHost& operator=(const ServedHost&) = delete;

  [[nodiscard]] int port() const noexcept { return port_; }
  // Still running (not exited, not killed).
  [[nodiscard]] bool running();
  // SIGKILL, as a crash or an OOM kill ends a process: no handler runs.
  void kill_hard();
  // What it wrote to stderr so far.
  [[nodiscard]] std::string errors() const;

 private:
  std::filesystem::path stderr_file_;
  pid_t pid_ = -1;
  int stdout_ = -1;
  int port_ = 0;
};

// A staff member signed in to a ServedHost through its JSON API (/api/v1).
struct WebSession {
  int port = 0;
  std::string cookie;  // "ehr_session=..."
  std::string csrf;
};

// Signs `user` in with `password`; fails the test when refused.
[[nodiscard]] WebSession sign_in(int port, const std::string& user, const std::string& password);

// What one API call answered: `status` 0 when no answer came (the connection broke).
struct WebAnswer {
  int status = 0;
  nlohmann::json body;
  std::string text;
};

// drlee's new thread to portal:maria about chart p01 with `subject` and `body`, as the console's
// compose form posts it.
[[nodiscard]] WebAnswer send_message(const WebSession& session, const std::string& subject,
                                     const std::string& body);

}  // namespace ehr::sample::cli_test

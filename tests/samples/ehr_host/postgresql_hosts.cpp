#include "postgresql_hosts.hpp"

#include <fcntl.h>
#include <gtest/gtest.h>
#include <httplib.h>
#include <poll.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdlib>
#include <fstream>
#include <sstream>
#include <thread>
#include <vector>

namespace ehr::sample::cli_test {

namespace fs = std::filesystem;

namespace {

void write_private(const fs::path& file, const std::string& text) {
  fs::create_directories(file.parent_path());
  std::ofstream(file) << text;
  fs::permissions(file, fs::perms::owner_read | fs::perms::owner_write, fs::perm_options::replace);
}

}  // namespace

void configure(const EhrHost& host, const std::string& config) {
  write_private(host.data_directory / "plugins" / "portal-messaging.conf", config);
}

void configure_roles(const EhrHost& host, const std::string& config) {
  write_private(host.data_directory / "host.conf", config);
}

void share_keys(const EhrHost& from, const EhrHost& to) {
  fs::copy_file(from.data_directory / "keys", to.data_directory / "keys",
                fs::copy_options::overwrite_existing);
  fs::permissions(to.data_directory / "keys", fs::perms::owner_read | fs::perms::owner_write,
                  fs::perm_options::replace);
}

namespace {

// Sessions other than `look`'s own waiting on a lock in `look`'s database now.
std::int64_t waiting_on_a_lock(ehr::storage::pg::Connection& look) {
  return look
      .run({"sessions_waiting_on_a_lock",
            "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() "
            "AND wait_event_type = 'Lock' AND pid <> pg_backend_pid()"})
      .int64(0, 0);
}

// The server offers no notice of a session starting or ending its wait: it is looked at until
// `done` says so, at most `limit`.
template <class Done>
bool watch_lock_waits(ehr::storage::pg::Connection& look, std::chrono::milliseconds limit, Done done) {
  const auto give_up = std::chrono::steady_clock::now() + limit;
  while (std::chrono::steady_clock::now() < give_up) {
    if (done(waiting_on_a_lock(look))) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  return false;
}

}  // namespace

bool sessions_wait_on_a_lock(ehr::storage::pg::Connection& look, int count, std::chrono::milliseconds limit) {
  return watch_lock_waits(look, limit, [count](std::int64_t waiting) { return waiting >= count; });
}

bool no_session_waits_on_a_lock(ehr::storage::pg::Connection& look, std::chrono::milliseconds limit) {
  return watch_lock_waits(look, limit, [](std::int64_t waiting) { return waiting == 0; });
}

std::string sessions_waiting_on_a_lock(ehr::storage::pg::Connection& look) {
  return look
      .run({"sessions_waiting_on_a_lock_described",
            "SELECT coalesce(string_agg(backend_start::text || ': ' || coalesce(query, ''), '; '), 'none') "
            "FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock' "
            "AND pid <> pg_backend_pid()"})
      .text(0, 0);
}

ServedHost::ServedHost(const EhrHost& host) : stderr_file_(host.temp.path() / ".serve-stderr") {
  int out[2];
  if (::pipe(out) != 0) {
    ADD_FAILURE() << "pipe failed";
    return;
  }
  std::vector<std::string> argv = {EHR_HOST_BINARY,
                                   "--data",
                                   host.data_directory.string(),
                                   "--plugins",
                                   host.plugins_directory.string(),
                                   "--practice",
                                   host.practice_file.string(),
                                   "serve",
                                   "--listen",
                                   "127.0.0.1:0"};
  pid_ = ::fork();
  if (pid_ == 0) {
    const int in = ::open("/dev/null", O_RDONLY);
    const int err = ::open(stderr_file_.c_str(), O_WRONLY | O_CREAT | O_APPEND, 0600);
    ::dup2(in, STDIN_FILENO);
    ::dup2(out[1], STDOUT_FILENO);
    ::dup2(err, STDERR_FILENO);
    ::close(out[0]);
    for (const char* name : {"EHR_HOST_DATA", "EHR_HOST_PLUGINS", "EHR_HOST_PRACTICE", "EHR_HOST_LOG"})
      ::unsetenv(name);
    std::vector<char*> pointers;
    for (std::string& arg : argv) pointers.push_back(arg.data());
    pointers.push_back(nullptr);
    ::execv(pointers[0], pointers.data());
    ::_exit(127);
  }
  ::close(out[1]);
  stdout_ = out[0];
  // "Serving on http://127.0.0.1:PORT/ ..." once it listens.
  std::string said;
  const auto give_up = std::chrono::steady_clock::now() + std::chrono::seconds(30);
  while (said.find('\n') == std::string::npos && std::chrono::steady_clock::now() < give_up) {
    pollfd ready{stdout_, POLLIN, 0};
    if (::poll(&ready, 1, 100) <= 0) continue;
    char buffer[256];
    const ssize_t got = ::read(stdout_, buffer, sizeof buffer);
    if (got <= 0) break;  // it exited
    said.append(buffer, static_cast<std::size_t>(got));
  }
  const std::string marker = "http://127.0.0.1:";
  const auto at = said.find(marker);
  if (at != std::string::npos) port_ = std::atoi(said.c_str() + at + marker.size());
  if (port_ <= 0) ADD_FAILURE() << "ehr-host serve did not start: " << said << errors();
}

ServedHost::~ServedHost() {
  if (running()) {
    ::kill(pid_, SIGTERM);
    int status = 0;
    ::waitpid(pid_, &status, 0);
    EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0) << "serve stopped badly: " << errors();
  }
  if (stdout_ >= 0) ::close(stdout_);
}

bool ServedHost::running() {
  if (pid_ <= 0) return false;
  int status = 0;
  if (::waitpid(pid_, &status, WNOHANG) == 0) return true;
  pid_ = -1;
  return false;
}

void ServedHost::kill_hard() {
  ASSERT_TRUE(running()) << "it should have been running: " << errors();
  ::kill(pid_, SIGKILL);
  int status = 0;
  ::waitpid(pid_, &status, 0);
  pid_ = -1;
}

std::string ServedHost::errors() const {
  std::ifstream in(stderr_file_);
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

WebSession sign_in(int port, const std::string& user, const std::string& password) {
  WebSession session{port, {}, {}};
  httplib::Client client("127.0.0.1", port);
  const nlohmann::json credentials = {{"user", user}, {"password", password}};
  const httplib::Result answer = client.Post("/api/v1/login", credentials.dump(), "application/json");
  if (!answer || answer->status != 200) {
    ADD_FAILURE() << "sign-in of " << user
                  << " refused: " << (answer ? answer->body : to_string(answer.error()));
    return session;
  }
  const std::string cookie = answer->get_header_value("Set-Cookie");
  session.cookie = cookie.substr(0, cookie.find(';'));
  session.csrf = nlohmann::json::parse(answer->body).value("csrf", "");
  return session;
}

WebAnswer send_message(const WebSession& session, const std::string& subject, const std::string& body) {
  httplib::Client client("127.0.0.1", session.port);
  client.set_read_timeout(std::chrono::seconds(30));
  const httplib::Headers headers = {{"Cookie", session.cookie}, {"X-CSRF-Token", session.csrf}};
  const nlohmann::json form = {{"patient", "p01"}, {"to", {"maria"}}, {"subject", subject}, {"body", body}};
  const httplib::Result answer =
      client.Post("/api/v1/messages/new", headers, form.dump(), "application/json");
  WebAnswer result;
  if (!answer) return result;
  result.status = answer->status;
  result.text = answer->body;
  result.body = nlohmann::json::parse(answer->body, nullptr, false);
  return result;
}

}  // namespace ehr::sample::cli_test

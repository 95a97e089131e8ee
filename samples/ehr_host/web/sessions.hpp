// Signed-in sessions of the web console and portal, and the sign-in throttle. Kept in memory:
// restarting the server signs everyone out.
#pragma once

#include <chrono>
#include <deque>
#include <map>
#include <mutex>
#include <optional>
#include <string>

#include "ehr/host/principal.hpp"

namespace ehr::sample::web {

using Clock = std::chrono::steady_clock;

struct Session {
  std::string id;    // 256 random bits, hex: the cookie value
  std::string csrf;  // 256 random bits, hex: carried by every state-changing form
  ehr::host::Principal who;
  Clock::time_point last_seen;
};

class SessionStore {
 public:
  explicit SessionStore(std::chrono::seconds idle_timeout) : idle_timeout_(idle_timeout) {}

  Session open(const ehr::host::Principal& who);
  // The live session with this id, its idle timer restarted; nothing when unknown or idle too long.
  std::optional<Session> touch(const std::string& id);
  void close(const std::string& id);

 private:
  std::chrono::seconds idle_timeout_;
  std::mutex mutex_;
  std::map<std::string, Session> sessions_;
};

// Refuses sign-in attempts for an account or from an address after too many recent failures.
class LoginThrottle {
 public:
  // An address is shared by everyone behind one NAT, so it is allowed more failures than an account.
  LoginThrottle(std::size_t max_account_failures, std::size_t max_address_failures,
                std::chrono::seconds window)
      : max_account_failures_(max_account_failures),
        max_address_failures_(max_address_failures),
        window_(window) {}

  [[nodiscard]] bool allowed(const std::string& account, const std::string& address);
  void failed(const std::string& account, const std::string& address);
  void succeeded(const std::string& account);

 private:
  bool over_limit(const std::string& key, std::size_t limit, Clock::time_point now);
  std::size_t max_account_failures_;
  std::size_t max_address_failures_;
  std::chrono::seconds window_;
  std::mutex mutex_;
  std::map<std::string, std::deque<Clock::time_point>> failures_;
};

// Constant-time comparison, for tokens.
[[nodiscard]] bool same_token(const std::string& a, const std::string& b);

}  // namespace ehr::sample::web

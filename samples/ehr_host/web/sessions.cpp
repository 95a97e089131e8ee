#include "sessions.hpp"

#include <sodium.h>

#include <array>

namespace ehr::sample::web {

namespace {

std::string random_token() {
  std::array<unsigned char, 32> bytes{};
  randombytes_buf(bytes.data(), bytes.size());
  std::array<char, 2 * 32 + 1> hex{};
  sodium_bin2hex(hex.data(), hex.size(), bytes.data(), bytes.size());
  return std::string(hex.data());
}

}  // namespace

Session SessionStore::open(const ehr::host::Principal& who) {
  Session session{random_token(), random_token(), who, Clock::now()};
  const std::lock_guard lock(mutex_);
  // Expired sessions are dropped here rather than by a timer thread.
  const Clock::time_point now = session.last_seen;
  std::erase_if(sessions_, [&](const auto& entry) { return now - entry.second.last_seen > idle_timeout_; });
  sessions_[session.id] = session;
  return session;
}

std::optional<Session> SessionStore::touch(const std::string& id) {
  const std::lock_guard lock(mutex_);
  const auto found = sessions_.find(id);
  if (found == sessions_.end()) return std::nullopt;
  const Clock::time_point now = Clock::now();
  if (now - found->second.last_seen > idle_timeout_) {
    sessions_.erase(found);
    return std::nullopt;
  }
  found->second.last_seen = now;
  return found->second;
}

void SessionStore::close(const std::string& id) {
  const std::lock_guard lock(mutex_);
  sessions_.erase(id);
}

bool LoginThrottle::over_limit(const std::string& key, std::size_t limit, Clock::time_point now) {
  auto found = failures_.find(key);
  if (found == failures_.end()) return false;
  std::deque<Clock::time_point>& times = found->second;
  while (!times.empty() && now - times.front() > window_) times.pop_front();
  return times.size() >= limit;
}

bool LoginThrottle::allowed(const std::string& account, const std::string& address) {
  const std::lock_guard lock(mutex_);
  const Clock::time_point now = Clock::now();
  return !over_limit("account:" + account, max_account_failures_, now) &&
         !over_limit("address:" + address, max_address_failures_, now);
}

void LoginThrottle::failed(const std::string& account, const std::string& address) {
  const std::lock_guard lock(mutex_);
  const Clock::time_point now = Clock::now();
  failures_["account:" + account].push_back(now);
  failures_["address:" + address].push_back(now);
}

void LoginThrottle::succeeded(const std::string& account) {
  const std::lock_guard lock(mutex_);
  failures_.erase("account:" + account);
}

bool same_token(const std::string& a, const std::string& b) {
  return a.size() == b.size() && !a.empty() && sodium_memcmp(a.data(), b.data(), a.size()) == 0;
}

}  // namespace ehr::sample::web

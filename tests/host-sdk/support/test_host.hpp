// The SDK's tests' host: the shared in-memory PracticeHost (tests/support) with a fixed small
// practice (users with roles, patients, one portal user, a company with two locations), a fixed
// clock, and the knobs these tests turn. Thread-safe.
#pragma once

#include <atomic>
#include <string>
#include <vector>

#include "support/practice_host.hpp"

namespace ehr::host::testing {

class TestHost : public PracticeHost {
 public:
  TestHost();

  std::int64_t now_unix_ms() override { return 1'700'000'000'000; }
  Result<Organization> get_company() override;

  // What plugins logged, in order.
  std::vector<std::string> logs() const { return log_lines(); }

  // Test knobs.
  void grant(const std::string& user_id, const std::string& role_id) { set_role(user_id, role_id, true); }
  void set_company_throws(bool throws) { company_throws_ = throws; }

 private:
  std::atomic<bool> company_throws_{false};
};

}  // namespace ehr::host::testing

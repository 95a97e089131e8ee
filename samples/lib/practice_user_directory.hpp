// The practice's staff users as the SDK's RoleStore needs them (ids and active state).
#pragma once

#include "ehr/host/role_store.hpp"
#include "practice.hpp"

namespace ehr::sample {

[[nodiscard]] ehr::host::User to_host_user(const StaffUser& user);

class PracticeUserDirectory final : public ehr::host::UserDirectory {
 public:
  // OWNERSHIP: borrows `practice`, which must outlive the directory.
  explicit PracticeUserDirectory(const Practice& practice) : practice_(practice) {}

  ehr::host::Result<std::vector<ehr::host::User>> list_users() override;
  ehr::host::Result<ehr::host::User> find_user(std::string_view user_id) override;

 private:
  const Practice& practice_;
};

}  // namespace ehr::sample

#include "practice_user_directory.hpp"

namespace ehr::sample {

ehr::host::User to_host_user(const StaffUser& user) {
  return {user.id, user.name, user.active};
}

ehr::host::Result<std::vector<ehr::host::User>> PracticeUserDirectory::list_users() {
  std::vector<ehr::host::User> users;
  for (const StaffUser& user : practice_.users()) users.push_back(to_host_user(user));
  return users;
}

ehr::host::Result<ehr::host::User> PracticeUserDirectory::find_user(std::string_view user_id) {
  const StaffUser* user = practice_.find_user(user_id);
  if (user == nullptr)
    return ehr::host::Status::not_found("unknown user '" + std::string(user_id) + "'", "user");
  return to_host_user(*user);
}

}  // namespace ehr::sample

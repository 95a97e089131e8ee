#include "ehr/host/role_store.hpp"

namespace ehr::host {

Result<User> UserDirectory::find_user(std::string_view user_id) {
  auto users = list_users();
  if (!users) return users.status();
  for (User& user : *users)
    if (user.id == user_id) return std::move(user);
  return Status::not_found("unknown user " + std::string(user_id), "user_id");
}

struct RoleStore::Impl {};

RoleStore::RoleStore(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
RoleStore::~RoleStore() = default;

Result<std::unique_ptr<RoleStore>> RoleStore::open(const std::filesystem::path&, UserDirectory&,
                                                   std::function<std::int64_t()>) {
  return Status::unsupported("the role store is not implemented yet");
}

}  // namespace ehr::host

namespace ehr::host {
namespace {
Status not_yet() {
  return Status::unsupported("the role store is not implemented yet");
}
}  // namespace
Status RoleStore::declare_role(const RoleDescriptor&) {
  return not_yet();
}
Status RoleStore::declare_section(const RolesSection&) {
  return not_yet();
}
std::vector<RoleDescriptor> RoleStore::declared_roles() const {
  return {};
}
Result<bool> RoleStore::has_role(std::string_view, std::string_view) const {
  return not_yet();
}
Result<std::vector<std::string>> RoleStore::roles_of(std::string_view) const {
  return not_yet();
}
Result<std::vector<std::string>> RoleStore::members(std::string_view) const {
  return not_yet();
}
Result<RoleUpdate> RoleStore::set_role(std::string_view, std::string_view, std::string_view, bool) {
  return not_yet();
}
Result<RoleUpdate> RoleStore::assign_selected(std::string_view, std::string_view,
                                              const std::vector<std::string>&) {
  return not_yet();
}
Result<RoleUpdate> RoleStore::assign_all(std::string_view, std::string_view) {
  return not_yet();
}
Result<RoleUpdate> RoleStore::unassign_selected(std::string_view, std::string_view,
                                                const std::vector<std::string>&) {
  return not_yet();
}
Result<RoleUpdate> RoleStore::unassign_all(std::string_view, std::string_view) {
  return not_yet();
}
Result<bool> RoleStore::seed_initial(const std::vector<RoleAssignment>&) {
  return not_yet();
}
Result<std::vector<RoleChange>> RoleStore::changes() const {
  return not_yet();
}
}  // namespace ehr::host

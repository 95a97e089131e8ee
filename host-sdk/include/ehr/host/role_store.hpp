// RoleStore: role assignments of the host's staff users, kept in SQLite in the host data
// directory, for hosts that do not keep roles themselves.
//
// The store knows the users through a UserDirectory the host implements (ids and active state;
// the host stays the owner of its users) and the roles that were declared to it: the host's own
// (manage_users is always declared) and the roles sections plugins registered. Only holders of
// manage_users may change assignments; every change is recorded (who, whom, role, old -> new,
// when). Bad input (unknown user, unknown role) is refused naming it, and nothing changes.
//
// A plugin's roles are also audited in that plugin's own chain (R-SEC-3): declare_section() of a
// section from Registry::roles_sections() brings the plugin's audit log along, and from then on
// every change of those roles (single, bulk, seeded) is appended there, one record per user
// changed, the whole operation in one plugin transaction, BEFORE the role store commits. So a
// change is never made without its record: if the plugin refuses or fails, the role store rolls
// back and reports why; only a role store commit that fails after the records were written leaves
// records of a change that did not happen, and that failure is reported to the caller.
#pragma once

#include <cstdint>
#include <filesystem>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "ehr/host/host_types.hpp"
#include "ehr/host/roles_section.hpp"
#include "ehr/host/status.hpp"

namespace ehr::host {

// The host role that allows changing role assignments.
inline constexpr std::string_view kManageUsersRole = "manage_users";

// The host's users, as the role store needs them. THREADING: called from the thread that calls
// the RoleStore, under its lock; must not call back into the RoleStore.
class UserDirectory {
 public:
  virtual ~UserDirectory() = default;
  // Every staff user, active or not.
  virtual Result<std::vector<User>> list_users() = 0;
  // Default: searches list_users(). Unknown id: Status::not_found.
  virtual Result<User> find_user(std::string_view user_id);
};

// One recorded change.
struct RoleChange {
  std::int64_t sequence = 0;
  std::int64_t at_unix_ms = 0;
  std::string actor_user_id;  // "(initial)" for seeded assignments
  std::string user_id;
  std::string role_id;
  bool old_assigned = false;
  bool new_assigned = false;
};

// What one operation did. Repeating an operation changes nothing and reports 0 (idempotent).
struct RoleUpdate {
  std::size_t changed = 0;
  std::vector<std::string> changed_user_ids;  // in the order they were changed
};

struct RoleAssignment {
  std::string user_id;
  std::string role_id;
};

// THREADING: thread-safe (one SQLite connection behind a mutex). Several RoleStore objects (or
// processes) may share the file: each operation is one IMMEDIATE transaction.
class RoleStore {
 public:
  static constexpr const char* kFileName = "roles.sqlite3";

  // Opens (creating and migrating if needed) `host_data_directory/roles.sqlite3`.
  // OWNERSHIP: borrows `users`, which must outlive the store. `clock` gives milliseconds since
  // the Unix epoch for the change records; default: the system clock.
  static Result<std::unique_ptr<RoleStore>> open(const std::filesystem::path& host_data_directory,
                                                 UserDirectory& users,
                                                 std::function<std::int64_t()> clock = {});
  ~RoleStore();
  RoleStore(const RoleStore&) = delete;
  RoleStore& operator=(const RoleStore&) = delete;

  // Declares roles that may be assigned. Declaring the same id again with the same text is a
  // no-op; with a different label it is a conflict naming the role. declare_section also
  // remembers the section's audit log (when it has one) as where changes of its roles are audited.
  Status declare_role(const RoleDescriptor& role);
  Status declare_section(const RolesSection& section);
  std::vector<RoleDescriptor> declared_roles() const;

  // Queries. Unknown user or role: not_found naming it.
  Result<bool> has_role(std::string_view user_id, std::string_view role_id) const;
  Result<std::vector<std::string>> roles_of(std::string_view user_id) const;
  // Every holder, active or not, sorted by id.
  Result<std::vector<std::string>> members(std::string_view role_id) const;

  // One user's check box on the user edit page.
  Result<RoleUpdate> set_role(std::string_view actor_user_id, std::string_view user_id,
                              std::string_view role_id, bool assigned);
  // Manage Users > Assign Roles. Atomic: on any error (forbidden, unknown user or
  // role) nothing changes. "All" applies to active users only.
  Result<RoleUpdate> assign_selected(std::string_view actor_user_id, std::string_view role_id,
                                     const std::vector<std::string>& user_ids);
  Result<RoleUpdate> assign_all(std::string_view actor_user_id, std::string_view role_id);
  Result<RoleUpdate> unassign_selected(std::string_view actor_user_id, std::string_view role_id,
                                       const std::vector<std::string>& user_ids);
  Result<RoleUpdate> unassign_all(std::string_view actor_user_id, std::string_view role_id);

  // Applies the host's initial assignments once, when the store file is new; later runs keep
  // what admins changed since. Answers whether it applied them. Recorded with actor "(initial)".
  Result<bool> seed_initial(const std::vector<RoleAssignment>& assignments);

  // Every recorded change, oldest first.
  Result<std::vector<RoleChange>> changes() const;

 private:
  struct Impl;
  explicit RoleStore(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace ehr::host

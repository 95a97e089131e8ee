// Role assignments in SQLite (R-ROLE-2..4). Each change is one IMMEDIATE transaction that checks
// the actor, applies every change and records each one, or does nothing at all.
#include "ehr/host/role_store.hpp"

#include <algorithm>
#include <chrono>
#include <map>
#include <mutex>
#include <optional>
#include <string_view>
#include <unordered_set>

#include "ehr/host/private_files.hpp"
#include "sqlite_database.hpp"

namespace ehr::host {

namespace {

using detail::SqliteDatabase;
using detail::SqliteStatement;
using detail::SqliteTransaction;

constexpr const char* kInitialActor = "(initial)";

// Ordered migrations, each applied in one transaction; PRAGMA user_version is the count applied.
constexpr const char* kMigrations[] = {
    R"sql(
CREATE TABLE role_assignments (
  user_id TEXT NOT NULL,
  role_id TEXT NOT NULL,
  PRIMARY KEY (user_id, role_id)
) WITHOUT ROWID;
CREATE INDEX role_assignments_by_role ON role_assignments (role_id, user_id);
CREATE TABLE role_changes (
  sequence INTEGER PRIMARY KEY AUTOINCREMENT,
  at_unix_ms INTEGER NOT NULL,
  actor_user_id TEXT NOT NULL,
  user_id TEXT NOT NULL,
  role_id TEXT NOT NULL,
  old_assigned INTEGER NOT NULL CHECK (old_assigned IN (0, 1)),
  new_assigned INTEGER NOT NULL CHECK (new_assigned IN (0, 1))
);
-- The change record is an audit trail: it only grows.
CREATE TRIGGER role_changes_no_update BEFORE UPDATE ON role_changes
  BEGIN SELECT RAISE(ABORT, 'role_changes is append-only'); END;
CREATE TRIGGER role_changes_no_delete BEFORE DELETE ON role_changes
  BEGIN SELECT RAISE(ABORT, 'role_changes is append-only'); END;
CREATE TABLE store_facts (fact TEXT PRIMARY KEY, value TEXT NOT NULL) WITHOUT ROWID;
)sql",
};

std::int64_t system_now() {
  using namespace std::chrono;
  return duration_cast<milliseconds>(system_clock::now().time_since_epoch()).count();
}

enum class Scope { selected, all };

// From this many users on, an operation reads the directory and the role's holders once each
// (linear in the directory and the holders) instead of asking per user; below it, per-user keyed
// lookups are cheaper than copying a large directory.
constexpr std::size_t kBulkUsers = 16;

// The statements one operation writes with, prepared once for all of its users.
class ChangeRecorder {
 public:
  ChangeRecorder(sqlite3* db, std::string_view actor, std::string_view role_id, std::int64_t at_unix_ms,
                 bool assigned)
      : change_(db, assigned ? "INSERT INTO role_assignments (user_id, role_id) VALUES (?1, ?2)"
                             : "DELETE FROM role_assignments WHERE user_id = ?1 AND role_id = ?2"),
        audit_(db,
               "INSERT INTO role_changes (at_unix_ms, actor_user_id, user_id, role_id, old_assigned, "
               "new_assigned) VALUES (?1, ?2, ?3, ?4, ?5, ?6)"),
        actor_(actor),
        role_id_(role_id),
        at_unix_ms_(at_unix_ms),
        assigned_(assigned) {}

  // Sets the assignment of one user to `assigned` and records the change.
  Status record(std::string_view user_id) {
    change_.reset().bind(1, user_id).bind(2, role_id_).step();
    if (!change_.status()) return change_.status();
    audit_.reset()
        .bind(1, at_unix_ms_)
        .bind(2, actor_)
        .bind(3, user_id)
        .bind(4, role_id_)
        .bind(5, std::int64_t{assigned_ ? 0 : 1})
        .bind(6, std::int64_t{assigned_ ? 1 : 0})
        .step();
    return audit_.status();
  }

 private:
  SqliteStatement change_;
  SqliteStatement audit_;
  std::string_view actor_;
  std::string_view role_id_;
  std::int64_t at_unix_ms_;
  bool assigned_;
};

}  // namespace

Result<User> UserDirectory::find_user(std::string_view user_id) {
  auto users = list_users();
  if (!users) return users.status();
  for (User& user : *users)
    if (user.id == user_id) return std::move(user);
  return Status::not_found("unknown user " + std::string(user_id), "user_id");
}

struct RoleStore::Impl {
  Impl(SqliteDatabase database, UserDirectory& directory, std::function<std::int64_t()> now)
      : db(std::move(database)), users(directory), clock(std::move(now)) {}

  // One role change at a time in this process. It is held while the declaring plugin records the
  // change, which calls the host, whose callbacks may ask this store (has_role): reads take only
  // `mutex`, and `mutex` is never held across a call into a plugin. Lock order: change_mutex, a
  // host's own locks, mutex.
  std::mutex change_mutex;
  mutable std::mutex mutex;
  SqliteDatabase db;
  UserDirectory& users;
  std::function<std::int64_t()> clock;
  std::vector<RoleDescriptor> roles;
  // Role id -> the audit log of the plugin that declared it (declare_section).
  std::map<std::string, AuditLog, std::less<>> audited_in;

  Status migrate();
  // Appends one record per changed user to the declaring plugin's chain, before the role store
  // changes anything, holding change_mutex but not `mutex`.
  static Status record_in_chain(const AuditLog& log, std::string_view actor, std::string_view role_id,
                                bool assigned, const std::vector<std::string>& user_ids);
  Status check_role(std::string_view role_id) const;
  Result<User> check_user(std::string_view user_id, const char* field) const;
  // The distinct users of `selected`, in order, once each is known to the directory.
  Result<std::vector<std::string>> check_users(const std::vector<std::string>& selected) const;
  Result<bool> holds(std::string_view user_id, std::string_view role_id) const;
  Result<std::unordered_set<std::string>> holders(std::string_view role_id) const;
  Status check_actor(std::string_view actor_user_id) const;
  Result<RoleUpdate> apply(std::string_view actor, std::string_view role_id, Scope scope,
                           const std::vector<std::string>& selected, bool assigned);
};

Status RoleStore::Impl::migrate() {
  SqliteStatement version(db.handle(), "PRAGMA user_version");
  if (!version.step())
    return version.status().is_ok() ? Status::storage("cannot read the schema version") : version.status();
  const std::int64_t applied = version.integer(0);
  const auto known = static_cast<std::int64_t>(std::size(kMigrations));
  if (applied > known)
    return Status::storage("the role store was written by a newer SDK (schema " + std::to_string(applied) +
                           ", this SDK knows " + std::to_string(known) + ")");
  for (std::int64_t next = applied; next < known; ++next) {
    SqliteTransaction transaction(db);
    if (!transaction.begun().is_ok()) return transaction.begun();
    if (Status status = db.execute(kMigrations[next]); !status) return status;
    // user_version cannot be bound; the value is our own loop counter, not input.
    const std::string set_version = "PRAGMA user_version=" + std::to_string(next + 1);
    if (Status status = db.execute(set_version.c_str()); !status) return status;
    if (Status status = transaction.commit(); !status) return status;
  }
  return Status();
}

Status RoleStore::Impl::check_role(std::string_view role_id) const {
  const bool declared =
      std::any_of(roles.begin(), roles.end(), [&](const RoleDescriptor& role) { return role.id == role_id; });
  if (!declared) return Status::not_found("unknown role " + std::string(role_id), "role_id");
  return Status();
}

Result<User> RoleStore::Impl::check_user(std::string_view user_id, const char* field) const {
  auto user = users.find_user(user_id);
  if (!user) {
    if (user.status().code() == EHR_STATUS_NOT_FOUND)
      return Status::not_found("unknown user " + std::string(user_id), field);
    return user.status();
  }
  return user;
}

Result<std::vector<std::string>> RoleStore::Impl::check_users(
    const std::vector<std::string>& selected) const {
  std::vector<std::string> distinct;
  std::unordered_set<std::string_view> seen;
  if (selected.size() < kBulkUsers) {
    for (const std::string& user_id : selected) {
      auto user = check_user(user_id, "user_id");
      if (!user) return user.status();
      if (seen.insert(user_id).second) distinct.push_back(user_id);
    }
    return distinct;
  }
  // One directory read indexed by id, not a lookup per user (the default find_user would scan
  // the whole directory for each of them).
  auto everyone = users.list_users();
  if (!everyone) return everyone.status();
  std::unordered_set<std::string_view> known;
  known.reserve(everyone->size());
  for (const User& user : *everyone) known.insert(user.id);
  for (const std::string& user_id : selected) {
    if (known.count(user_id) == 0) return Status::not_found("unknown user " + user_id, "user_id");
    if (seen.insert(user_id).second) distinct.push_back(user_id);
  }
  return distinct;
}

Result<bool> RoleStore::Impl::holds(std::string_view user_id, std::string_view role_id) const {
  SqliteStatement query(db.handle(), "SELECT 1 FROM role_assignments WHERE user_id = ?1 AND role_id = ?2");
  query.bind(1, user_id).bind(2, role_id);
  const bool found = query.step();
  if (!query.status()) return query.status();
  return found;
}

Result<std::unordered_set<std::string>> RoleStore::Impl::holders(std::string_view role_id) const {
  SqliteStatement query(db.handle(), "SELECT user_id FROM role_assignments WHERE role_id = ?1");
  query.bind(1, role_id);
  std::unordered_set<std::string> found;
  while (query.step()) found.insert(query.text(0));
  if (!query.status()) return query.status();
  return found;
}

Status RoleStore::Impl::record_in_chain(const AuditLog& log, std::string_view actor, std::string_view role_id,
                                        bool assigned, const std::vector<std::string>& user_ids) {
  if (user_ids.empty()) return Status();
  std::vector<AuditEvent> events;
  events.reserve(user_ids.size());
  const std::string detail = std::string(role_id) + (assigned ? ": off -> on" : ": on -> off");
  for (const std::string& user_id : user_ids) {
    AuditEvent event;
    event.actor = Principal{PrincipalKind::staff, std::string(actor)};
    event.action = assigned ? "role.assign" : "role.unassign";
    event.target = "user:" + user_id;
    event.outcome = "ok";
    event.detail = detail;
    events.push_back(std::move(event));
  }
  Status recorded = log.append_host_records(events);
  if (recorded) return recorded;
  return Status(recorded.code(),
                "role " + std::string(role_id) + " was not changed: plugin " + log.plugin_id() +
                    " could not audit the change: " + recorded.message(),
                recorded.field(), recorded.deny_reason());
}

// R-ROLE-4: only an active holder of manage_users may change assignments.
Status RoleStore::Impl::check_actor(std::string_view actor_user_id) const {
  auto actor = check_user(actor_user_id, "actor_user_id");
  if (!actor) return actor.status();
  if (!actor->active)
    return Status::forbidden("user " + actor->id + " is inactive and may not change role assignments");
  auto allowed = holds(actor_user_id, kManageUsersRole);
  if (!allowed) return allowed.status();
  if (!*allowed)
    return Status::forbidden("user " + actor->id + " may not change role assignments: it lacks the role " +
                             std::string(kManageUsersRole));
  return Status();
}

Result<RoleUpdate> RoleStore::Impl::apply(std::string_view actor, std::string_view role_id, Scope scope,
                                          const std::vector<std::string>& selected, bool assigned) {
  std::lock_guard one_change(change_mutex);
  RoleUpdate update;
  std::optional<AuditLog> chain;
  {
    std::lock_guard lock(mutex);
    if (Status status = check_role(role_id); !status) return status;

    // Who the operation is about, checked in full before anything changes.
    std::vector<std::string> targets;
    if (scope == Scope::all) {
      auto everyone = users.list_users();
      if (!everyone) return everyone.status();
      for (const User& user : *everyone)
        if (user.active) targets.push_back(user.id);  // R-ROLE-3: "All" ignores inactive users
    } else {
      auto checked = check_users(selected);
      if (!checked) return checked.status();
      targets = std::move(*checked);
    }
    if (Status status = check_actor(actor); !status) return status;
    const bool bulk = targets.size() >= kBulkUsers;
    std::unordered_set<std::string> current;
    if (bulk) {
      auto read = holders(role_id);
      if (!read) return read.status();
      current = std::move(*read);
    }
    for (const std::string& user_id : targets) {
      bool held = false;
      if (bulk) {
        held = current.count(user_id) > 0;
      } else {
        auto asked = holds(user_id, role_id);
        if (!asked) return asked.status();
        held = *asked;
      }
      if (held != assigned) update.changed_user_ids.push_back(user_id);  // idempotent otherwise
    }
    if (const auto log = audited_in.find(role_id); log != audited_in.end()) chain.emplace(log->second);
  }
  // In the plugin's chain first, so that nothing changes unaudited; with no lock of `mutex` held,
  // since the plugin calls the host and the host's callbacks may read this store. Other changes in
  // this process wait on change_mutex, so what was read above still holds; another process sharing
  // the file could change a role in between, and its change is then audited twice at worst.
  if (chain) {
    if (Status status = record_in_chain(*chain, actor, role_id, assigned, update.changed_user_ids); !status)
      return status;
  }
  std::lock_guard lock(mutex);
  SqliteTransaction transaction(db);
  if (!transaction.begun().is_ok()) return transaction.begun();
  ChangeRecorder recorder(db.handle(), actor, role_id, clock(), assigned);
  for (const std::string& user_id : update.changed_user_ids)
    if (Status status = recorder.record(user_id); !status) return status;
  if (Status status = transaction.commit(); !status) return status;
  update.changed = update.changed_user_ids.size();
  return update;
}

RoleStore::RoleStore(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
RoleStore::~RoleStore() = default;

Result<std::unique_ptr<RoleStore>> RoleStore::open(const std::filesystem::path& host_data_directory,
                                                   UserDirectory& users,
                                                   std::function<std::int64_t()> clock) {
  if (Status made = make_private_directory(host_data_directory); !made) return made;
  auto db = SqliteDatabase::open(host_data_directory / kFileName);
  if (!db) return db.status();
  auto impl = std::make_unique<Impl>(std::move(*db), users, clock ? std::move(clock) : system_now);
  if (Status migrated = impl->migrate(); !migrated) return migrated;
  impl->roles.push_back(RoleDescriptor{std::string(kManageUsersRole), "Manage users",
                                       "May assign and remove roles of other users"});
  return std::unique_ptr<RoleStore>(new RoleStore(std::move(impl)));
}

Status RoleStore::declare_role(const RoleDescriptor& role) {
  if (role.id.empty()) return Status::invalid_argument("role_id", "a role needs an id");
  std::lock_guard lock(impl_->mutex);
  for (const RoleDescriptor& known : impl_->roles) {
    if (known.id != role.id) continue;
    if (known.label == role.label) return Status();
    return Status::conflict("role " + role.id + " is already declared with the label \"" + known.label +
                            "\"");
  }
  impl_->roles.push_back(role);
  return Status();
}

Status RoleStore::declare_section(const RolesSection& section) {
  for (const RoleDescriptor& role : section.roles) {
    if (Status status = declare_role(role); !status) return status;
    // A plugin built before 1.1 cannot take host records: its roles keep the role store's record.
    if (section.audit_log && section.audit_log->records_host_changes()) {
      std::lock_guard lock(impl_->mutex);
      impl_->audited_in.insert_or_assign(role.id, *section.audit_log);
    }
  }
  return Status();
}

std::vector<RoleDescriptor> RoleStore::declared_roles() const {
  std::lock_guard lock(impl_->mutex);
  return impl_->roles;
}

Result<bool> RoleStore::has_role(std::string_view user_id, std::string_view role_id) const {
  std::lock_guard lock(impl_->mutex);
  if (Status status = impl_->check_role(role_id); !status) return status;
  auto user = impl_->check_user(user_id, "user_id");
  if (!user) return user.status();
  return impl_->holds(user_id, role_id);
}

Result<std::vector<std::string>> RoleStore::roles_of(std::string_view user_id) const {
  std::lock_guard lock(impl_->mutex);
  auto user = impl_->check_user(user_id, "user_id");
  if (!user) return user.status();
  SqliteStatement query(impl_->db.handle(),
                        "SELECT role_id FROM role_assignments WHERE user_id = ?1 ORDER BY role_id");
  query.bind(1, user_id);
  std::vector<std::string> out;
  while (query.step()) out.push_back(query.text(0));
  if (!query.status()) return query.status();
  return out;
}

Result<std::vector<std::string>> RoleStore::members(std::string_view role_id) const {
  std::lock_guard lock(impl_->mutex);
  if (Status status = impl_->check_role(role_id); !status) return status;
  SqliteStatement query(impl_->db.handle(),
                        "SELECT user_id FROM role_assignments WHERE role_id = ?1 ORDER BY user_id");
  query.bind(1, role_id);
  std::vector<std::string> out;
  while (query.step()) out.push_back(query.text(0));
  if (!query.status()) return query.status();
  return out;
}

Result<RoleUpdate> RoleStore::set_role(std::string_view actor_user_id, std::string_view user_id,
                                       std::string_view role_id, bool assigned) {
  return impl_->apply(actor_user_id, role_id, Scope::selected, {std::string(user_id)}, assigned);
}

Result<RoleUpdate> RoleStore::assign_selected(std::string_view actor_user_id, std::string_view role_id,
                                              const std::vector<std::string>& user_ids) {
  return impl_->apply(actor_user_id, role_id, Scope::selected, user_ids, true);
}

Result<RoleUpdate> RoleStore::assign_all(std::string_view actor_user_id, std::string_view role_id) {
  return impl_->apply(actor_user_id, role_id, Scope::all, {}, true);
}

Result<RoleUpdate> RoleStore::unassign_selected(std::string_view actor_user_id, std::string_view role_id,
                                                const std::vector<std::string>& user_ids) {
  return impl_->apply(actor_user_id, role_id, Scope::selected, user_ids, false);
}

Result<RoleUpdate> RoleStore::unassign_all(std::string_view actor_user_id, std::string_view role_id) {
  return impl_->apply(actor_user_id, role_id, Scope::all, {}, false);
}

Result<bool> RoleStore::seed_initial(const std::vector<RoleAssignment>& assignments) {
  // As apply(): worked out under `mutex`, recorded in the plugins' chains with `mutex` released
  // (the plugin calls the host, whose callbacks may read this store), then written.
  std::lock_guard one_change(impl_->change_mutex);
  std::map<std::string, std::vector<std::string>, std::less<>> seeded_users;  // by role
  std::vector<std::pair<AuditLog, std::string>> chains;                       // with their role
  {
    std::lock_guard lock(impl_->mutex);
    for (const RoleAssignment& assignment : assignments) {
      if (Status status = impl_->check_role(assignment.role_id); !status) return status;
      auto user = impl_->check_user(assignment.user_id, "user_id");
      if (!user) return user.status();
    }
    SqliteStatement seeded(impl_->db.handle(), "SELECT 1 FROM store_facts WHERE fact = 'seeded'");
    const bool already = seeded.step();
    if (!seeded.status()) return seeded.status();
    if (already) return false;
    for (const RoleAssignment& assignment : assignments) {
      auto held = impl_->holds(assignment.user_id, assignment.role_id);
      if (!held) return held.status();
      std::vector<std::string>& users = seeded_users[assignment.role_id];
      if (!*held && std::find(users.begin(), users.end(), assignment.user_id) == users.end())
        users.push_back(assignment.user_id);
    }
    for (const auto& [role_id, user_ids] : seeded_users)
      if (const auto log = impl_->audited_in.find(role_id); log != impl_->audited_in.end())
        chains.emplace_back(log->second, role_id);
  }
  for (const auto& [log, role_id] : chains)
    if (Status status = Impl::record_in_chain(log, kInitialActor, role_id, true, seeded_users[role_id]);
        !status)
      return status;
  std::lock_guard lock(impl_->mutex);
  SqliteTransaction transaction(impl_->db);
  if (!transaction.begun().is_ok()) return transaction.begun();
  const std::int64_t now = impl_->clock();
  for (const auto& [role_id, user_ids] : seeded_users) {
    ChangeRecorder recorder(impl_->db.handle(), kInitialActor, role_id, now, true);
    for (const std::string& user_id : user_ids)
      if (Status status = recorder.record(user_id); !status) return status;
  }
  SqliteStatement mark(impl_->db.handle(), "INSERT INTO store_facts (fact, value) VALUES ('seeded', '1')");
  mark.step();
  if (!mark.status()) return mark.status();
  if (Status status = transaction.commit(); !status) return status;
  return true;
}

Result<std::vector<RoleChange>> RoleStore::changes() const {
  std::lock_guard lock(impl_->mutex);
  SqliteStatement query(
      impl_->db.handle(),
      "SELECT sequence, at_unix_ms, actor_user_id, user_id, role_id, old_assigned, new_assigned "
      "FROM role_changes ORDER BY sequence");
  std::vector<RoleChange> out;
  while (query.step())
    out.push_back(RoleChange{query.integer(0), query.integer(1), query.text(2), query.text(3), query.text(4),
                             query.integer(5) != 0, query.integer(6) != 0});
  if (!query.status()) return query.status();
  return out;
}

}  // namespace ehr::host

// Role assignments (R-ROLE-2..4) on the storage library the plugin uses (storage/store.hpp): a
// SQLite file in the host data directory, or a PostgreSQL database several hosts share, as the
// host admin's host.conf chooses (host_storage.hpp). Each change is one write transaction that
// applies every change and records each one, or does nothing at all.
#include "ehr/host/role_store.hpp"

#include <algorithm>
#include <chrono>
#include <map>
#include <mutex>
#include <optional>
#include <string_view>
#include <unordered_set>

#include "ehr/host/private_files.hpp"
#include "host_storage.hpp"
#include "storage/error.hpp"
#include "storage/migrations.hpp"
#include "storage/transaction.hpp"

namespace ehr::host {

namespace {

using storage::Dialect;
using storage::Migration;
using storage::Statement;
using storage::Transaction;
using storage::TransactionMode;

constexpr const char* kInitialActor = "(initial)";

// The SQLite steps: version 1 is the schema every roles.sqlite3 has had. Its tables already exist
// in a file written before the storage library (PRAGMA user_version 1, no schema_migrations), so
// step 1 creates only what is missing and leaves such a file's tables and rows as they are; it
// keeps user_version at 1, so an older SDK still opens the file.
constexpr Migration kSqliteSteps[] = {
    {1, "role assignments and their change record", R"sql(
CREATE TABLE IF NOT EXISTS role_assignments (
  user_id TEXT NOT NULL,
  role_id TEXT NOT NULL,
  PRIMARY KEY (user_id, role_id)
) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS role_assignments_by_role ON role_assignments (role_id, user_id);
CREATE TABLE IF NOT EXISTS role_changes (
  sequence INTEGER PRIMARY KEY AUTOINCREMENT,
  at_unix_ms INTEGER NOT NULL,
  actor_user_id TEXT NOT NULL,
  user_id TEXT NOT NULL,
  role_id TEXT NOT NULL,
  old_assigned INTEGER NOT NULL CHECK (old_assigned IN (0, 1)),
  new_assigned INTEGER NOT NULL CHECK (new_assigned IN (0, 1))
);
-- The change record is an audit trail: it only grows.
CREATE TRIGGER IF NOT EXISTS role_changes_no_update BEFORE UPDATE ON role_changes
  BEGIN SELECT RAISE(ABORT, 'role_changes is append-only'); END;
CREATE TRIGGER IF NOT EXISTS role_changes_no_delete BEFORE DELETE ON role_changes
  BEGIN SELECT RAISE(ABORT, 'role_changes is append-only'); END;
CREATE TABLE IF NOT EXISTS store_facts (fact TEXT PRIMARY KEY, value TEXT NOT NULL) WITHOUT ROWID;
PRAGMA user_version = 1;
)sql"},
    // The change record is append-only (its triggers refuse UPDATE and DELETE), so the highest
    // sequence is never removed and SQLite's rowid already numbers new records past it:
    // AUTOINCREMENT only added a write of sqlite_sequence to every INSERT statement, one per user
    // in a bulk operation. The table is rebuilt without it, every record and sequence kept.
    // user_version stays 1: an earlier SDK still opens the file, and its inserts still number on.
    {2, "role change record numbered by rowid, without AUTOINCREMENT", R"sql(
CREATE TABLE role_changes_rebuilt (
  sequence INTEGER PRIMARY KEY,
  at_unix_ms INTEGER NOT NULL,
  actor_user_id TEXT NOT NULL,
  user_id TEXT NOT NULL,
  role_id TEXT NOT NULL,
  old_assigned INTEGER NOT NULL CHECK (old_assigned IN (0, 1)),
  new_assigned INTEGER NOT NULL CHECK (new_assigned IN (0, 1))
);
INSERT INTO role_changes_rebuilt (sequence, at_unix_ms, actor_user_id, user_id, role_id, old_assigned, new_assigned)
  SELECT sequence, at_unix_ms, actor_user_id, user_id, role_id, old_assigned, new_assigned FROM role_changes;
DROP TABLE role_changes;
ALTER TABLE role_changes_rebuilt RENAME TO role_changes;
CREATE TRIGGER role_changes_no_update BEFORE UPDATE ON role_changes
  BEGIN SELECT RAISE(ABORT, 'role_changes is append-only'); END;
CREATE TRIGGER role_changes_no_delete BEFORE DELETE ON role_changes
  BEGIN SELECT RAISE(ABORT, 'role_changes is append-only'); END;
DELETE FROM sqlite_sequence WHERE name = 'role_changes';
)sql"},
};

// The PostgreSQL steps, the same schema. The database may be the plugin's too: every name here
// starts with role_ (the plugin has none such), and the SDK's versions are kept in
// role_schema_migrations, apart from the plugin's schema_migrations.
constexpr Migration kPostgresqlSteps[] = {
    {1, "role assignments and their change record", R"sql(
CREATE TABLE role_assignments (
  user_id text NOT NULL,
  role_id text NOT NULL,
  PRIMARY KEY (user_id, role_id)
);
CREATE INDEX role_assignments_by_role ON role_assignments (role_id, user_id);
CREATE TABLE role_changes (
  sequence bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  at_unix_ms bigint NOT NULL,
  actor_user_id text NOT NULL,
  user_id text NOT NULL,
  role_id text NOT NULL,
  old_assigned bigint NOT NULL CHECK (old_assigned IN (0, 1)),
  new_assigned bigint NOT NULL CHECK (new_assigned IN (0, 1))
);
-- The change record is an audit trail: it only grows.
CREATE FUNCTION role_changes_refuse_change() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  RAISE EXCEPTION 'role_changes is append-only';
END
$$;
CREATE TRIGGER role_changes_no_update BEFORE UPDATE OR DELETE ON role_changes
  FOR EACH ROW EXECUTE FUNCTION role_changes_refuse_change();
CREATE TRIGGER role_changes_no_truncate BEFORE TRUNCATE ON role_changes
  FOR EACH STATEMENT EXECUTE FUNCTION role_changes_refuse_change();
CREATE TABLE role_store_facts (fact text PRIMARY KEY, value text NOT NULL);
)sql"},
};

// The one table whose name differs: SQLite files have always called it store_facts.
const char* facts_table(Dialect dialect) {
  return dialect == Dialect::sqlite ? "store_facts" : "role_store_facts";
}

// The storage library throws; the SDK answers with a Status carrying the same code, message and
// field (the library never puts a value or a connection string into a message).
Status from_error(const storage::Error& error) {
  return Status(error.code(), error.what(), error.field(), static_cast<ehr_deny_reason>(error.reason()));
}

std::int64_t system_now() {
  using namespace std::chrono;
  return duration_cast<milliseconds>(system_clock::now().time_since_epoch()).count();
}

enum class Scope { selected, all };

// From this many users on, an operation reads the directory and the role's holders once each
// (linear in the directory and the holders) instead of asking per user; below it, per-user keyed
// lookups are cheaper than copying a large directory.
constexpr std::size_t kBulkUsers = 16;

// Writes one operation's changes: each user's assignment and its change record.
//
// SQLite: two statements prepared once for all of the users. What every user shares (the role,
// the actor, the time, the direction) is bound once: a statement keeps its bindings across reset,
// and each bound text is copied, which was a tenth of a bulk assignment.
//
// PostgreSQL, where each statement waited for is a round trip: one statement per user writes both
// rows (the change record only where the assignment changed), and the users' statements go in
// pipelined chunks, one round trip per chunk rather than two per user (10,000 users took 3 s).
class ChangeRecorder {
 public:
  ChangeRecorder(Transaction& tx, std::string_view actor, std::string_view role_id, std::int64_t at_unix_ms,
                 bool assigned)
      : tx_(tx), actor_(actor), role_id_(role_id), at_unix_ms_(at_unix_ms), assigned_(assigned) {}

  // Sets each user's assignment to the operation's and records the change; returns the users whose
  // assignment changed, in order. One that already was so (another host sharing the store made the
  // same change since this one read it) is left out and nothing is recorded for it. Throws
  // storage::Error.
  std::vector<std::string> record(std::vector<std::string> user_ids) {
    std::vector<std::string> changed;
    if (tx_.dialect() == Dialect::postgresql) {
      for (std::size_t first = 0; first < user_ids.size(); first += kChunk) {
        const std::size_t end = std::min(user_ids.size(), first + kChunk);
        std::vector<Statement> sent;
        sent.reserve(end - first);
        for (std::size_t i = first; i < end; ++i) sent.push_back(send_both(user_ids[i]));
        for (std::size_t i = first; i < end; ++i) {
          Statement& statement = sent[i - first];
          statement.run();
          if (statement.changes() == 1) changed.push_back(std::move(user_ids[i]));
        }
      }
      return changed;
    }
    // The count of changed rows, not RETURNING, says whether it was so already: SQLite runs a
    // RETURNING statement through a temporary table, which doubled a bulk assignment's cost.
    Statement change =
        tx_.prepare(assigned_ ? "INSERT INTO role_assignments (user_id, role_id) VALUES (?1, ?2) "
                                "ON CONFLICT DO NOTHING"
                              : "DELETE FROM role_assignments WHERE user_id = ?1 AND role_id = ?2");
    Statement audit = tx_.prepare(
        "INSERT INTO role_changes (at_unix_ms, actor_user_id, user_id, role_id, old_assigned, new_assigned) "
        "VALUES (?1, ?2, ?3, ?4, ?5, ?6)");
    change.bind(2, role_id_);
    audit.bind(1, at_unix_ms_).bind(2, actor_).bind(4, role_id_).bind(5, old_value()).bind(6, new_value());
    for (std::string& user_id : user_ids) {
      change.reset();
      change.bind(1, user_id).run();
      if (change.changes() == 0) continue;
      audit.reset();
      audit.bind(3, user_id).run();
      changed.push_back(std::move(user_id));
    }
    return changed;
  }

 private:
  // Users whose statements go in one round trip: small enough that what the server answers while
  // the client is still sending never fills the socket (both sides would then wait).
  static constexpr std::size_t kChunk = 256;

  Statement send_both(const std::string& user_id) {
    // The change record is written from the rows the change returned: none where it was so already.
    static constexpr const char* kRecordChanged =
        "INSERT INTO role_changes (at_unix_ms, actor_user_id, user_id, role_id, old_assigned, new_assigned) "
        "SELECT CAST(?3 AS BIGINT), CAST(?4 AS TEXT), user_id, CAST(?2 AS TEXT), CAST(?5 AS BIGINT), "
        "CAST(?6 AS BIGINT) FROM changed";
    static const std::string assign_sql =
        std::string(
            "WITH changed AS (INSERT INTO role_assignments (user_id, role_id) VALUES (?1, ?2) "
            "ON CONFLICT DO NOTHING RETURNING user_id) ") +
        kRecordChanged;
    static const std::string unassign_sql =
        std::string(
            "WITH changed AS (DELETE FROM role_assignments WHERE user_id = ?1 AND role_id = ?2 "
            "RETURNING user_id) ") +
        kRecordChanged;
    Statement both = tx_.prepare(assigned_ ? assign_sql : unassign_sql);
    both.bind_all(user_id, role_id_, at_unix_ms_, actor_, old_value(), new_value()).send();
    return both;
  }
  [[nodiscard]] std::int64_t old_value() const { return assigned_ ? 0 : 1; }
  [[nodiscard]] std::int64_t new_value() const { return assigned_ ? 1 : 0; }

  Transaction& tx_;
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
  Impl(std::unique_ptr<storage::Store> opened, UserDirectory& directory, std::function<std::int64_t()> now)
      : store(std::move(opened)), users(directory), clock(std::move(now)) {}

  // One role change at a time in this process. It is held while the declaring plugin records the
  // change, which calls the host, whose callbacks may ask this store (has_role): reads take only
  // `mutex`, and `mutex` is never held across a call into a plugin. Lock order: change_mutex, a
  // host's own locks, mutex.
  std::mutex change_mutex;
  mutable std::mutex mutex;
  std::unique_ptr<storage::Store> store;
  UserDirectory& users;
  std::function<std::int64_t()> clock;
  std::vector<RoleDescriptor> roles;
  // Role id -> the audit log of the plugin that declared it (declare_section).
  std::map<std::string, AuditLog, std::less<>> audited_in;

  // Appends one record per changed user to the declaring plugin's chain, before the role store
  // changes anything, holding change_mutex but not `mutex`.
  static Status record_in_chain(const AuditLog& log, std::string_view actor, std::string_view role_id,
                                bool assigned, const std::vector<std::string>& user_ids);
  Status check_role(std::string_view role_id) const;
  Result<User> check_user(std::string_view user_id, const char* field) const;
  // The distinct users of `selected`, in order, once each is known to the directory.
  Result<std::vector<std::string>> check_users(const std::vector<std::string>& selected) const;
  // Reads in `tx`; throw storage::Error.
  static bool holds(Transaction& tx, std::string_view user_id, std::string_view role_id);
  static std::unordered_set<std::string> holders(Transaction& tx, std::string_view role_id);
  Status check_actor(Transaction& tx, std::string_view actor_user_id) const;
  Result<RoleUpdate> apply(std::string_view actor, std::string_view role_id, Scope scope,
                           const std::vector<std::string>& selected, bool assigned);
};

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

bool RoleStore::Impl::holds(Transaction& tx, std::string_view user_id, std::string_view role_id) {
  return tx.prepare("SELECT 1 FROM role_assignments WHERE user_id = ?1 AND role_id = ?2")
      .bind(1, user_id)
      .bind(2, role_id)
      .step();
}

std::unordered_set<std::string> RoleStore::Impl::holders(Transaction& tx, std::string_view role_id) {
  auto query = tx.prepare("SELECT user_id FROM role_assignments WHERE role_id = ?1");
  query.bind(1, role_id);
  std::unordered_set<std::string> found;
  while (query.step()) found.insert(query.text(0));
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
Status RoleStore::Impl::check_actor(Transaction& tx, std::string_view actor_user_id) const {
  auto actor = check_user(actor_user_id, "actor_user_id");
  if (!actor) return actor.status();
  if (!actor->active)
    return Status::forbidden("user " + actor->id + " is inactive and may not change role assignments");
  if (!holds(tx, actor_user_id, kManageUsersRole))
    return Status::forbidden("user " + actor->id + " may not change role assignments: it lacks the role " +
                             std::string(kManageUsersRole));
  return Status();
}

Result<RoleUpdate> RoleStore::Impl::apply(std::string_view actor, std::string_view role_id, Scope scope,
                                          const std::vector<std::string>& selected, bool assigned) try {
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
    // One snapshot for the actor's right and the holders.
    Transaction read(*store, TransactionMode::read);
    if (Status status = check_actor(read, actor); !status) return status;
    const bool bulk = targets.size() >= kBulkUsers;
    std::unordered_set<std::string> current;
    if (bulk) current = holders(read, role_id);
    for (const std::string& user_id : targets) {
      const bool held = bulk ? current.count(user_id) > 0 : holds(read, user_id, role_id);
      if (held != assigned) update.changed_user_ids.push_back(user_id);  // idempotent otherwise
    }
    if (const auto log = audited_in.find(role_id); log != audited_in.end()) chain.emplace(log->second);
  }
  // In the plugin's chain first, so that nothing changes unaudited; with no lock of `mutex` held,
  // since the plugin calls the host and the host's callbacks may read this store. Other changes in
  // this process wait on change_mutex, so what was read above still holds; another host sharing
  // the store could make the same change in between: it is then in the plugin's chain twice at
  // worst, while the write below skips what is already so (and reports only what it changed).
  if (chain) {
    if (Status status = record_in_chain(*chain, actor, role_id, assigned, update.changed_user_ids); !status)
      return status;
  }
  std::lock_guard lock(mutex);
  if (!update.changed_user_ids.empty()) {
    Transaction tx(*store);
    std::vector<std::string> changed =
        ChangeRecorder(tx, actor, role_id, clock(), assigned).record(std::move(update.changed_user_ids));
    tx.commit();
    update.changed_user_ids = std::move(changed);
  }
  update.changed = update.changed_user_ids.size();
  return update;
} catch (const storage::Error& error) {
  return from_error(error);
}

RoleStore::RoleStore(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
RoleStore::~RoleStore() = default;

Result<std::unique_ptr<RoleStore>> RoleStore::open(const std::filesystem::path& host_data_directory,
                                                   UserDirectory& users,
                                                   std::function<std::int64_t()> clock) {
  if (Status made = make_private_directory(host_data_directory); !made) return made;
  auto choice = detail::read_host_storage(host_data_directory);
  if (!choice) return choice.status();
  auto opened = detail::open_role_store(host_data_directory, *choice, kSqliteSteps, kPostgresqlSteps);
  if (!opened) return opened.status();
  auto impl = std::make_unique<Impl>(std::move(*opened), users, clock ? std::move(clock) : system_now);
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

Result<bool> RoleStore::has_role(std::string_view user_id, std::string_view role_id) const try {
  std::lock_guard lock(impl_->mutex);
  if (Status status = impl_->check_role(role_id); !status) return status;
  auto user = impl_->check_user(user_id, "user_id");
  if (!user) return user.status();
  Transaction tx(*impl_->store, TransactionMode::read);
  return Impl::holds(tx, user_id, role_id);
} catch (const storage::Error& error) {
  return from_error(error);
}

Result<std::vector<std::string>> RoleStore::roles_of(std::string_view user_id) const try {
  std::lock_guard lock(impl_->mutex);
  auto user = impl_->check_user(user_id, "user_id");
  if (!user) return user.status();
  Transaction tx(*impl_->store, TransactionMode::read);
  auto query = tx.prepare("SELECT role_id FROM role_assignments WHERE user_id = ?1 ORDER BY role_id");
  query.bind(1, user_id);
  std::vector<std::string> out;
  while (query.step()) out.push_back(query.text(0));
  return out;
} catch (const storage::Error& error) {
  return from_error(error);
}

Result<std::vector<std::string>> RoleStore::members(std::string_view role_id) const try {
  std::lock_guard lock(impl_->mutex);
  if (Status status = impl_->check_role(role_id); !status) return status;
  Transaction tx(*impl_->store, TransactionMode::read);
  auto query = tx.prepare("SELECT user_id FROM role_assignments WHERE role_id = ?1 ORDER BY user_id");
  query.bind(1, role_id);
  std::vector<std::string> out;
  while (query.step()) out.push_back(query.text(0));
  return out;
} catch (const storage::Error& error) {
  return from_error(error);
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

Result<bool> RoleStore::seed_initial(const std::vector<RoleAssignment>& assignments) try {
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
    Transaction read(*impl_->store, TransactionMode::read);
    const std::string seeded_sql =
        std::string("SELECT 1 FROM ") + facts_table(read.dialect()) + " WHERE fact = 'seeded'";
    if (read.prepare(seeded_sql).step()) return false;
    for (const RoleAssignment& assignment : assignments) {
      const bool held = Impl::holds(read, assignment.user_id, assignment.role_id);
      std::vector<std::string>& users = seeded_users[assignment.role_id];
      if (!held && std::find(users.begin(), users.end(), assignment.user_id) == users.end())
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
  Transaction tx(*impl_->store);
  // Another host sharing the store may have seeded since the check above (two hosts starting at
  // once on a new database): the fact is claimed first, under the store's write lock, and the host
  // that finds it taken writes nothing (seeded once, in all). Claimed after the assignments, the
  // second host's first assignment met the first host's and failed its start.
  const std::string mark_sql =
      std::string("INSERT INTO ") + facts_table(tx.dialect()) +
      " (fact, value) VALUES ('seeded', '1') ON CONFLICT (fact) DO NOTHING RETURNING fact";
  if (!tx.prepare(mark_sql).step()) return false;
  const std::int64_t now = impl_->clock();
  for (const auto& [role_id, user_ids] : seeded_users) {
    (void)ChangeRecorder(tx, kInitialActor, role_id, now, true).record(user_ids);
  }
  tx.commit();
  return true;
} catch (const storage::Error& error) {
  return from_error(error);
}

Result<std::vector<RoleChange>> RoleStore::changes() const try {
  std::lock_guard lock(impl_->mutex);
  Transaction tx(*impl_->store, TransactionMode::read);
  auto query = tx.prepare(
      "SELECT sequence, at_unix_ms, actor_user_id, user_id, role_id, old_assigned, new_assigned "
      "FROM role_changes ORDER BY sequence");
  std::vector<RoleChange> out;
  while (query.step())
    out.push_back(RoleChange{query.int64(0), query.int64(1), query.text(2), query.text(3), query.text(4),
                             query.int64(5) != 0, query.int64(6) != 0});
  return out;
} catch (const storage::Error& error) {
  return from_error(error);
}

}  // namespace ehr::host

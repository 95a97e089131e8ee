#include "sample_host.hpp"

#include <algorithm>
#include <fstream>
#include <iostream>
#include <set>
#include <sstream>
#include <system_error>

#include "card_number_guard.hpp"
#include "command_line.hpp"
#include "ehr/host/private_files.hpp"
#include "practice_file.hpp"

namespace ehr::sample::cli {

namespace host = ehr::host;

void fail(const host::Status& status, std::string_view hint) {
  int exit_code = kExitError;
  switch (status.code()) {
    case EHR_STATUS_NOT_FOUND:
      exit_code = kExitNotFound;
      break;
    case EHR_STATUS_FORBIDDEN:
    case EHR_STATUS_INVALID_ARGUMENT:
    case EHR_STATUS_REJECTED:
    case EHR_STATUS_DISABLED:
    case EHR_STATUS_CONFLICT:
      exit_code = kExitRefused;
      break;
    default:
      break;
  }
  // The plugin refuses an unknown chart or person as a messaging decision (forbidden, with the
  // reason); for the admin it is an unknown id like any other.
  if (status.deny_reason() == EHR_DENY_UNKNOWN_PATIENT || status.deny_reason() == EHR_DENY_UNKNOWN_USER)
    exit_code = kExitNotFound;
  // The status word is in --json's "status"; on stderr the plugin's sentence says it better.
  std::string message = status.message().empty() ? status.code_name() : status.message();
  if (!hint.empty()) {
    if (message.ends_with('.')) message.pop_back();
    message += hint;
  }
  throw CommandError(exit_code, std::move(message), status.code_name(), status.field(),
                     deny_reason_name(status.deny_reason()));
}

std::string deny_reason_name(ehr_deny_reason reason) {
  // The ABI owns the words; an allowed decision has no reason to print.
  return reason == EHR_DENY_NONE ? std::string() : std::string(ehr_deny_reason_name(reason));
}

std::vector<host::TrustedKey> read_trusted_keys(const std::filesystem::path& file) {
  std::ifstream in(file);
  if (!in) throw CommandError(kExitError, "cannot read the trusted keys file " + file.string());
  std::vector<host::TrustedKey> keys;
  std::size_t number = 0;
  for (std::string line; std::getline(in, line);) {
    ++number;
    std::istringstream words(line);
    host::TrustedKey key;
    std::string extra;
    if (!(words >> key.key_id) || key.key_id.front() == '#') continue;
    if (!(words >> key.public_key_base64) || (words >> extra))
      throw CommandError(kExitError,
                         file.string() + ":" + std::to_string(number) +
                             ": expected \"KEY_ID PUBLIC_KEY_BASE64\" (as `ehr-sign keygen` prints it)");
    keys.push_back(std::move(key));
  }
  return keys;
}

SampleHost::SampleHost(const HostPaths& paths, host::LogLevel log_threshold) : paths_(paths) {
  if (host::Status made = host::make_private_directory(paths_.data_directory); !made)
    throw CommandError(kExitError, made.message());
  try {
    practice_ = std::make_unique<Practice>(load_practice_file(paths_.practice_file));
  } catch (const PracticeFileError& bad) {
    throw CommandError(kExitError, std::string("bad practice file: ") + bad.what());
  }
  directory_ = std::make_unique<PracticeUserDirectory>(*practice_);
  // The plugins' keys (and the notification store's), outside every database: the key file in
  // the data directory, created on first start, or EHR_HOST_KEYS (R-SEC-2).
  keys_ = checked(host::KeyStore::open(paths_.data_directory));
  try {
    notifications_ =
        std::make_unique<NotificationStore>(paths_.data_directory / "notifications.sqlite3", *keys_);
  } catch (const std::runtime_error& bad) {
    throw CommandError(kExitError, bad.what());
  }
  roles_ = checked(host::RoleStore::open(paths_.data_directory, *directory_));
  services_ =
      std::make_unique<PracticeHostServices>(*practice_, *roles_, *notifications_, *keys_,
                                             paths_.data_directory / "host-audit.jsonl", log_threshold);

  host::PluginManagerOptions options;
  options.plugins_directory = paths_.plugins_directory;
  options.host_data_directory = paths_.data_directory;
  if (!paths_.trusted_keys_file.empty()) options.trusted_keys = read_trusted_keys(paths_.trusted_keys_file);
  options.require_signatures = paths_.require_signatures;
  // An admin turns a newly installed plugin on with `plugins enable`; nothing starts by itself.
  options.enable_new_plugins = false;
  plugins_ = std::make_unique<host::PluginManager>(options, *services_);
  checked(plugins_->discover());
  declare_and_seed_roles();
  install_sample_hooks();
}

SampleHost::~SampleHost() {
  hooks_.clear();
  if (plugins_) plugins_->shutdown();
}

// The reference host is also an integrator: it refuses payment card numbers in portal messages
// (samples/hooks/card_number_guard.hpp) wherever a plugin offers a before_store hook point.
void SampleHost::install_sample_hooks() {
  for (const host::Hooks& hooks : plugins_->registry().hooks()) {
    const std::vector<host::HookPointInfo> points = checked(hooks.list_points());
    const bool offers = std::any_of(points.begin(), points.end(), [](const host::HookPointInfo& point) {
      return point.point == host::HookPoint::before_store;
    });
    if (offers) hooks_.push_back(checked(hooks.add(host::HookPoint::before_store, card_number_guard)));
  }
}

// Roles come from the plugins (their manifests, even when a plugin failed to load, so that
// assignments are not lost while it is broken) and from the host itself (manage_users).
void SampleHost::declare_and_seed_roles() {
  for (const host::PluginInfo& plugin : plugins_->list()) {
    if (!plugin.manifest) continue;
    for (const host::RoleDescriptor& role : plugin.manifest->roles) checked(roles_->declare_role(role));
  }
  for (const host::RolesSection& section : plugins_->registry().roles_sections()) {
    checked(roles_->declare_section(section));
  }
  std::set<std::string> declared;
  for (const host::RoleDescriptor& role : roles_->declared_roles()) declared.insert(role.id);

  std::vector<host::RoleAssignment> initial;
  for (const StaffUser& user : practice_->users()) {
    for (const std::string& role : user.roles) {
      if (!declared.contains(role)) {
        // Seeding happens once; seeding without this role would lose it for good.
        std::cerr << "ehr-host: role '" << role << "' of user '" << user.id
                  << "' is declared by no plugin here; initial role assignments wait until it is\n";
        return;
      }
      initial.push_back({user.id, role});
    }
  }
  checked(roles_->seed_initial(initial));
}

host::SettingsPages SampleHost::settings_pages() const {
  auto pages = plugins_->registry().settings_pages();
  if (pages.empty()) {
    throw CommandError(kExitError, "no loaded plugin offers settings pages (see `ehr-host plugins list`)");
  }
  return pages.front();
}

host::MessagingChannel SampleHost::channel() const {
  auto channels = plugins_->registry().channels();
  if (channels.empty()) {
    throw CommandError(kExitError,
                       "no loaded plugin offers a messaging channel (see `ehr-host plugins list`)");
  }
  return channels.front();
}

host::AuditLog SampleHost::audit_log() const {
  auto logs = plugins_->registry().audit_logs();
  if (logs.empty())
    throw CommandError(kExitError, "no loaded plugin offers an audit log (see `ehr-host plugins list`)");
  return logs.front();
}

std::vector<RoleSectionView> SampleHost::role_sections() const {
  std::vector<RoleSectionView> sections;
  std::set<std::string> shown;
  for (const host::RolesSection& section : plugins_->registry().roles_sections()) {
    sections.push_back({section.title, section.plugin_id, section.roles});
    for (const host::RoleDescriptor& role : section.roles) shown.insert(role.id);
  }
  RoleSectionView other{"Host roles", "", {}};
  for (const host::RoleDescriptor& role : roles_->declared_roles()) {
    if (!shown.contains(role.id)) other.roles.push_back(role);
  }
  if (!other.roles.empty()) sections.insert(sections.begin(), std::move(other));
  return sections;
}

namespace {
[[noreturn]] void not_found(const char* what, std::string_view id, std::string_view hint = {}) {
  throw CommandError(kExitNotFound,
                     std::string("unknown ") + what + " '" + std::string(id) + "'" + std::string(hint),
                     "not found", what);
}
}  // namespace

const StaffUser& SampleHost::user(std::string_view id) const {
  const StaffUser* user = practice_->find_user(id);
  if (user == nullptr) {
    // The commonest slip: a portal user's id where a staff user (or a principal) is expected.
    if (practice_->find_portal_user(id) != nullptr)
      not_found("user", id,
                "; " + std::string(id) +
                    " is a portal user, and portal users are written portal:" + std::string(id));
    not_found("user", id);
  }
  return *user;
}

const StaffUser& SampleHost::authorized(std::string_view user_id, std::string_view role,
                                        std::string_view doing) const {
  const StaffUser& actor = user(user_id);
  // The practice file's inactive users keep their roles on paper but may not act.
  const bool allowed = actor.active && (role.empty() || checked(roles_->has_role(actor.id, role)));
  if (!allowed) {
    const std::string needs =
        role.empty() ? std::string("an active account")
                     : "the role " + std::string(role) + (actor.active ? "" : " and an active account");
    throw CommandError(kExitRefused, actor.id + " may not " + std::string(doing) + " (needs " + needs + ")",
                       "forbidden");
  }
  return actor;
}

const Patient& SampleHost::patient(std::string_view id) const {
  const Patient* patient = practice_->find_patient(id);
  if (patient == nullptr) not_found("patient", id);
  return *patient;
}

const PortalUser& SampleHost::portal_user(std::string_view id) const {
  const PortalUser* user = practice_->find_portal_user(id);
  if (user == nullptr) {
    if (practice_->find_user(id) != nullptr)
      not_found("portal user", id, "; " + std::string(id) + " is a staff user, written without portal:");
    not_found("portal user", id);
  }
  return *user;
}

const Organization& SampleHost::location(std::string_view id) const {
  const Organization* location = practice_->find_location(id);
  if (location == nullptr) not_found("location", id);
  return *location;
}

host::Principal SampleHost::principal(std::string_view text) const {
  if (text.starts_with("portal:")) {
    const std::string id(text.substr(7));
    (void)portal_user(id);
    return host::Principal::portal_user(id);
  }
  if (text.starts_with("staff:")) text.remove_prefix(6);
  (void)user(text);
  return host::Principal::staff(std::string(text));
}

std::string SampleHost::display_name(const host::Principal& principal) const {
  if (principal.kind == host::PrincipalKind::portal_user) {
    const PortalUser* user = practice_->find_portal_user(principal.id);
    return user != nullptr ? user->name : principal.id;
  }
  const StaffUser* user = practice_->find_user(principal.id);
  return user != nullptr ? user->name : principal.id;
}

std::string principal_text(const host::Principal& principal) {
  return principal.kind == host::PrincipalKind::portal_user ? "portal:" + principal.id : principal.id;
}

}  // namespace ehr::sample::cli

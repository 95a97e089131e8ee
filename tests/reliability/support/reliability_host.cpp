#include "support/reliability_host.hpp"

#include <set>
#include <stdexcept>

#include "practice_file.hpp"

namespace ehr::reliability {

namespace host = ehr::host;

namespace {

template <class T>
T must(host::Result<T> result, const char* what) {
  if (!result) throw std::runtime_error(std::string(what) + ": " + result.status().to_string());
  return std::move(*result);
}

void must(const host::Status& status, const char* what) {
  if (!status) throw std::runtime_error(std::string(what) + ": " + status.to_string());
}

}  // namespace

std::string practice_xml(const PracticeNames& names) {
  return R"(<practice master="true">
  <company name="Reliable Health" alias="" address="1 Main St" phone="555-0100"
           portal-url="https://portal.reliable.example"/>
  <location id="north" name="North Clinic" alias="" address="2 North Rd" phone="555-0101"/>
  <location id="south" name="South Clinic" alias="" address="3 South Rd" phone="555-0102"/>
  <user id="admin" name="Ada Admin" active="true" roles="manage_users manage_portal_settings"/>
  <user id="drlee" name="Dr. Lee" active="true" roles="available_for_portal_messages"/>
  <user id="nurse" name="Nurse Kim" active="true" roles="available_for_portal_messages"/>
  <patient id="p1" name=")" +
         names.patient_name + R"(" location="north" care-team="drlee nurse"/>
  <patient id="p2" name=")" +
         names.other_patient_name + R"(" location="north" care-team="drlee"/>
  <portal-user id="pat1" name=")" +
         names.portal_user_name + R"(" kind="patient" contacts="p1" active="true"
               email=")" +
         names.portal_email + R"("/>
  <portal-user id="pat2" name="Portal Two" kind="patient" contacts="p2" active="true"
               email="portal.two@mail.example"/>
</practice>
)";
}

ReliabilityHost::ReliabilityHost(Options options) : options_(std::move(options)) {
  std::filesystem::create_directories(options_.data_directory);
  practice_ = std::make_unique<sample::Practice>(sample::parse_practice(options_.practice, "practice.xml"));
  directory_ = std::make_unique<sample::PracticeUserDirectory>(*practice_);
  // Kept in the data directory, as ehr-host keeps them: a restarted host reads what it wrote.
  keys_ = must(host::KeyStore::open(options_.data_directory), "key store");
  notifications_ =
      std::make_unique<sample::NotificationStore>(options_.data_directory / "notifications.sqlite3", *keys_);
  roles_ = must(host::RoleStore::open(options_.data_directory, *directory_), "role store");
  services_ = std::make_unique<sample::PracticeHostServices>(*practice_, *roles_, *notifications_, *keys_,
                                                             options_.data_directory / "host-audit.jsonl",
                                                             host::LogLevel::error);
  recording_ = std::make_unique<RecordingServices>(*services_);

  host::PluginManagerOptions manager = options_.manager;
  manager.plugins_directory = options_.plugins_directory;
  manager.host_data_directory = options_.data_directory;
  plugins_ = std::make_unique<host::PluginManager>(manager, *recording_);
  if (options_.before_discover) options_.before_discover();
  must(plugins_->discover(), "discover");

  // Roles as the reference host declares and seeds them (once, when the store is new).
  for (const host::RolesSection& section : plugins_->registry().roles_sections())
    must(roles_->declare_section(section), "declare roles");
  std::set<std::string> declared;
  for (const host::RoleDescriptor& role : roles_->declared_roles()) declared.insert(role.id);
  std::vector<host::RoleAssignment> initial;
  for (const sample::StaffUser& user : practice_->users()) {
    for (const std::string& role : user.roles) {
      if (declared.contains(role)) initial.push_back({user.id, role});
    }
  }
  (void)must(roles_->seed_initial(initial), "seed roles");

  if (options_.turn_messaging_on && !plugins_->registry().settings_pages().empty()) {
    must(settings().save_page("admin", "north", {{"my_messages", "on"}}), "turn My Messages on");
  }
}

ReliabilityHost::~ReliabilityHost() {
  if (plugins_) plugins_->shutdown();
}

host::MessagingChannel ReliabilityHost::channel() const {
  const auto channels = plugins_->registry().channels();
  if (channels.empty()) throw std::runtime_error("no plugin registered a messaging channel");
  return channels.front();
}

host::SettingsPages ReliabilityHost::settings() const {
  const auto pages = plugins_->registry().settings_pages();
  if (pages.empty()) throw std::runtime_error("no plugin registered settings pages");
  return pages.front();
}

host::AuditLog ReliabilityHost::audit() const {
  const auto logs = plugins_->registry().audit_logs();
  if (logs.empty()) throw std::runtime_error("no plugin registered an audit log");
  return logs.front();
}

}  // namespace ehr::reliability

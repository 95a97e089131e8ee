// Loads the installed plugins through the installed SDK and lists them.
#include <ehr/host/host.hpp>
#include <iostream>

namespace {

class NoPractice : public ehr::host::HostServices {
 public:
  void log(ehr::host::LogLevel, std::string_view message) override { std::cerr << message << "\n"; }
  ehr::host::Result<ehr::host::User> get_user(std::string_view) override { return none(); }
  ehr::host::Result<bool> user_has_role(std::string_view, std::string_view) override { return none(); }
  ehr::host::Result<std::vector<ehr::host::User>> list_users_with_role(std::string_view) override {
    return std::vector<ehr::host::User>{};
  }
  ehr::host::Result<ehr::host::Patient> get_patient(std::string_view) override { return none(); }
  ehr::host::Result<std::vector<std::string>> list_care_team(std::string_view) override { return none(); }
  ehr::host::Result<ehr::host::PortalUser> get_portal_user(std::string_view) override { return none(); }
  ehr::host::Result<std::vector<ehr::host::PortalUser>> list_patient_contacts(std::string_view) override {
    return none();
  }
  ehr::host::Result<std::vector<std::string>> list_contact_charts(std::string_view) override {
    return none();
  }
  ehr::host::Result<ehr::host::Organization> get_company() override {
    return ehr::host::Organization{"", "Consumer Clinic", "", "", "", "", false};
  }
  ehr::host::Result<std::vector<ehr::host::Organization>> list_locations() override {
    return std::vector<ehr::host::Organization>{};
  }
  ehr::host::OptionalServices optional_services() const override { return {true, true, true}; }
  ehr::host::Result<ehr::host::Key> get_key(ehr::host::KeyPurpose purpose, std::uint32_t key_id) override {
    return keys->get(purpose, key_id);
  }
  std::unique_ptr<ehr::host::KeyStore> keys;
  ehr::host::Status notify(const ehr::host::Notification&) override { return {}; }
  ehr::host::Status audit(const ehr::host::AuditEvent&) override { return {}; }

 private:
  static ehr::host::Status none() { return ehr::host::Status::not_found("this host has no practice data"); }
};

}  // namespace

int main(int argc, char** argv) {
  if (argc != 3) return 2;
  NoPractice host;
  auto keys = ehr::host::KeyStore::open(argv[2]);
  if (!keys) {
    std::cerr << keys.status() << "\n";
    return 1;
  }
  host.keys = std::move(*keys);
  ehr::host::PluginManagerOptions options;
  options.plugins_directory = argv[1];
  options.host_data_directory = argv[2];
  ehr::host::PluginManager manager(options, host);
  if (auto status = manager.discover(); !status) {
    std::cerr << status << "\n";
    return 1;
  }
  for (const auto& plugin : manager.list())
    std::cout << plugin.id << " " << ehr::host::to_string(plugin.state) << " " << plugin.failure << "\n";
  return 0;
}

// The real portal_messaging module, loaded with dlopen and driven through its one exported symbol,
// the way the C ABI promises any host may: negotiation, init (and its failures), registrations.
#include <dlfcn.h>
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "ehr/plugin.h"
#include "support/temp_dir.hpp"
#include "support/test_host.hpp"

namespace ehr::portal {
namespace {

const std::filesystem::path kPluginsDir = EHR_PLUGINS_DIR;

std::string text(ehr_str s) {
  return s.data != nullptr ? std::string(s.data, s.size) : std::string();
}
ehr_str view(const std::string& s) {
  return {s.data(), s.size()};
}

// Takes the plugin's error, checks it carries its own release, frees it, returns its message.
std::string take(ehr_error* error) {
  if (error == nullptr) return "(no error object)";
  EXPECT_EQ(error->struct_type, static_cast<uint32_t>(EHR_STRUCT_ERROR));
  EXPECT_NE(error->release, nullptr);
  std::string message = text(error->message);
  ehr_error_free(error);
  return message;
}

// What the plugin registered during on_init, as a minimal C host records it.
struct Registrations {
  const ehr_settings_api* settings_api = nullptr;
  ehr_settings* settings = nullptr;
  std::string roles_title;
  std::vector<std::pair<std::string, std::string>> roles;
  const ehr_hooks_api* hooks_api = nullptr;
  ehr_hooks* hooks = nullptr;
  const ehr_audit_api* audit_api = nullptr;
  ehr_audit* audit = nullptr;

  static ehr_status on_settings(void* r, const ehr_settings_api* api, ehr_settings* settings, ehr_error**) {
    static_cast<Registrations*>(r)->settings_api = api;
    static_cast<Registrations*>(r)->settings = settings;
    return EHR_STATUS_OK;
  }
  static ehr_status on_roles(void* r, const ehr_roles_section* section, ehr_error**) {
    auto* self = static_cast<Registrations*>(r);
    self->roles_title = text(section->title);
    for (size_t i = 0; i < section->role_count; ++i) {
      self->roles.emplace_back(text(section->roles[i].id), text(section->roles[i].label));
      EXPECT_FALSE(text(section->roles[i].description).empty());
    }
    return EHR_STATUS_OK;
  }
  static ehr_status on_hooks(void* r, const ehr_hooks_api* api, ehr_hooks* hooks, ehr_error**) {
    static_cast<Registrations*>(r)->hooks_api = api;
    static_cast<Registrations*>(r)->hooks = hooks;
    return EHR_STATUS_OK;
  }
  static ehr_status on_audit(void* r, const ehr_audit_api* api, ehr_audit* audit, ehr_error**) {
    static_cast<Registrations*>(r)->audit_api = api;
    static_cast<Registrations*>(r)->audit = audit;
    return EHR_STATUS_OK;
  }

  ehr_registrar registrar() {
    ehr_registrar r{};
    r.struct_type = EHR_STRUCT_REGISTRAR;
    r.struct_size = sizeof r;
    r.registrar = this;
    r.register_settings = &on_settings;
    r.register_roles_section = &on_roles;
    r.register_hooks = &on_hooks;
    r.register_audit = &on_audit;
    return r;
  }
};

class PluginEntryTest : public ::testing::Test {
 protected:
  void SetUp() override {
    library_ = dlopen((kPluginsDir / "portal_messaging.so").c_str(), RTLD_NOW | RTLD_LOCAL);
    ASSERT_NE(library_, nullptr) << dlerror();
    negotiate_ = reinterpret_cast<ehr_plugin_negotiate_fn>(dlsym(library_, EHR_PLUGIN_ENTRY_POINT));
    ASSERT_NE(negotiate_, nullptr);
    host_.add_user("admin", "Ada Admin", true, {"manage_portal_settings"});
  }
  void TearDown() override {
    if (plugin_ != nullptr) api_->on_shutdown(plugin_);
    // The library stays mapped, as hosts keep it (DESIGN rule 8).
  }

  ehr_negotiation offer(uint32_t min, uint32_t max) {
    ehr_negotiation n{};
    n.struct_type = EHR_STRUCT_NEGOTIATION;
    n.struct_size = sizeof n;
    n.host_min_version = min;
    n.host_max_version = max;
    return n;
  }

  ehr_status init(const std::string& schema, ehr_error** error) {
    ehr_negotiation n = offer(EHR_ABI_VERSION, EHR_ABI_VERSION);
    EXPECT_EQ(negotiate_(&n, nullptr), EHR_STATUS_OK);
    api_ = n.plugin_api;
    data_ = dir_.path().string();
    schema_ = schema;
    ehr_init_params params{};
    params.struct_type = EHR_STRUCT_INIT_PARAMS;
    params.struct_size = sizeof params;
    params.host = host_.table();
    params.data_directory = view(data_);
    params.settings_schema_path = view(schema_);
    registrar_ = registrations_.registrar();
    return api_->on_init(&params, &registrar_, &plugin_, error);
  }

  void* library_ = nullptr;
  ehr_plugin_negotiate_fn negotiate_ = nullptr;
  const ehr_plugin_api* api_ = nullptr;
  ehr_plugin* plugin_ = nullptr;
  test::TempDir dir_;
  test::TestHost host_;
  Registrations registrations_;
  ehr_registrar registrar_{};
  std::string data_, schema_;
};

TEST_F(PluginEntryTest, NegotiatesTheNewestCommonVersion) {
  auto n = offer(EHR_MAKE_VERSION(1, 0), EHR_MAKE_VERSION(1, 7));
  ASSERT_EQ(negotiate_(&n, nullptr), EHR_STATUS_OK);
  EXPECT_EQ(n.chosen_version, EHR_ABI_VERSION);
  ASSERT_NE(n.plugin_api, nullptr);
  EXPECT_EQ(text(n.plugin_api->plugin_id), "portal-messaging");
  EXPECT_NE(n.plugin_api->on_init, nullptr);
  EXPECT_NE(n.plugin_api->on_shutdown, nullptr);
}

TEST_F(PluginEntryTest, RefusesAnotherMajorVersionSayingWhich) {
  auto n = offer(EHR_MAKE_VERSION(2, 0), EHR_MAKE_VERSION(2, 3));
  ehr_error* error = nullptr;
  EXPECT_EQ(negotiate_(&n, &error), EHR_STATUS_VERSION_MISMATCH);
  const auto message = take(error);
  EXPECT_NE(message.find("major 1"), std::string::npos) << message;
  EXPECT_NE(message.find("2.0"), std::string::npos) << message;
  EXPECT_EQ(n.plugin_api, nullptr);
}

TEST_F(PluginEntryTest, RefusesAHostWhoseFloorIsAboveWhatItSpeaks) {
  auto n =
      offer(EHR_MAKE_VERSION(1, EHR_ABI_VERSION_MINOR + 1), EHR_MAKE_VERSION(1, EHR_ABI_VERSION_MINOR + 2));
  ehr_error* error = nullptr;
  EXPECT_EQ(negotiate_(&n, &error), EHR_STATUS_VERSION_MISMATCH);
  EXPECT_NE(take(error).find("up to 1."), std::string::npos);
}

TEST_F(PluginEntryTest, RefusesAMalformedNegotiation) {
  auto n = offer(EHR_ABI_VERSION, EHR_ABI_VERSION);
  n.struct_size = 8;
  ehr_error* error = nullptr;
  EXPECT_EQ(negotiate_(&n, &error), EHR_STATUS_INVALID_ARGUMENT);
  take(error);
  EXPECT_EQ(negotiate_(nullptr, nullptr), EHR_STATUS_INVALID_ARGUMENT);  // and without an error out
}

TEST_F(PluginEntryTest, InitRegistersSettingsRolesHooksAndAudit) {  // R-ROLE-1
  ehr_error* error = nullptr;
  ASSERT_EQ(init(kPluginsDir / "portal-settings.xml", &error), EHR_STATUS_OK) << take(error);
  ASSERT_NE(plugin_, nullptr);
  EXPECT_NE(registrations_.settings_api, nullptr);
  EXPECT_NE(registrations_.hooks_api, nullptr);
  EXPECT_NE(registrations_.audit_api, nullptr);
  EXPECT_EQ(registrations_.roles_title, "Patient Portal roles");
  EXPECT_EQ(registrations_.roles, (std::vector<std::pair<std::string, std::string>>{
                                      {"manage_portal_settings", "Manage Portal Settings"},
                                      {"available_for_portal_messages", "Available for portal messages"}}));
  EXPECT_TRUE(std::filesystem::exists(dir_ / "portal.db"));
}

TEST_F(PluginEntryTest, InitWithABadSchemaFailsNamingFileAndLine) {
  const auto bad = dir_ / "portal-settings.xml";
  std::ofstream(bad) << "<settings-schema id=\"portal\">\n  <field>\n</settings-schema>\n";
  ehr_error* error = nullptr;
  EXPECT_EQ(init(bad, &error), EHR_STATUS_INVALID_ARGUMENT);
  const auto message = take(error);
  EXPECT_NE(message.find(bad.string() + ":"), std::string::npos) << message;
  EXPECT_EQ(plugin_, nullptr);
}

TEST_F(PluginEntryTest, InitWithoutValidParamsFailsCleanly) {
  ehr_negotiation n = offer(EHR_ABI_VERSION, EHR_ABI_VERSION);
  ASSERT_EQ(negotiate_(&n, nullptr), EHR_STATUS_OK);
  ehr_registrar registrar = registrations_.registrar();
  ehr_error* error = nullptr;
  EXPECT_EQ(n.plugin_api->on_init(nullptr, &registrar, &plugin_, &error), EHR_STATUS_INVALID_ARGUMENT);
  take(error);
  EXPECT_EQ(plugin_, nullptr);
  n.plugin_api->on_shutdown(nullptr);  // accepts NULL
}

TEST_F(PluginEntryTest, SettingsCallsCatchEverythingAndAnswerWithAStatus) {
  ehr_error* error = nullptr;
  ASSERT_EQ(init(kPluginsDir / "portal-settings.xml", &error), EHR_STATUS_OK) << take(error);
  const auto* api = registrations_.settings_api;
  // No sink, no handle, values without a count: each answered, none crashes.
  EXPECT_EQ(api->describe_page(registrations_.settings, view("admin"), {}, nullptr, nullptr, &error),
            EHR_STATUS_INVALID_ARGUMENT);
  take(error);
  EXPECT_EQ(api->save_page(nullptr, view("admin"), {}, nullptr, 0, &error), EHR_STATUS_INVALID_ARGUMENT);
  take(error);
  EXPECT_EQ(api->save_page(registrations_.settings, view("admin"), {}, nullptr, 2, &error),
            EHR_STATUS_INVALID_ARGUMENT);
  take(error);
  const std::string key = "my_messages", on = "on";
  ehr_setting_value value{EHR_STRUCT_SETTING_VALUE, sizeof(ehr_setting_value), view(key), view(on)};
  ASSERT_EQ(api->save_page(registrations_.settings, view("admin"), {}, &value, 1, &error), EHR_STATUS_OK)
      << take(error);
  ehr_audit_verify_result result{};
  result.struct_size = sizeof result;
  ASSERT_EQ(registrations_.audit_api->verify(registrations_.audit, &result, &error), EHR_STATUS_OK);
  EXPECT_EQ(result.ok, 1u);
  EXPECT_EQ(result.records_checked, 1u);
}

}  // namespace
}  // namespace ehr::portal

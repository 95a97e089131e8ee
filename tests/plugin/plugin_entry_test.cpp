// The real portal_messaging module, loaded with dlopen and driven through its one exported symbol,
// the way the C ABI promises any host may: negotiation, init (and its failures), registrations.
#include <dlfcn.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <cstring>
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
const std::string kSchemaFile = (kPluginsDir / "portal-settings.xml").string();

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
  const ehr_channel_api* channel_api = nullptr;
  ehr_channel* channel = nullptr;

  static ehr_status on_settings(void* r, const ehr_settings_api* api, ehr_settings* settings, ehr_error**) {
    static_cast<Registrations*>(r)->settings_api = api;
    static_cast<Registrations*>(r)->settings = settings;
    return EHR_STATUS_OK;
  }
  static ehr_status on_roles(void* r, const ehr_roles_section* section, ehr_error**) {
    auto* self = static_cast<Registrations*>(r);
    self->roles_title = text(section->title);
    // Elements are stepped by their own struct_size (common.h).
    const auto* element = reinterpret_cast<const unsigned char*>(section->roles);
    for (size_t i = 0; i < section->role_count; ++i) {
      const auto* role = reinterpret_cast<const ehr_role_descriptor*>(element);
      self->roles.emplace_back(text(role->id), text(role->label));
      EXPECT_FALSE(text(role->description).empty());
      element += role->struct_size;
    }
    return EHR_STATUS_OK;
  }
  static ehr_status on_channel(void* r, ehr_str, const ehr_channel_api* api, ehr_channel* channel,
                               ehr_error**) {
    static_cast<Registrations*>(r)->channel_api = api;
    static_cast<Registrations*>(r)->channel = channel;
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
    r.register_channel = &on_channel;
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

  // `config` and `params_size` as a host passes them: a 1.0 host's params end before config.
  ehr_status init(const std::string& schema, ehr_error** error,
                  const std::vector<ehr_config_entry>& config = {},
                  uint32_t params_size = sizeof(ehr_init_params)) {
    ehr_negotiation n = offer(EHR_ABI_VERSION, EHR_ABI_VERSION);
    EXPECT_EQ(negotiate_(&n, nullptr), EHR_STATUS_OK);
    api_ = n.plugin_api;
    data_ = dir_.path().string();
    schema_ = schema;
    ehr_init_params params{};
    params.struct_type = EHR_STRUCT_INIT_PARAMS;
    params.struct_size = params_size;
    params.host = host_.table();
    params.data_directory = view(data_);
    params.settings_schema_path = view(schema_);
    params.config = config.empty() ? nullptr : config.data();
    params.config_count = config.size();
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

ehr_config_entry config_entry(const char* key, const char* value) {
  ehr_config_entry entry{};
  entry.struct_type = EHR_STRUCT_CONFIG_ENTRY;
  entry.struct_size = sizeof entry;
  entry.key = {key, std::strlen(key)};
  entry.value = {value, std::strlen(value)};
  return entry;
}

// plugin.h (since 1.1): a key the plugin does not know stops init, naming every such key and never
// a value, which may be a secret.
TEST_F(PluginEntryTest, ConfigKeysThePluginDoesNotKnowAreRefusedNamingThem) {
  ehr_error* error = nullptr;
  EXPECT_EQ(
      init(kSchemaFile, &error,
           {config_entry("webhok.url", "http://secret-host.example/"), config_entry("storrage", "sqlite")}),
      EHR_STATUS_INVALID_ARGUMENT);
  ASSERT_NE(error, nullptr);
  EXPECT_EQ(text(error->field), "config");
  const std::string message = take(error);
  EXPECT_NE(message.find("unknown configuration key 'webhok.url', 'storrage'"), std::string::npos) << message;
  EXPECT_EQ(message.find("secret-host"), std::string::npos) << message;
  EXPECT_EQ(plugin_, nullptr);
}

// common.h: the config array is stepped by each element's struct_size, and an element of another
// type is refused naming its index.
TEST_F(PluginEntryTest, ConfigEntriesAreCheckedElementByElement) {
  std::vector<ehr_config_entry> config = {config_entry("a", "1"), config_entry("b", "2")};
  config[1].struct_type = EHR_STRUCT_PRINCIPAL;
  ehr_error* error = nullptr;
  EXPECT_EQ(init(kSchemaFile, &error, config), EHR_STATUS_INVALID_ARGUMENT);
  const std::string message = take(error);
  EXPECT_NE(message.find("config[1] is not a valid ehr_config_entry"), std::string::npos) << message;
  EXPECT_EQ(plugin_, nullptr);
}

// A host built against 1.0 passes 1.0-sized params: whatever follows them is not the plugin's to read.
TEST_F(PluginEntryTest, ConfigBeyondA10HostsParamsIsNotRead) {
  ehr_error* error = nullptr;
  EXPECT_EQ(init(kSchemaFile, &error, {config_entry("not.a.key", "x")},
                 static_cast<uint32_t>(EHR_SIZE_THROUGH(ehr_init_params, manifest_directory))),
            EHR_STATUS_OK)
      << take(error);
  EXPECT_NE(plugin_, nullptr);
}

// R-SEC-2: message text is never stored in clear behind the admin's back. A host without a key
// service (get_key NULL, or a 1.0 table that ends before it) is refused, saying why and how to opt out.
TEST_F(PluginEntryTest, R_SEC_2_WithoutAKeyServiceInitIsRefusedSayingTextWouldBeStoredInClear) {
  for (const bool older_table : {false, true}) {
    test::TestHost host;
    if (older_table) {
      host.drop_optional_services();
    } else {
      host.drop_key_service();
    }
    ehr_negotiation n = offer(EHR_ABI_VERSION, EHR_ABI_VERSION);
    ASSERT_EQ(negotiate_(&n, nullptr), EHR_STATUS_OK);
    ehr_init_params params{};
    params.struct_type = EHR_STRUCT_INIT_PARAMS;
    params.struct_size = sizeof params;
    params.host = host.table();
    data_ = dir_.path().string();
    params.data_directory = view(data_);
    params.settings_schema_path = view(kSchemaFile);
    registrar_ = registrations_.registrar();
    ehr_error* error = nullptr;
    EXPECT_EQ(n.plugin_api->on_init(&params, &registrar_, &plugin_, &error), EHR_STATUS_UNSUPPORTED);
    ASSERT_NE(error, nullptr);
    EXPECT_EQ(text(error->field), "storage.allow_plaintext");
    const std::string message = take(error);
    EXPECT_NE(message.find("no key service"), std::string::npos) << message;
    EXPECT_NE(message.find("would be stored in clear"), std::string::npos) << message;
    EXPECT_NE(message.find("storage.allow_plaintext = true"), std::string::npos) << message;
    EXPECT_EQ(plugin_, nullptr);
    EXPECT_FALSE(std::filesystem::exists(dir_.path() / "portal.db")) << "refused before anything is stored";
  }
}

TEST_F(PluginEntryTest, R_SEC_2_TheHostAdminMayOptOutOfEncryptionExplicitly) {
  host_.drop_key_service();
  ehr_error* error = nullptr;
  ASSERT_EQ(init(kSchemaFile, &error, {config_entry("storage.allow_plaintext", "true")}), EHR_STATUS_OK)
      << take(error);
  EXPECT_NE(plugin_, nullptr);
  bool warned = false;
  for (const std::string& line : host_.log_lines())
    warned = warned || line.find("stores message subjects and bodies in clear") != std::string::npos;
  EXPECT_TRUE(warned) << "the host's log says so";
}

TEST_F(PluginEntryTest, R_SEC_2_TheOptOutTakesOnlyTrueOrFalse) {
  host_.drop_key_service();
  ehr_error* error = nullptr;
  EXPECT_EQ(init(kSchemaFile, &error, {config_entry("storage.allow_plaintext", "yes")}),
            EHR_STATUS_INVALID_ARGUMENT);
  const std::string message = take(error);
  EXPECT_NE(message.find("'storage.allow_plaintext' takes true or false"), std::string::npos) << message;
  EXPECT_EQ(plugin_, nullptr);
}

// plugin.h: the plugin is enabled once on_init returns, so a host that never calls on_enable (the
// 1.0 header called it optional) has a working channel; on_disable and on_enable switch it.
TEST_F(PluginEntryTest, IsEnabledWhenOnInitReturnsAndSwitchesWithOnDisableAndOnEnable) {
  host_.add_user("drlee", "Dr. Lee", true, {"available_for_portal_messages"});
  ehr_error* error = nullptr;
  ASSERT_EQ(init(kPluginsDir / "portal-settings.xml", &error), EHR_STATUS_OK) << take(error);
  ASSERT_NE(registrations_.channel_api, nullptr);
  const std::string id = "drlee";
  const ehr_principal reader{EHR_STRUCT_PRINCIPAL, sizeof(ehr_principal), EHR_PRINCIPAL_STAFF, 0, view(id)};
  auto unread = [&] {
    uint64_t count = 0;
    ehr_error* failure = nullptr;
    const ehr_status status =
        registrations_.channel_api->unread_total(registrations_.channel, &reader, &count, &failure);
    if (failure != nullptr) take(failure);
    return status;
  };
  EXPECT_EQ(unread(), EHR_STATUS_OK) << "no on_enable was called";
  ASSERT_EQ(api_->on_disable(plugin_, &error), EHR_STATUS_OK) << take(error);
  EXPECT_EQ(unread(), EHR_STATUS_DISABLED);
  ASSERT_EQ(api_->on_disable(plugin_, &error), EHR_STATUS_OK) << take(error);  // idempotent
  ASSERT_EQ(api_->on_enable(plugin_, &error), EHR_STATUS_OK) << take(error);
  EXPECT_EQ(unread(), EHR_STATUS_OK);
  ASSERT_EQ(api_->on_enable(plugin_, &error), EHR_STATUS_OK) << take(error);
  EXPECT_EQ(unread(), EHR_STATUS_OK);
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

// An array as common.h allows it: elements of different sizes, each stepped by its own struct_size.
class MixedArray {
 public:
  // Appends `element` declaring `declared_size` bytes: more than sizeof(T) plays a newer host whose
  // struct has members appended (their bytes are not ours to read), less an impossibly old one.
  template <typename T>
  void add(T element, size_t declared_size) {
    element.struct_size = static_cast<uint32_t>(declared_size);
    const size_t at = used_;
    used_ += declared_size;
    words_.resize((used_ + 7) / 8, 0xABABABABABABABABull);
    std::memcpy(bytes() + at, &element, std::min(declared_size, sizeof(T)));
  }
  template <typename T>
  const T* first() const {
    return reinterpret_cast<const T*>(words_.data());
  }

 private:
  unsigned char* bytes() { return reinterpret_cast<unsigned char*>(words_.data()); }
  std::vector<uint64_t> words_;  // 8-aligned, as every ABI struct
  size_t used_ = 0;
};

std::string effective_value(const ehr_settings_api* api, ehr_settings* settings, const std::string& key) {
  struct Found {
    std::string key, value;
  } found{key, {}};
  ehr_error* error = nullptr;
  const ehr_status status = api->effective(
      settings, {}, &found,
      [](void* ctx, const ehr_effective_setting* setting) {
        auto* f = static_cast<Found*>(ctx);
        if (text(setting->key) == f->key) f->value = text(setting->value);
        return static_cast<ehr_status>(EHR_STATUS_OK);
      },
      &error);
  EXPECT_EQ(status, EHR_STATUS_OK) << take(error);
  return found.value;
}

// common.h: every array that crosses is stepped by each element's own struct_size. A newer host's
// larger elements, mixed with elements of today's size, are taken whole; an element too small for
// what the plugin reads is refused by its index, and then nothing of the page is saved.
TEST_F(PluginEntryTest, SavePageStepsEachValueByItsOwnStructSize) {
  ehr_error* error = nullptr;
  ASSERT_EQ(init(kPluginsDir / "portal-settings.xml", &error), EHR_STATUS_OK) << take(error);
  const auto* api = registrations_.settings_api;
  const std::string messaging = "my_messages", on = "on", subject_key = "new_message_subject",
                    subject = "News from the clinic";
  const ehr_setting_value turn_on{EHR_STRUCT_SETTING_VALUE, 0, view(messaging), view(on)};
  const ehr_setting_value new_subject{EHR_STRUCT_SETTING_VALUE, 0, view(subject_key), view(subject)};

  MixedArray mixed;
  mixed.add(turn_on, sizeof(ehr_setting_value) + 16);  // a newer host's element
  mixed.add(new_subject, sizeof(ehr_setting_value));   // today's size
  ASSERT_EQ(
      api->save_page(registrations_.settings, view("admin"), {}, mixed.first<ehr_setting_value>(), 2, &error),
      EHR_STATUS_OK)
      << take(error);
  EXPECT_EQ(effective_value(api, registrations_.settings, messaging), "on");
  EXPECT_EQ(effective_value(api, registrations_.settings, subject_key), subject);

  const std::string off = "off", other_subject = "Never saved";
  const ehr_setting_value turn_off{EHR_STRUCT_SETTING_VALUE, 0, view(messaging), view(off)};
  const ehr_setting_value another{EHR_STRUCT_SETTING_VALUE, 0, view(subject_key), view(other_subject)};
  MixedArray too_small;
  too_small.add(turn_off, sizeof(ehr_setting_value) + 8);
  too_small.add(another, offsetof(ehr_setting_value, value));  // ends before its value
  EXPECT_EQ(api->save_page(registrations_.settings, view("admin"), {}, too_small.first<ehr_setting_value>(),
                           2, &error),
            EHR_STATUS_INVALID_ARGUMENT);
  EXPECT_NE(take(error).find("values[1] "), std::string::npos);
  EXPECT_EQ(effective_value(api, registrations_.settings, messaging), "on") << "nothing is half-saved";
  EXPECT_EQ(effective_value(api, registrations_.settings, subject_key), subject);
}

// The same rule for a start request's recipients: a newer host's larger principals are stepped over
// whole, and a recipient too small to hold its id is refused by index.
TEST_F(PluginEntryTest, StartThreadStepsEachRecipientByItsOwnStructSize) {
  host_.add_user("drlee", "Dr. Lee", true, {"available_for_portal_messages"});
  host_.add_location({"north", "North Clinic", "", "2 North Rd", "555-0101", "", false});
  host_.add_patient("p1", "Pat Sample", "north", {"drlee"});
  host_.add_portal_user({"pat1", "Pat Sample", "Pat", PortalUserKind::patient, true}, {"p1"});
  host_.add_portal_user({"guard1", "Gail Guardian", "Gail", PortalUserKind::guardian, true}, {"p1"});
  ehr_error* error = nullptr;
  ASSERT_EQ(init(kPluginsDir / "portal-settings.xml", &error), EHR_STATUS_OK) << take(error);
  const std::string messaging = "my_messages", on = "on";
  const ehr_setting_value values[] = {
      {EHR_STRUCT_SETTING_VALUE, sizeof(ehr_setting_value), view(messaging), view(on)}};
  ASSERT_EQ(
      registrations_.settings_api->save_page(registrations_.settings, view("admin"), {}, values, 1, &error),
      EHR_STATUS_OK)
      << take(error);

  const std::string drlee = "drlee", pat1 = "pat1", guard1 = "guard1", p1 = "p1",
                    body = "Your results are in.";
  MixedArray recipients;
  recipients.add(ehr_principal{EHR_STRUCT_PRINCIPAL, 0, EHR_PRINCIPAL_PORTAL_USER, 0, view(pat1)},
                 sizeof(ehr_principal) + 24);
  recipients.add(ehr_principal{EHR_STRUCT_PRINCIPAL, 0, EHR_PRINCIPAL_PORTAL_USER, 0, view(guard1)},
                 sizeof(ehr_principal));
  ehr_start_request request{};
  request.struct_type = EHR_STRUCT_START_REQUEST;
  request.struct_size = sizeof request;
  request.sender = {EHR_STRUCT_PRINCIPAL, sizeof(ehr_principal), EHR_PRINCIPAL_STAFF, 0, view(drlee)};
  request.patient_id = view(p1);
  request.recipients = recipients.first<ehr_principal>();
  request.recipient_count = 2;
  request.body = view(body);
  ehr_sent sent{};
  sent.struct_type = EHR_STRUCT_SENT;
  sent.struct_size = sizeof sent;
  ASSERT_EQ(registrations_.channel_api->start_thread(registrations_.channel, &request, &sent, &error),
            EHR_STATUS_OK)
      << take(error);
  EXPECT_GT(sent.thread_id, 0);
  for (const std::string& reader : {pat1, guard1}) {
    const ehr_principal who{EHR_STRUCT_PRINCIPAL, sizeof(ehr_principal), EHR_PRINCIPAL_PORTAL_USER, 0,
                            view(reader)};
    uint64_t unread = 0;
    ASSERT_EQ(registrations_.channel_api->unread_total(registrations_.channel, &who, &unread, &error),
              EHR_STATUS_OK)
        << take(error);
    EXPECT_EQ(unread, 1u) << reader << " was reached";
  }

  MixedArray too_small;
  too_small.add(ehr_principal{EHR_STRUCT_PRINCIPAL, 0, EHR_PRINCIPAL_PORTAL_USER, 0, view(pat1)},
                sizeof(ehr_principal));
  too_small.add(ehr_principal{EHR_STRUCT_PRINCIPAL, 0, EHR_PRINCIPAL_PORTAL_USER, 0, view(guard1)},
                offsetof(ehr_principal, id));  // ends before its id
  request.recipients = too_small.first<ehr_principal>();
  EXPECT_EQ(registrations_.channel_api->start_thread(registrations_.channel, &request, &sent, &error),
            EHR_STATUS_INVALID_ARGUMENT);
  EXPECT_NE(take(error).find("recipients[1] "), std::string::npos);
}

}  // namespace
}  // namespace ehr::portal

// Settings values submitted through the ABI (ehr_settings_api.save_page, the plugin's own shim):
// arbitrary pages of key/value pairs for General or a location. A save either succeeds and the
// effective settings then hold the normalized values, or it fails with a status and an error
// naming the field, and nothing stored changes (R-SET-6: atomic, validated against the schema).
//
// Input: byte 0 picks the actor and page; the rest is split on '\n' into "key=value" lines.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "abi/settings_abi.hpp"
#include "ehr/settings.h"
#include "portal.hpp"
#include "support/temp_dir.hpp"
#include "support/test_host.hpp"

namespace {

using Values = std::map<std::string, std::string>;

struct World {
  ehr::portal::test::TempDir dir;
  ehr::portal::test::TestHost host;
  std::unique_ptr<ehr::portal::Portal> portal;
  ehr_settings handle{};

  World() {
    host.add_user("admin", "Ada Admin", true, {"manage_portal_settings"});
    host.add_user("clerk", "Carl Clerk", true, {"available_for_portal_messages"});
    host.add_location({"north", "North Clinic", "", "2 North Rd", "555-0101", "", false});
    host.add_location({"south", "South Clinic", "Southside", "3 South Rd", "555-0102", "", false});
    portal = std::make_unique<ehr::portal::Portal>(
        ehr::portal::PortalConfig{host.table(), dir.path(), PORTAL_SETTINGS_SCHEMA, {}});
    handle.service = &portal->settings();
  }
};

World& world() {
  static World w;
  return w;
}

Values effective(World& w, const std::string& location) {
  Values values;
  const auto& api = ehr::portal::abi::settings_api();
  ehr_error* error = nullptr;
  const ehr_status status = api.effective(
      &w.handle, {location.data(), location.size()}, &values,
      [](void* ctx, const ehr_effective_setting* s) -> ehr_status {
        (*static_cast<Values*>(ctx))[std::string(s->key.data, s->key.size)] =
            std::string(s->value.data, s->value.size) + "@" +
            std::string(s->source_location_id.data, s->source_location_id.size);
        return EHR_STATUS_OK;
      },
      &error);
  if (status != EHR_STATUS_OK) std::abort();
  return values;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size < 1) return 0;
  World& w = world();
  const std::string actor = (data[0] & 1) ? "admin" : ((data[0] & 2) ? "clerk" : "nobody");
  static const char* const kPages[] = {"", "north", "south", "west"};
  const std::string page = kPages[(data[0] >> 2) & 3];

  std::vector<std::string> keys;
  std::vector<std::string> texts;
  std::string_view rest(reinterpret_cast<const char*>(data + 1), size - 1);
  while (!rest.empty() && keys.size() < 16) {
    const auto nl = rest.find('\n');
    const std::string_view line = rest.substr(0, nl);
    rest = nl == std::string_view::npos ? std::string_view() : rest.substr(nl + 1);
    const auto eq = line.find('=');
    keys.emplace_back(line.substr(0, eq));
    texts.emplace_back(eq == std::string_view::npos ? std::string_view() : line.substr(eq + 1));
  }
  std::vector<ehr_setting_value> values;
  for (std::size_t i = 0; i < keys.size(); ++i) {
    values.push_back({EHR_STRUCT_SETTING_VALUE,
                      sizeof(ehr_setting_value),
                      {keys[i].data(), keys[i].size()},
                      {texts[i].data(), texts[i].size()}});
  }

  const Values general_before = effective(w, "");
  const Values north_before = effective(w, "north");
  const Values south_before = effective(w, "south");

  ehr_error* error = nullptr;
  const auto& api = ehr::portal::abi::settings_api();
  const ehr_status status = api.save_page(&w.handle, {actor.data(), actor.size()}, {page.data(), page.size()},
                                          values.empty() ? nullptr : values.data(), values.size(), &error);
  if (status == EHR_STATUS_OK) {
    if (error != nullptr || actor != "admin") std::abort();
    // Every submitted field now holds its normalized value on that page.
    const Values after = effective(w, page);
    for (std::size_t i = 0; i < keys.size(); ++i) {
      const auto* spec = w.portal->schema().find_field(keys[i]);
      if (spec == nullptr) std::abort();  // an unknown key was accepted
      const std::string expected = spec->normalize(texts[i]) + "@" + page;
      // A later duplicate of the same key wins; only check the last occurrence.
      bool last = true;
      for (std::size_t j = i + 1; j < keys.size(); ++j) last = last && keys[j] != keys[i];
      if (last && after.at(keys[i]) != expected) std::abort();
    }
  } else {
    if (error == nullptr || error->message.size == 0) std::abort();
    error->release(error);
    // Refused: nothing stored changed anywhere.
    if (effective(w, "") != general_before || effective(w, "north") != north_before ||
        effective(w, "south") != south_before) {
      std::abort();
    }
  }
  return 0;
}

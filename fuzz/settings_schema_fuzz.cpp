// The settings-schema loader on arbitrary XML: a schema or Error(INVALID_ARGUMENT) naming the
// source, and a loaded schema answers its own questions consistently.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

#include "common/error.hpp"
#include "settings/settings_schema.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view xml(reinterpret_cast<const char*>(data), size);
  try {
    const auto schema = ehr::portal::SettingsSchema::parse(xml, "fuzz.xml");
    for (auto scope : {ehr::portal::SettingScope::general, ehr::portal::SettingScope::location}) {
      for (const ehr::portal::FieldSpec* field : schema.fields(scope)) {
        if (schema.find_field(field->key) != field) std::abort();  // one field per key
        // The default must satisfy the field's own validation, or pages would show a value
        // that cannot be saved back.
        (void)field->normalize(field->default_value);
      }
    }
  } catch (const ehr::portal::Error& e) {
    if (e.code() != EHR_STATUS_INVALID_ARGUMENT && e.code() != EHR_STATUS_NOT_FOUND) std::abort();
    if (std::string_view(e.what()).find("fuzz.xml") == std::string_view::npos &&
        e.code() == EHR_STATUS_INVALID_ARGUMENT && e.field().empty()) {
      std::abort();  // an error that names neither the file nor the field helps nobody
    }
  }
  return 0;
}

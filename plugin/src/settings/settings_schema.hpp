#pragma once

#include <cstdint>
#include <filesystem>
#include <map>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "common/storage.hpp"
#include "ehr/settings.h"
#include "storage/migrations.hpp"

namespace ehr::portal {

enum class SettingScope { general, location };

enum class FieldType : uint32_t {
  boolean = EHR_FIELD_BOOL,
  choice = EHR_FIELD_CHOICE,
  string = EHR_FIELD_STRING,
  integer = EHR_FIELD_INT,
  text = EHR_FIELD_TEXT,
};

struct Choice {
  std::string value;  // what is stored and submitted
  std::string label;  // what a person sees
};

struct SectionSpec {
  std::string id;
  SettingScope scope = SettingScope::general;
  std::string title;
  std::string help;
};

struct FieldSpec {
  std::string key;
  FieldType type = FieldType::boolean;
  bool general = false;   // shown on the General page
  bool location = false;  // shown on each Location page
  std::string default_value;
  std::string label;
  std::string help;
  std::string required_role;
  std::vector<Choice> choices;
  std::string section_id;  // empty: the first section of each scope the field is in
  // string/text: the {{name}} placeholders the value may use (R-BRAND templates); any other is
  // refused. Empty with uses_placeholders false: braces are plain text.
  bool uses_placeholders = false;
  std::vector<std::string> placeholders;
  int64_t min = 0;  // int: value bounds; string/text: length bounds in characters
  int64_t max = 0;

  [[nodiscard]] bool in(SettingScope scope) const {
    return scope == SettingScope::general ? general : location;
  }
  // The stored form of what a person typed ("On", "true" -> "on"), or Error(EHR_STATUS_INVALID_ARGUMENT)
  // naming this field and why.
  [[nodiscard]] std::string normalize(std::string_view value) const;
};

struct LimitSpec {
  std::string key;
  int64_t value = 0;
  std::string label;
  std::string help;
};

// The parsed settings schema (settings-schema/portal-settings.xml): the one description from which
// pages, validation, defaults and storage are derived (R-SET-7). Immutable once loaded.
class SettingsSchema {
 public:
  // Bad XML is refused with Error(EHR_STATUS_INVALID_ARGUMENT) naming the file, the line and what is
  // wrong (not well-formed, unknown element or attribute, missing or invalid value).
  [[nodiscard]] static SettingsSchema load_file(const std::filesystem::path& file);
  [[nodiscard]] static SettingsSchema parse(std::string_view xml, const std::string& source_name);

  [[nodiscard]] const std::string& id() const noexcept { return id_; }
  [[nodiscard]] const std::string& title() const noexcept { return title_; }
  [[nodiscard]] const std::string& required_role() const noexcept { return required_role_; }
  // The first section of a scope: its title names the page.
  [[nodiscard]] const SectionSpec& section(SettingScope scope) const;
  // The section a field is shown in on a page of this scope.
  [[nodiscard]] const SectionSpec& section_of(const FieldSpec& field, SettingScope scope) const;
  // The fields shown on a page of this scope, in display order.
  [[nodiscard]] std::vector<const FieldSpec*> fields(SettingScope scope) const;
  [[nodiscard]] const FieldSpec* find_field(std::string_view key) const;
  // Throws Error(EHR_STATUS_NOT_FOUND) naming an undeclared limit.
  [[nodiscard]] const LimitSpec& limit(std::string_view key) const;

  // The longest message body accepted, in characters (R-CONV-1).
  [[nodiscard]] int64_t message_body_max_chars() const { return limit(kMessageBodyMaxChars).value; }
  static constexpr std::string_view kMessageBodyMaxChars = "message_body_max_chars";

 private:
  std::string id_;
  std::string title_;
  std::string required_role_;
  std::vector<SectionSpec> sections_;
  std::vector<FieldSpec> fields_;
  std::vector<LimitSpec> limits_;
};

// The settings tables, as the settings feature owns them (the page schema above says what they
// hold): their SQLite steps, 2 and 5 of the plugin's sequence, which Portal assembles
// (portal_schema.hpp). Never edited once released.
[[nodiscard]] std::span<const Migration> settings_sqlite_steps();

}  // namespace ehr::portal

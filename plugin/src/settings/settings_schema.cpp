#include "settings/settings_schema.hpp"

#include <pugixml.hpp>

#include <algorithm>
#include <cctype>
#include <charconv>
#include <fstream>
#include <set>
#include <sstream>

#include "common/error.hpp"
#include "common/utf8.hpp"
#include "ehr/abi_support/text.hpp"

namespace ehr::portal {

namespace {

std::string lower(std::string_view text) {
  std::string out(text);
  std::transform(out.begin(), out.end(), out.begin(), [](unsigned char c) { return std::tolower(c); });
  return out;
}

std::optional<int64_t> parse_int(std::string_view text) {
  int64_t value = 0;
  const char* end = text.data() + text.size();
  auto [ptr, ec] = std::from_chars(text.data(), end, value);
  if (ec != std::errc() || ptr != end || text.empty()) return std::nullopt;
  return value;
}

bool is_identifier(std::string_view text) {
  if (text.empty() || !(text[0] >= 'a' && text[0] <= 'z')) return false;
  return std::all_of(text.begin(), text.end(),
                     [](char c) { return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_'; });
}

// Reads one schema document, reporting every problem as "<file>:<line>: <what is wrong>".
class Reader {
 public:
  Reader(std::string_view xml, const std::string& source) : xml_(xml), source_(source) {}

  [[noreturn]] void fail(ptrdiff_t offset, const std::string& what) const {
    const size_t end = std::min(static_cast<size_t>(std::max<ptrdiff_t>(offset, 0)), xml_.size());
    const auto line = 1 + std::count(xml_.begin(), xml_.begin() + static_cast<ptrdiff_t>(end), '\n');
    throw Error(EHR_STATUS_INVALID_ARGUMENT, source_ + ":" + std::to_string(line) + ": " + what, source_);
  }
  [[noreturn]] void fail(const pugi::xml_node& node, const std::string& what) const {
    fail(node.offset_debug(), what);
  }

  void only_attributes(const pugi::xml_node& node, std::initializer_list<std::string_view> allowed) const {
    for (const auto& attribute : node.attributes()) {
      if (std::find(allowed.begin(), allowed.end(), attribute.name()) == allowed.end()) {
        fail(node, "unknown attribute '" + std::string(attribute.name()) + "' on <" + node.name() + ">");
      }
    }
  }

  void only_children(const pugi::xml_node& node, std::initializer_list<std::string_view> allowed) const {
    for (const auto& child : node.children()) {
      if (child.type() == pugi::node_comment) continue;
      if (child.type() != pugi::node_element) {
        if (child.type() == pugi::node_pcdata &&
            std::string_view(child.value()).find_first_not_of(" \t\r\n") == std::string_view::npos) {
          continue;
        }
        fail(child, "unexpected text inside <" + std::string(node.name()) + ">");
      }
      if (std::find(allowed.begin(), allowed.end(), child.name()) == allowed.end()) {
        fail(child, "unknown element <" + std::string(child.name()) + "> in <" + node.name() + ">");
      }
    }
  }

  std::string required(const pugi::xml_node& node, const char* name) const {
    auto attribute = node.attribute(name);
    if (!attribute || std::string_view(attribute.value()).empty()) {
      fail(node, "<" + std::string(node.name()) + "> is missing the attribute '" + name + "'");
    }
    return attribute.value();
  }

  std::string identifier(const pugi::xml_node& node, const char* name) const {
    std::string value = required(node, name);
    if (!is_identifier(value)) {
      fail(node, "'" + value + "' is not a valid " + name + " (lowercase letters, digits, '_')");
    }
    return value;
  }

  std::string child_text(const pugi::xml_node& node, const char* name, bool mandatory) const {
    auto child = node.child(name);
    if (!child) {
      if (mandatory) fail(node, "<" + std::string(node.name()) + "> is missing <" + name + ">");
      return {};
    }
    std::string text = child.text().get();
    // Collapse the indentation of wrapped lines in the file into single spaces.
    std::istringstream words(text);
    std::string word, collapsed;
    while (words >> word) collapsed += (collapsed.empty() ? "" : " ") + word;
    if (mandatory && collapsed.empty()) fail(child, "<" + std::string(name) + "> is empty");
    return collapsed;
  }

  int64_t integer(const pugi::xml_node& node, const char* name) const {
    std::string text = required(node, name);
    auto value = parse_int(text);
    if (!value) fail(node, "attribute '" + std::string(name) + "' must be an integer, not '" + text + "'");
    return *value;
  }

 private:
  std::string_view xml_;
  std::string source_;
};

SettingScope parse_scope(const Reader& reader, const pugi::xml_node& node, const std::string& text) {
  if (text == "general") return SettingScope::general;
  if (text == "location") return SettingScope::location;
  reader.fail(node, "unknown scope '" + text + "' (expected general or location)");
}

FieldType parse_type(const Reader& reader, const pugi::xml_node& node, const std::string& text) {
  if (text == "bool") return FieldType::boolean;
  if (text == "choice") return FieldType::choice;
  if (text == "string") return FieldType::string;
  if (text == "int") return FieldType::integer;
  if (text == "text") return FieldType::text;
  reader.fail(node, "unknown field type '" + text + "' (expected bool, choice, string, int or text)");
}

// Every "{{name}}" in `value` must name an allowed placeholder; a "{{" without "}}" is refused too.
template <typename Refuse>
void check_placeholders_in(std::string_view value, const std::vector<std::string>& allowed, Refuse refuse) {
  size_t at = 0;
  while ((at = value.find("{{", at)) != std::string_view::npos) {
    const size_t end = value.find("}}", at + 2);
    if (end == std::string_view::npos) throw refuse("a '{{' is not closed by '}}'");
    const std::string name(value.substr(at + 2, end - at - 2));
    if (std::find(allowed.begin(), allowed.end(), name) == allowed.end()) {
      std::string list;
      for (const auto& known : allowed) list += (list.empty() ? "" : ", ") + known;
      throw refuse("unknown placeholder {{" + name + "}} (allowed: " + list + ")");
    }
    at = end + 2;
  }
}

}  // namespace

std::string FieldSpec::normalize(std::string_view value) const {
  auto refuse = [&](const std::string& why) -> Error {
    return Error(EHR_STATUS_INVALID_ARGUMENT, "setting '" + key + "' (" + label + "): " + why, key);
  };
  switch (type) {
    case FieldType::boolean: {
      const std::string word = lower(value);
      if (word == "on" || word == "true") return "on";
      if (word == "off" || word == "false") return "off";
      throw refuse("'" + std::string(value) + "' is not on/off (or true/false)");
    }
    case FieldType::choice: {
      for (const auto& choice : choices) {
        if (choice.value == value) return choice.value;
      }
      std::string allowed;
      for (const auto& choice : choices) allowed += (allowed.empty() ? "" : ", ") + choice.value;
      throw refuse("'" + std::string(value) + "' is not one of the choices (" + allowed + ")");
    }
    case FieldType::integer: {
      auto number = parse_int(value);
      if (!number) throw refuse("'" + std::string(value) + "' is not a whole number");
      if (*number < min || *number > max) {
        throw refuse(std::to_string(*number) + " is outside " + std::to_string(min) + ".." +
                     std::to_string(max));
      }
      return std::to_string(*number);
    }
    case FieldType::string:
    case FieldType::text: {
      if (uses_placeholders) check_placeholders_in(value, placeholders, refuse);
      const TextLines lines = type == FieldType::string ? TextLines::single : TextLines::multi;
      if (const std::optional<TextFault> fault = find_text_fault(value, lines))
        throw refuse("the value " + fault->what);
      const std::optional<std::size_t> length = utf8_length(value);
      if (static_cast<int64_t>(*length) < min || static_cast<int64_t>(*length) > max) {
        throw refuse("the length must be " + std::to_string(min) + " to " + std::to_string(max) +
                     " characters");
      }
      return std::string(value);
    }
  }
  throw refuse("unknown field type");
}

SettingsSchema SettingsSchema::load_file(const std::filesystem::path& file) {
  std::ifstream in(file, std::ios::binary);
  if (!in) {
    throw Error(EHR_STATUS_INVALID_ARGUMENT, "cannot read the settings schema " + file.string(),
                file.string());
  }
  std::ostringstream content;
  content << in.rdbuf();
  return parse(content.str(), file.string());
}

SettingsSchema SettingsSchema::parse(std::string_view xml, const std::string& source_name) {
  Reader reader(xml, source_name);
  pugi::xml_document document;
  const auto parsed = document.load_buffer(xml.data(), xml.size(), pugi::parse_default, pugi::encoding_utf8);
  if (!parsed) reader.fail(parsed.offset, std::string("not well-formed XML: ") + parsed.description());

  const auto root = document.document_element();
  if (std::string_view(root.name()) != "settings-schema") {
    reader.fail(root, "the root element must be <settings-schema>, not <" + std::string(root.name()) + ">");
  }
  reader.only_attributes(root, {"id", "version", "title", "required-role"});
  reader.only_children(root, {"section", "field", "limit"});

  SettingsSchema schema;
  schema.id_ = reader.identifier(root, "id");
  if (reader.integer(root, "version") < 1) reader.fail(root, "version must be 1 or more");
  schema.title_ = reader.required(root, "title");
  schema.required_role_ = reader.identifier(root, "required-role");

  for (const auto& node : root.children("section")) {
    reader.only_attributes(node, {"id", "scope", "title"});
    reader.only_children(node, {"help"});
    SectionSpec section{reader.identifier(node, "id"),
                        parse_scope(reader, node, reader.required(node, "scope")),
                        reader.required(node, "title"), reader.child_text(node, "help", false)};
    for (const auto& other : schema.sections_) {
      if (other.id == section.id) reader.fail(node, "the section id '" + section.id + "' is used twice");
    }
    schema.sections_.push_back(std::move(section));
  }

  std::set<std::string> keys;
  for (const auto& node : root.children("field")) {
    reader.only_attributes(
        node, {"key", "type", "scope", "section", "default", "required-role", "min", "max", "placeholders"});
    reader.only_children(node, {"label", "help", "choice"});
    FieldSpec field;
    field.key = reader.identifier(node, "key");
    if (!keys.insert(field.key).second) reader.fail(node, "the key '" + field.key + "' is declared twice");
    field.type = parse_type(reader, node, reader.required(node, "type"));
    std::istringstream scopes(reader.required(node, "scope"));
    for (std::string scope; scopes >> scope;) {
      (parse_scope(reader, node, scope) == SettingScope::general ? field.general : field.location) = true;
    }
    if (node.attribute("section")) {
      field.section_id = reader.identifier(node, "section");
      auto section = std::find_if(schema.sections_.begin(), schema.sections_.end(),
                                  [&](const SectionSpec& s) { return s.id == field.section_id; });
      if (section == schema.sections_.end()) reader.fail(node, "unknown section '" + field.section_id + "'");
      if (field.general + field.location != 1 || !field.in(section->scope)) {
        reader.fail(
            node, "a field placed in section '" + field.section_id + "' must have that section's scope only");
      }
    }
    if (node.attribute("placeholders")) {
      if (field.type != FieldType::string && field.type != FieldType::text) {
        reader.fail(node, "placeholders apply only to string and text fields");
      }
      field.uses_placeholders = true;
      std::istringstream names(node.attribute("placeholders").value());
      for (std::string name; names >> name;) {
        if (!is_identifier(name)) reader.fail(node, "'" + name + "' is not a valid placeholder name");
        field.placeholders.push_back(name);
      }
    }
    field.label = reader.child_text(node, "label", true);
    field.help = reader.child_text(node, "help", false);
    field.required_role =
        node.attribute("required-role") ? reader.identifier(node, "required-role") : schema.required_role_;
    for (const auto& choice : node.children("choice")) {
      reader.only_attributes(choice, {"value", "label"});
      reader.only_children(choice, {});
      if (field.type != FieldType::choice) reader.fail(choice, "only a choice field has <choice> elements");
      field.choices.push_back({reader.required(choice, "value"), reader.required(choice, "label")});
    }
    if (field.type == FieldType::choice && field.choices.empty()) {
      reader.fail(node, "choice field '" + field.key + "' has no <choice>");
    }
    const bool bounded =
        field.type == FieldType::integer || field.type == FieldType::string || field.type == FieldType::text;
    if (!bounded && (node.attribute("min") || node.attribute("max"))) {
      reader.fail(node, "min and max apply only to int, string and text fields");
    }
    const bool is_int = field.type == FieldType::integer;
    field.min = node.attribute("min") ? reader.integer(node, "min") : (is_int ? INT64_MIN : 0);
    field.max = node.attribute("max") ? reader.integer(node, "max") : (is_int ? INT64_MAX : 4000);
    if (field.min > field.max) reader.fail(node, "min is greater than max");
    if (!node.attribute("default")) reader.fail(node, "<field> is missing the attribute 'default'");
    try {
      field.default_value = field.normalize(node.attribute("default").value());
    } catch (const Error& e) {
      reader.fail(node, std::string("invalid default: ") + e.what());
    }
    for (SettingScope scope : {SettingScope::general, SettingScope::location}) {
      const bool has_section = std::any_of(schema.sections_.begin(), schema.sections_.end(),
                                           [&](const SectionSpec& s) { return s.scope == scope; });
      if (field.in(scope) && !has_section)
        reader.fail(node, "field '" + field.key + "' names a scope with no section");
    }
    schema.fields_.push_back(std::move(field));
  }
  if (schema.fields_.empty()) reader.fail(root, "the schema declares no <field>");

  for (const auto& node : root.children("limit")) {
    reader.only_attributes(node, {"key", "value"});
    reader.only_children(node, {"label", "help"});
    LimitSpec limit{reader.identifier(node, "key"), reader.integer(node, "value"),
                    reader.child_text(node, "label", true), reader.child_text(node, "help", false)};
    if (limit.value < 1) reader.fail(node, "limit '" + limit.key + "' must be 1 or more");
    schema.limits_.push_back(std::move(limit));
  }
  if (std::none_of(schema.limits_.begin(), schema.limits_.end(),
                   [](const LimitSpec& l) { return l.key == kMessageBodyMaxChars; })) {
    reader.fail(root, "the schema must declare <limit key=\"" + std::string(kMessageBodyMaxChars) + "\">");
  }
  return schema;
}

const SectionSpec& SettingsSchema::section_of(const FieldSpec& field, SettingScope scope) const {
  if (!field.section_id.empty()) {
    for (const auto& section : sections_) {
      if (section.id == field.section_id) return section;
    }
  }
  return section(scope);
}

const SectionSpec& SettingsSchema::section(SettingScope scope) const {
  for (const auto& section : sections_) {
    if (section.scope == scope) return section;
  }
  throw Error(EHR_STATUS_NOT_FOUND, std::string("the settings schema has no ") +
                                        (scope == SettingScope::general ? "General" : "Location") +
                                        " section");
}

std::vector<const FieldSpec*> SettingsSchema::fields(SettingScope scope) const {
  std::vector<const FieldSpec*> shown;
  for (const auto& field : fields_) {
    if (field.in(scope)) shown.push_back(&field);
  }
  return shown;
}

const FieldSpec* SettingsSchema::find_field(std::string_view key) const {
  for (const auto& field : fields_) {
    if (field.key == key) return &field;
  }
  return nullptr;
}

const LimitSpec& SettingsSchema::limit(std::string_view key) const {
  for (const auto& limit : limits_) {
    if (limit.key == key) return limit;
  }
  throw Error(EHR_STATUS_NOT_FOUND, "the settings schema declares no limit '" + std::string(key) + "'",
              std::string(key));
}

}  // namespace ehr::portal

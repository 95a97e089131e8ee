// Reads and validates `*.plugin.xml` with pugixml. The rules here and manifests/plugin-manifest.xsd
// describe the same format (a test validates the shipped manifests with xmllint against the XSD
// and checks this validator agrees on good and bad samples).
#include "ehr/host/manifest.hpp"

#include <algorithm>
#include <charconv>
#include <fstream>
#include <pugixml.hpp>
#include <set>
#include <sstream>

namespace ehr::host {

const Manifest& ManifestResult::manifest() const {
  if (!manifest_) throw BadResultAccess(status());
  return *manifest_;
}

const ManifestProblem& ManifestResult::problem() const {
  if (!problem_) throw std::logic_error("the manifest is valid: there is no problem to show");
  return *problem_;
}

Status ManifestResult::status() const {
  if (manifest_) return Status();
  const ManifestProblem& p = *problem_;
  std::string message = p.file.string();
  if (p.line > 0) message += ":" + std::to_string(p.line);
  message += ": ";
  if (!p.field.empty()) message += p.field + ": ";
  message += p.what;
  if (p.kind == ManifestProblem::Kind::missing) return Status::not_found(std::move(message), p.field);
  return Status::invalid_argument(p.field, std::move(message));
}

std::string format_abi_version(std::uint32_t version) {
  return std::to_string(EHR_VERSION_MAJOR(version)) + "." + std::to_string(EHR_VERSION_MINOR(version));
}

std::optional<std::uint32_t> parse_abi_version(std::string_view text) {
  const auto dot = text.find('.');
  if (dot == std::string_view::npos || dot == 0 || dot + 1 == text.size()) return std::nullopt;
  unsigned major = 0;
  unsigned minor = 0;
  const char* begin = text.data();
  const char* end = text.data() + text.size();
  auto [after_major, e1] = std::from_chars(begin, begin + dot, major);
  if (e1 != std::errc() || after_major != begin + dot) return std::nullopt;
  auto [after_minor, e2] = std::from_chars(begin + dot + 1, end, minor);
  if (e2 != std::errc() || after_minor != end) return std::nullopt;
  if (major > 0xFFFFu || minor > 0xFFFFu) return std::nullopt;
  return EHR_MAKE_VERSION(major, minor);
}

namespace {

// Bigger than any honest manifest; refuses pathological input before parsing it.
constexpr std::size_t kMaxManifestBytes = 1 << 20;

std::size_t line_at(std::string_view text, std::ptrdiff_t offset) {
  if (offset < 0) return 0;
  const auto end = std::min(static_cast<std::size_t>(offset), text.size());
  return 1 + static_cast<std::size_t>(
                 std::count(text.begin(), text.begin() + static_cast<std::ptrdiff_t>(end), '\n'));
}

// Thrown inside the validator only, turned into a ManifestProblem at its edge.
struct Invalid {
  std::size_t line;
  std::string field;
  std::string what;
};

class Validator {
 public:
  Validator(std::string_view text, const std::filesystem::path& file) : text_(text), file_(file) {}

  Manifest run(const pugi::xml_document& document) {
    const pugi::xml_node root = document.document_element();
    if (std::string_view(root.name()) != "plugin")
      fail(root, root.name(), "the root element must be <plugin>, not <" + std::string(root.name()) + ">");
    Manifest manifest;
    manifest.path = file_;
    allow_attributes(root, "plugin", {"id", "version"});
    manifest.id = required_attribute(root, "plugin", "id");
    check_pattern(root, "@id", manifest.id, is_plugin_id,
                  "lowercase letters, digits, '.', '_' or '-', at most 64");
    manifest.version = required_attribute(root, "plugin", "version");
    check_pattern(root, "@version", manifest.version, is_version, "a version such as 1.2.0");

    // The XSD sequence: this order, each at most once.
    static const std::vector<std::string_view> sequence = {
        "name",  "vendor", "description",   "library",  "abi", "settings-schema",
        "roles", "hooks",  "host-services", "signature"};
    std::set<std::string_view> seen;
    std::size_t last = 0;
    bool any = false;
    for (pugi::xml_node child = root.first_child(); child; child = child.next_sibling()) {
      if (child.type() == pugi::node_pcdata || child.type() == pugi::node_cdata) {
        if (!blank(child.value())) fail(child, "plugin", "text is not allowed directly inside <plugin>");
        continue;
      }
      if (child.type() != pugi::node_element) continue;
      const std::string_view name = child.name();
      const auto at = std::find(sequence.begin(), sequence.end(), name);
      if (at == sequence.end()) fail(child, name, "unknown element <" + std::string(name) + "> in <plugin>");
      const auto index = static_cast<std::size_t>(at - sequence.begin());
      if (seen.count(name) != 0) fail(child, name, "<" + std::string(name) + "> may appear only once");
      if (any && index < last)
        fail(child, name,
             "<" + std::string(name) + "> must come before <" + std::string(sequence[last]) +
                 "> (order: name, vendor, description, library, abi, settings-schema, roles, hooks, "
                 "host-services, signature)");
      seen.insert(name);
      last = index;
      any = true;
      read_element(child, name, manifest);
    }
    for (std::string_view required : {"name", "vendor", "library", "abi"})
      if (seen.count(required) == 0)
        fail(root, required, "the required element <" + std::string(required) + "> is missing");
    return manifest;
  }

 private:
  void read_element(pugi::xml_node node, std::string_view name, Manifest& manifest) {
    const std::string field(name);
    if (name == "name" || name == "vendor" || name == "description") {
      allow_attributes(node, field, {});
      std::string text = text_only(node, field);
      if (name != "description" && text.empty()) fail(node, field, "must not be empty");
      (name == "name"     ? manifest.name
       : name == "vendor" ? manifest.vendor
                          : manifest.description) = std::move(text);
    } else if (name == "library") {
      empty_element(node, field);
      allow_attributes(node, field, {"file", "sha256"});
      manifest.library = resolve(node, "library/@file", required_attribute(node, field, "file"));
      manifest.library_sha256 = required_attribute(node, field, "sha256");
      check_pattern(node, "library/@sha256", manifest.library_sha256, is_sha256, "64 lowercase hex digits");
    } else if (name == "abi") {
      empty_element(node, field);
      allow_attributes(node, field, {"min", "max"});
      manifest.abi_min = abi_version(node, "abi/@min", required_attribute(node, field, "min"));
      manifest.abi_max = abi_version(node, "abi/@max", required_attribute(node, field, "max"));
      if (manifest.abi_min > manifest.abi_max) fail(node, "abi/@min", "min is newer than max");
      if (EHR_VERSION_MAJOR(manifest.abi_min) != EHR_VERSION_MAJOR(manifest.abi_max))
        fail(node, "abi/@max", "min and max must have the same major version");
    } else if (name == "settings-schema") {
      empty_element(node, field);
      allow_attributes(node, field, {"file"});
      manifest.settings_schema =
          resolve(node, "settings-schema/@file", required_attribute(node, field, "file"));
    } else if (name == "roles") {
      read_list(node, "roles", "role", [&](pugi::xml_node role) {
        allow_attributes(role, "roles/role", {"id", "label", "description"});
        RoleDescriptor descriptor;
        descriptor.id = required_attribute(role, "roles/role", "id");
        check_pattern(role, "roles/role/@id", descriptor.id, is_role_id,
                      "a lowercase identifier such as manage_portal_settings");
        descriptor.label = required_attribute(role, "roles/role", "label");
        if (blank(descriptor.label)) fail(role, "roles/role/@label", "must not be empty");
        descriptor.description = role.attribute("description").value();
        for (const RoleDescriptor& other : manifest.roles)
          if (other.id == descriptor.id)
            fail(role, "roles/role/@id", "role " + descriptor.id + " is declared twice");
        manifest.roles.push_back(std::move(descriptor));
      });
    } else if (name == "hooks") {
      read_list(node, "hooks", "hook", [&](pugi::xml_node hook) {
        allow_attributes(hook, "hooks/hook", {"point"});
        std::string point = required_attribute(hook, "hooks/hook", "point");
        static const std::set<std::string_view> points = {"before_store", "after_store", "on_read",
                                                          "settings_changed"};
        if (points.count(point) == 0)
          fail(hook, "hooks/hook/@point",
               "unknown hook point \"" + point + "\" (before_store, after_store, on_read, settings_changed)");
        if (std::find(manifest.hook_points.begin(), manifest.hook_points.end(), point) !=
            manifest.hook_points.end())
          fail(hook, "hooks/hook/@point", "hook point " + point + " is listed twice");
        manifest.hook_points.push_back(std::move(point));
      });
    } else if (name == "host-services") {
      read_list(node, "host-services", "service", [&](pugi::xml_node service) {
        allow_attributes(service, "host-services/service", {"name"});
        std::string service_name = required_attribute(service, "host-services/service", "name");
        check_pattern(service, "host-services/service/@name", service_name, is_role_id,
                      "a lowercase identifier such as notify");
        manifest.host_services.push_back(std::move(service_name));
      });
    } else if (name == "signature") {
      empty_element(node, field);
      allow_attributes(node, field, {"key-id", "ed25519"});
      ManifestSignature signature;
      signature.key_id = required_attribute(node, field, "key-id");
      if (blank(signature.key_id)) fail(node, "signature/@key-id", "must not be empty");
      signature.ed25519_base64 = required_attribute(node, field, "ed25519");
      check_pattern(node, "signature/@ed25519", signature.ed25519_base64, is_base64, "base64 text");
      manifest.signature = std::move(signature);
    }
  }

  template <class Each>
  void read_list(pugi::xml_node node, const std::string& field, std::string_view item, Each each) {
    allow_attributes(node, field, {});
    for (pugi::xml_node child = node.first_child(); child; child = child.next_sibling()) {
      if (child.type() == pugi::node_pcdata || child.type() == pugi::node_cdata) {
        if (!blank(child.value())) fail(child, field, "text is not allowed inside <" + field + ">");
        continue;
      }
      if (child.type() != pugi::node_element) continue;
      if (std::string_view(child.name()) != item)
        fail(child, field + "/" + child.name(),
             "unknown element <" + std::string(child.name()) + "> in <" + field + "> (expected <" +
                 std::string(item) + ">)");
      each(child);
    }
  }

  std::string required_attribute(pugi::xml_node node, const std::string& element, const char* name) {
    const pugi::xml_attribute attribute = node.attribute(name);
    if (!attribute)
      fail(node, element + "/@" + name,
           "the required attribute " + std::string(name) + " is missing on <" + node.name() + ">");
    return attribute.value();
  }

  void allow_attributes(pugi::xml_node node, const std::string& element,
                        std::initializer_list<std::string_view> names) {
    for (pugi::xml_attribute attribute = node.first_attribute(); attribute;
         attribute = attribute.next_attribute())
      if (std::find(names.begin(), names.end(), std::string_view(attribute.name())) == names.end())
        fail(node, element + "/@" + attribute.name(),
             "unknown attribute " + std::string(attribute.name()) + " on <" + node.name() + ">");
  }

  std::string text_only(pugi::xml_node node, const std::string& field) {
    std::string text;
    for (pugi::xml_node child = node.first_child(); child; child = child.next_sibling()) {
      if (child.type() == pugi::node_element)
        fail(child, field, "<" + field + "> holds text only, not <" + child.name() + ">");
      if (child.type() == pugi::node_pcdata || child.type() == pugi::node_cdata) text += child.value();
    }
    return trim(text);
  }

  void empty_element(pugi::xml_node node, const std::string& field) {
    for (pugi::xml_node child = node.first_child(); child; child = child.next_sibling()) {
      if (child.type() == pugi::node_element) fail(child, field, "<" + field + "> must be empty");
      if ((child.type() == pugi::node_pcdata || child.type() == pugi::node_cdata) && !blank(child.value()))
        fail(child, field, "<" + field + "> must be empty");
    }
  }

  std::uint32_t abi_version(pugi::xml_node node, const std::string& field, const std::string& text) {
    const auto version = parse_abi_version(text);
    if (!version) fail(node, field, "\"" + text + "\" is not an ABI version such as 1.0");
    return *version;
  }

  // Files named in a manifest live in its folder (or below): no absolute paths, no "..".
  std::filesystem::path resolve(pugi::xml_node node, const std::string& field, const std::string& name) {
    const std::filesystem::path relative(name);
    if (name.empty() || name.back() == '/' || name.find("//") != std::string::npos)
      fail(node, field, "must name a file");
    if (relative.is_absolute()) fail(node, field, "must be relative to the manifest's folder");
    for (const auto& part : relative)
      if (part == "..") fail(node, field, "must not leave the manifest's folder (\"..\")");
    return file_.parent_path() / relative;
  }

  void check_pattern(pugi::xml_node node, const std::string& field, const std::string& value,
                     bool (*ok)(std::string_view), const std::string& expected) {
    if (!ok(value)) fail(node, field, "\"" + printable(value) + "\" is not " + expected);
  }

  [[noreturn]] void fail(pugi::xml_node node, std::string_view field, std::string what) {
    throw Invalid{line_of(node), std::string(field), std::move(what)};
  }

  std::size_t line_of(pugi::xml_node node) const { return line_at(text_, node.offset_debug()); }

  static bool blank(std::string_view text) {
    return std::all_of(text.begin(), text.end(),
                       [](char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r'; });
  }
  static std::string trim(const std::string& text) {
    const auto first = text.find_first_not_of(" \t\r\n");
    if (first == std::string::npos) return {};
    const auto last = text.find_last_not_of(" \t\r\n");
    return text.substr(first, last - first + 1);
  }
  // Keeps error messages readable whatever the manifest holds.
  static std::string printable(const std::string& value) {
    std::string out;
    for (char c : value.substr(0, 80)) out += (static_cast<unsigned char>(c) < 0x20) ? '?' : c;
    if (value.size() > 80) out += "...";
    return out;
  }
  static bool is_lower_alnum(char c) { return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9'); }
  static bool is_plugin_id(std::string_view id) {
    if (id.empty() || id.size() > 64 || !is_lower_alnum(id.front())) return false;
    return std::all_of(id.begin(), id.end(),
                       [](char c) { return is_lower_alnum(c) || c == '.' || c == '_' || c == '-'; });
  }
  static bool is_role_id(std::string_view id) {
    if (id.empty() || id.size() > 64 || !(id.front() >= 'a' && id.front() <= 'z')) return false;
    return std::all_of(id.begin(), id.end(), [](char c) { return is_lower_alnum(c) || c == '_'; });
  }
  static bool is_version(std::string_view version) {
    if (version.empty() || version.size() > 64 || !(version.front() >= '0' && version.front() <= '9'))
      return false;
    return std::all_of(version.begin(), version.end(), [](char c) {
      return is_lower_alnum(c) || (c >= 'A' && c <= 'Z') || c == '.' || c == '-' || c == '+';
    });
  }
  static bool is_sha256(std::string_view hex) {
    return hex.size() == 64 && std::all_of(hex.begin(), hex.end(), [](char c) {
             return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f');
           });
  }
  static bool is_base64(std::string_view text) {
    if (text.empty() || text.size() % 4 != 0) return false;
    const auto pad = text.find('=');
    if (pad != std::string_view::npos &&
        (pad + 2 < text.size() || text.find_first_not_of('=', pad) != std::string_view::npos))
      return false;
    return std::all_of(text.begin(), text.begin() + static_cast<std::ptrdiff_t>(std::min(pad, text.size())),
                       [](char c) {
                         return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
                                c == '+' || c == '/';
                       });
  }

  std::string_view text_;
  const std::filesystem::path& file_;
};

}  // namespace

ManifestResult parse_manifest(std::string_view xml, const std::filesystem::path& file) {
  using Kind = ManifestProblem::Kind;
  if (xml.size() > kMaxManifestBytes)
    return ManifestProblem{Kind::invalid, file, 0, {}, "the manifest is larger than 1 MiB"};
  pugi::xml_document document;
  // No DOCTYPE processing: pugixml never loads external entities.
  const pugi::xml_parse_result parsed = document.load_buffer(
      xml.data(), xml.size(), pugi::parse_default | pugi::parse_declaration, pugi::encoding_utf8);
  if (!parsed)
    return ManifestProblem{Kind::not_well_formed,
                           file,
                           line_at(xml, parsed.offset),
                           {},
                           std::string("not well-formed XML: ") + parsed.description()};
  if (!document.document_element())
    return ManifestProblem{Kind::not_well_formed, file, 1, {}, "not well-formed XML: no root element"};
  try {
    return Validator(xml, file).run(document);
  } catch (const Invalid& invalid) {
    return ManifestProblem{Kind::invalid, file, invalid.line, invalid.field, invalid.what};
  }
}

ManifestResult load_manifest(const std::filesystem::path& file) {
  using Kind = ManifestProblem::Kind;
  std::error_code error;
  if (!std::filesystem::is_regular_file(file, error))
    return ManifestProblem{Kind::missing, file, 0, {}, "the manifest file does not exist or is not a file"};
  const auto size = std::filesystem::file_size(file, error);
  if (error)
    return ManifestProblem{Kind::missing, file, 0, {}, "cannot read the manifest: " + error.message()};
  if (size > kMaxManifestBytes)
    return ManifestProblem{Kind::invalid, file, 0, {}, "the manifest is larger than 1 MiB"};
  std::ifstream in(file, std::ios::binary);
  if (!in) return ManifestProblem{Kind::missing, file, 0, {}, "cannot open the manifest for reading"};
  std::ostringstream content;
  content << in.rdbuf();
  return parse_manifest(content.str(), file);
}

}  // namespace ehr::host

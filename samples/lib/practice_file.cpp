#include "practice_file.hpp"

#include <algorithm>
#include <cstdint>
#include <fstream>
#include <initializer_list>
#include <map>
#include <set>
#include <sstream>
#include <utility>
#include <vector>

#include <pugixml.hpp>

#include "ehr/abi_support/text.hpp"
#include "visible_text.hpp"

namespace ehr::sample {

PracticeFileError::PracticeFileError(std::string file, std::size_t line, std::string problem)
    : std::runtime_error(file + (line > 0 ? ":" + std::to_string(line) : std::string()) + ": " + problem),
      file_(std::move(file)),
      line_(line),
      problem_(std::move(problem)) {}

namespace {

// Names, addresses and id lists fit easily; a longer value is a mistake or an attack on memory.
constexpr std::size_t kMaxAttributeBytes = 4096;

class Reader {
 public:
  Reader(std::string_view xml, std::string_view source_name) : xml_(xml), file_(source_name) {}

  Practice read() {
    if (const std::size_t bad = ehr::abi_support::first_invalid_utf8(xml_); bad != std::string_view::npos) {
      fail(static_cast<std::ptrdiff_t>(bad), "not UTF-8 text (byte " + std::to_string(bad) + ")");
    }
    check_inert_text();
    pugi::xml_document doc;
    const pugi::xml_parse_result parsed = doc.load_buffer(xml_.data(), xml_.size());
    if (!parsed) {
      fail(static_cast<std::ptrdiff_t>(parsed.offset),
           std::string("not well-formed XML: ") + parsed.description());
    }
    const pugi::xml_node root = doc.document_element();
    if (std::string_view(root.name()) != "practice") {
      fail(root, std::string("the root element must be <practice>, not <") + root.name() + ">");
    }
    check_attributes(root, {"master"});

    read_elements(root);
    resolve_instance_kind(root);
    check_references();
    return Practice(std::move(company_), std::move(locations_), std::move(users_), std::move(patients_),
                    std::move(portal_users_));
  }

 private:
  std::size_t line_of(std::ptrdiff_t offset) const {
    const auto end = std::min<std::size_t>(offset < 0 ? 0 : static_cast<std::size_t>(offset), xml_.size());
    return 1 + static_cast<std::size_t>(
                   std::count(xml_.begin(), xml_.begin() + static_cast<std::ptrdiff_t>(end), '\n'));
  }

  // Names, ids and addresses go to plugins and onto screens (R-SEC-1): the file may hold no control
  // character, neither as such (line breaks and tabs between attributes aside) nor as a character
  // reference such as &#27; or &#0; (which would cut a name short).
  void check_inert_text() const {
    std::string flattened(xml_);
    std::replace_if(
        flattened.begin(), flattened.end(), [](char c) { return c == '\n' || c == '\r' || c == '\t'; }, ' ');
    if (const std::size_t at = first_control(flattened); at != std::string_view::npos)
      fail(static_cast<std::ptrdiff_t>(at), "a control or bidirectional formatting character (byte " +
                                                std::to_string(at) + "); names and ids are plain text");
    for (std::size_t at = xml_.find("&#"); at != std::string_view::npos; at = xml_.find("&#", at + 2)) {
      const bool hex = at + 2 < xml_.size() && (xml_[at + 2] == 'x' || xml_[at + 2] == 'X');
      std::uint32_t code = 0;
      for (std::size_t i = at + (hex ? 3 : 2); i < xml_.size() && xml_[i] != ';' && code <= 0x10FFFF; ++i) {
        const char c = xml_[i];
        const int digit = c >= '0' && c <= '9'          ? c - '0'
                          : hex && c >= 'a' && c <= 'f' ? c - 'a' + 10
                          : hex && c >= 'A' && c <= 'F' ? c - 'A' + 10
                                                        : -1;
        if (digit < 0) break;  // not a character reference; the XML parser says what is wrong
        code = code * (hex ? 16 : 10) + static_cast<std::uint32_t>(digit);
      }
      if (is_control_character(code))
        fail(static_cast<std::ptrdiff_t>(at), "the character reference " +
                                                  std::string(xml_.substr(at, xml_.find(';', at) - at + 1)) +
                                                  " is a control character; names and ids are plain text");
    }
  }

  [[noreturn]] void fail(std::ptrdiff_t offset, const std::string& problem) const {
    throw PracticeFileError(file_, line_of(offset), problem);
  }
  [[noreturn]] void fail(const pugi::xml_node& node, const std::string& problem) const {
    fail(node.offset_debug(), problem);
  }

  void check_attributes(const pugi::xml_node& node, std::initializer_list<std::string_view> allowed) const {
    for (const pugi::xml_attribute& attribute : node.attributes()) {
      if (std::string_view(attribute.value()).size() > kMaxAttributeBytes) {
        fail(node, std::string(attribute.name()) + "= on <" + node.name() + "> is longer than " +
                       std::to_string(kMaxAttributeBytes) + " bytes");
      }
      if (std::find(allowed.begin(), allowed.end(), attribute.name()) == allowed.end()) {
        fail(node, std::string("unknown attribute '") + attribute.name() + "' on <" + node.name() + ">");
      }
    }
  }

  std::string required(const pugi::xml_node& node, const char* name) const {
    const pugi::xml_attribute attribute = node.attribute(name);
    if (!attribute || std::string_view(attribute.value()).empty()) {
      fail(node, std::string("<") + node.name() + "> needs a non-empty " + name + "=");
    }
    return attribute.value();
  }

  bool boolean(const pugi::xml_node& node, const char* name, bool fallback) const {
    const pugi::xml_attribute attribute = node.attribute(name);
    if (!attribute) return fallback;
    const std::string_view value = attribute.value();
    if (value == "true") return true;
    if (value == "false") return false;
    fail(node, std::string(name) + "= on <" + node.name() + "> must be true or false, not '" +
                   std::string(value) + "'");
  }

  static bool valid_id(std::string_view id) {
    return !id.empty() && std::all_of(id.begin(), id.end(), [](char c) {
      return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' ||
             c == '-' || c == '.';
    });
  }

  std::string identifier(const pugi::xml_node& node) const {
    std::string id = required(node, "id");
    if (!valid_id(id)) {
      fail(node, "id '" + id + "' on <" + node.name() + "> may use only letters, digits, '_', '-' and '.'");
    }
    return id;
  }

  // A space-separated list of ids; each at most once.
  std::vector<std::string> id_list(const pugi::xml_node& node, const char* name) const {
    std::vector<std::string> ids;
    std::istringstream words(node.attribute(name).value());
    for (std::string word; words >> word;) {
      if (!valid_id(word)) fail(node, std::string("'") + word + "' in " + name + "= is not a valid id");
      if (std::find(ids.begin(), ids.end(), word) != ids.end()) {
        fail(node, std::string("'") + word + "' is listed twice in " + name + "=");
      }
      ids.push_back(std::move(word));
    }
    return ids;
  }

  void check_unique(std::map<std::string, std::ptrdiff_t>& seen, const std::string& id,
                    const pugi::xml_node& node, const char* what) const {
    const auto [it, inserted] = seen.emplace(id, node.offset_debug());
    if (!inserted) {
      fail(node, std::string("duplicate ") + what + " id '" + id + "' (first defined on line " +
                     std::to_string(line_of(it->second)) + ")");
    }
  }

  Organization organization(const pugi::xml_node& node, std::string location_id) const {
    Organization org;
    org.location_id = std::move(location_id);
    org.name = required(node, "name");
    org.alias = node.attribute("alias").value();
    org.address = node.attribute("address").value();
    org.phone = node.attribute("phone").value();
    org.portal_url = node.attribute("portal-url").value();
    return org;
  }

  void read_elements(const pugi::xml_node& root) {
    bool have_company = false;
    for (const pugi::xml_node& node : root.children()) {
      if (node.type() == pugi::node_pcdata || node.type() == pugi::node_cdata) {
        fail(node, "unexpected text inside <practice>");
      }
      if (node.type() != pugi::node_element) continue;
      const std::string_view name = node.name();
      // Every element of the format is empty: anything inside one is unknown, not ignored.
      if (const pugi::xml_node inside = node.first_child()) {
        fail(inside, inside.type() == pugi::node_element
                         ? std::string("unknown element <") + inside.name() + "> inside <" + node.name() + ">"
                         : std::string("unexpected text inside <") + node.name() + ">");
      }
      if (name == "company") {
        if (have_company) fail(node, "a practice has exactly one <company>, this is the second");
        check_attributes(node, {"name", "alias", "address", "phone", "portal-url"});
        company_ = organization(node, "");
        have_company = true;
      } else if (name == "location") {
        check_attributes(node, {"id", "name", "alias", "address", "phone", "portal-url"});
        std::string id = identifier(node);
        check_unique(location_ids_, id, node, "location");
        locations_.push_back(organization(node, std::move(id)));
        location_nodes_.push_back(node);
      } else if (name == "user") {
        check_attributes(node, {"id", "name", "active", "roles"});
        StaffUser user;
        user.id = identifier(node);
        check_unique(user_ids_, user.id, node, "user");
        user.name = required(node, "name");
        user.active = boolean(node, "active", true);
        user.roles = id_list(node, "roles");
        users_.push_back(std::move(user));
      } else if (name == "patient") {
        check_attributes(node, {"id", "name", "location", "care-team"});
        Patient patient;
        patient.id = identifier(node);
        check_unique(patient_ids_, patient.id, node, "patient");
        patient.name = required(node, "name");
        patient.location_id = node.attribute("location").value();
        patient.care_team = id_list(node, "care-team");
        patients_.push_back(std::move(patient));
        patient_nodes_.push_back(node);
      } else if (name == "portal-user") {
        check_attributes(node, {"id", "name", "first-name", "kind", "contacts", "active", "email", "phone"});
        PortalUser portal_user;
        portal_user.id = identifier(node);
        check_unique(portal_user_ids_, portal_user.id, node, "portal-user");
        portal_user.name = required(node, "name");
        portal_user.first_name = node.attribute("first-name").value();
        if (portal_user.first_name.empty()) {
          portal_user.first_name = portal_user.name.substr(0, portal_user.name.find(' '));
        }
        const std::string kind = required(node, "kind");
        if (kind == "patient") {
          portal_user.kind = PortalUserKind::patient;
        } else if (kind == "guardian") {
          portal_user.kind = PortalUserKind::guardian;
        } else if (kind == "guarantor") {
          portal_user.kind = PortalUserKind::guarantor;
        } else {
          fail(node, "kind '" + kind + "' on <portal-user> must be patient, guardian or guarantor");
        }
        portal_user.contacts = id_list(node, "contacts");
        portal_user.active = boolean(node, "active", true);
        portal_user.email = node.attribute("email").value();
        portal_user.phone = node.attribute("phone").value();
        portal_users_.push_back(std::move(portal_user));
        portal_user_nodes_.push_back(node);
      } else {
        fail(node, std::string("unknown element <") + node.name() +
                       "> (expected company, location, user, patient or portal-user)");
      }
    }
    if (!have_company) fail(root, "<practice> needs a <company>");
  }

  void resolve_instance_kind(const pugi::xml_node& root) const {
    const pugi::xml_attribute master = root.attribute("master");
    if (!master) return;  // without master=, the locations decide
    const bool is_master = boolean(root, "master", false);
    if (is_master && locations_.empty()) fail(root, "master=\"true\" but the practice has no <location>");
    if (!is_master && !locations_.empty()) {
      fail(location_nodes_.front(), "a single instance (master=\"false\") has no locations");
    }
  }

  void check_references() const {
    for (std::size_t i = 0; i < patients_.size(); ++i) {
      const Patient& patient = patients_[i];
      const pugi::xml_node& node = patient_nodes_[i];
      if (locations_.empty() && !patient.location_id.empty()) {
        fail(node, "patient '" + patient.id + "' names location '" + patient.location_id +
                       "' but a single instance has no locations");
      }
      if (!locations_.empty() && patient.location_id.empty()) {
        fail(node, "patient '" + patient.id + "' needs location= in a master instance");
      }
      if (!patient.location_id.empty() && !location_ids_.contains(patient.location_id)) {
        fail(node, "patient '" + patient.id + "': unknown location '" + patient.location_id + "'");
      }
      for (const std::string& member : patient.care_team) {
        if (!user_ids_.contains(member)) {
          fail(node, "patient '" + patient.id + "': unknown user '" + member + "' in care-team=");
        }
      }
    }
    for (std::size_t i = 0; i < portal_users_.size(); ++i) {
      for (const std::string& chart : portal_users_[i].contacts) {
        if (!patient_ids_.contains(chart)) {
          fail(portal_user_nodes_[i],
               "portal-user '" + portal_users_[i].id + "': unknown patient '" + chart + "' in contacts=");
        }
      }
    }
  }

  std::string_view xml_;
  std::string file_;
  Organization company_;
  std::vector<Organization> locations_;
  std::vector<StaffUser> users_;
  std::vector<Patient> patients_;
  std::vector<PortalUser> portal_users_;
  std::vector<pugi::xml_node> location_nodes_, patient_nodes_, portal_user_nodes_;
  std::map<std::string, std::ptrdiff_t> location_ids_, user_ids_, patient_ids_, portal_user_ids_;
};

}  // namespace

Practice parse_practice(std::string_view xml, std::string_view source_name) {
  return Reader(xml, source_name).read();
}

Practice load_practice_file(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw PracticeFileError(path.string(), 0, "cannot open the practice file");
  std::ostringstream text;
  text << in.rdbuf();
  return parse_practice(text.str(), path.string());
}

}  // namespace ehr::sample

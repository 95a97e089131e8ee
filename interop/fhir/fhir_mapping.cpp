// The mapping table lives in fhir_mapping.hpp; this file only follows it.
#include "fhir/fhir_mapping.hpp"

#include <algorithm>
#include <cstdio>
#include <map>
#include <set>

namespace ehr::fhir {

using nlohmann::json;

namespace {

constexpr std::string_view kRoleCodeSystem = "http://terminology.hl7.org/CodeSystem/v3-RoleCode";
constexpr std::string_view kRoleClassSystem = "http://terminology.hl7.org/CodeSystem/v3-RoleClass";

std::string fnv1a64_hex(std::string_view text) {
  std::uint64_t hash = 14695981039346656037ULL;
  for (const char c : text) {
    hash ^= static_cast<unsigned char>(c);
    hash *= 1099511628211ULL;
  }
  char out[17];
  std::snprintf(out, sizeof out, "%016llx", static_cast<unsigned long long>(hash));
  return out;
}

bool is_fhir_id(std::string_view id) {
  if (id.empty() || id.size() > 64) return false;
  return std::all_of(id.begin(), id.end(), [](char c) {
    return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '.';
  });
}

// prefix + value when that is a valid id and the system is the expected one; else a stable hash,
// so a foreign identifier or a host id with other characters never leaks into an id unchecked.
std::string resource_id(std::string_view prefix, const Identifier& identifier,
                        std::string_view expected_system) {
  std::string candidate = std::string(prefix) + identifier.value;
  if (identifier.system == expected_system && is_fhir_id(candidate)) return candidate;
  return "h-" + fnv1a64_hex(identifier.system + "|" + identifier.value);
}

json identifier_json(const Identifier& identifier) {
  return json{{"system", identifier.system}, {"value", identifier.value}};
}

Identifier patient_identifier(const std::string& patient_id) {
  return {std::string(kPatientSystem), patient_id};
}

std::string patient_resource_id(const std::string& patient_id) {
  return resource_id("", patient_identifier(patient_id), kPatientSystem);
}

Identifier person_identifier(const Person& person) {
  return {std::string(person.kind == PersonKind::staff ? kStaffSystem : kPortalUserSystem), person.id};
}

std::string person_resource_id(const Person& person) {
  const Identifier identifier = person_identifier(person);
  return resource_id("", identifier, identifier.system);
}

json with_display(json reference, const std::string& display) {
  if (!display.empty()) reference["display"] = display;
  return reference;
}

json patient_reference(const std::string& patient_id, const std::string& patient_name) {
  return with_display({{"reference", "Patient/" + patient_resource_id(patient_id)},
                       {"identifier", identifier_json(patient_identifier(patient_id))}},
                      patient_name);
}

// A portal user of kind patient is the chart's Patient; the reference still names the account.
json person_reference(const Person& person, const std::string& patient_id) {
  std::string target;
  switch (person.kind) {
    case PersonKind::staff:
      target = "Practitioner/" + person_resource_id(person);
      break;
    case PersonKind::patient:
      target = "Patient/" + patient_resource_id(patient_id);
      break;
    case PersonKind::guardian:
    case PersonKind::guarantor:
      target = "RelatedPerson/" + person_resource_id(person);
      break;
  }
  return with_display({{"reference", target}, {"identifier", identifier_json(person_identifier(person))}},
                      person.display_name);
}

std::string thread_resource_id(const Identifier& identifier) {
  return resource_id("t.", identifier, kThreadSystem);
}
std::string message_resource_id(const Identifier& identifier) {
  return resource_id("m.", identifier, kMessageSystem);
}

json communication_reference(const std::string& resource_id, const Identifier& identifier) {
  return {{"reference", "Communication/" + resource_id}, {"identifier", identifier_json(identifier)}};
}

json recipients_json(const std::vector<Person>& recipients, const std::string& patient_id) {
  json out = json::array();
  for (const Person& person : recipients) out.push_back(person_reference(person, patient_id));
  return out;
}

json named(const std::string& text) {
  return json::array({json{{"text", text}}});
}

json practitioner(const Person& person) {
  json resource{{"resourceType", "Practitioner"},
                {"id", person_resource_id(person)},
                {"identifier", json::array({identifier_json(person_identifier(person))})}};
  if (!person.display_name.empty()) resource["name"] = named(person.display_name);
  return resource;
}

json related_person(const Person& person, const std::string& patient_id, const std::string& patient_name) {
  const bool guardian = person.kind == PersonKind::guardian;
  json coding{{"system", guardian ? kRoleCodeSystem : kRoleClassSystem},
              {"code", guardian ? "GUARD" : "GUAR"},
              {"display", guardian ? "guardian" : "guarantor"}};
  json resource{{"resourceType", "RelatedPerson"},
                {"id", person_resource_id(person)},
                {"identifier", json::array({identifier_json(person_identifier(person))})},
                {"patient", patient_reference(patient_id, patient_name)},
                {"relationship", json::array({json{{"coding", json::array({coding})}}})}};
  if (!person.display_name.empty()) resource["name"] = named(person.display_name);
  return resource;
}

}  // namespace

Identifier local_thread_identifier(std::string_view store_id, std::int64_t thread_id) {
  return {std::string(kThreadSystem), std::string(store_id) + "." + std::to_string(thread_id)};
}

Identifier local_message_identifier(std::string_view store_id, std::int64_t message_id) {
  return {std::string(kMessageSystem), std::string(store_id) + "." + std::to_string(message_id)};
}

json to_communication(const MessageRecord& message) {
  json resource{
      {"resourceType", "Communication"},
      {"id", message_resource_id(message.identifier)},
      {"identifier", json::array({identifier_json(message.identifier)})},
      {"partOf", json::array({communication_reference(thread_resource_id(message.thread), message.thread)})},
      {"status", "completed"},
      {"subject", patient_reference(message.patient_id, message.patient_name)},
      {"sent", format_instant(message.sent_at_unix_ms)},
      {"sender", person_reference(message.sender, message.patient_id)},
      {"payload", json::array({json{{"contentString", message.body}}})}};
  if (message.in_response_to) {
    resource["inResponseTo"] = json::array(
        {communication_reference(message_resource_id(*message.in_response_to), *message.in_response_to)});
  }
  if (!message.subject.empty()) resource["topic"] = json{{"text", message.subject}};
  if (!message.recipients.empty())
    resource["recipient"] = recipients_json(message.recipients, message.patient_id);
  if (message.received_at_unix_ms) resource["received"] = format_instant(*message.received_at_unix_ms);
  return resource;
}

json to_communication(const ThreadRecord& thread) {
  json resource{{"resourceType", "Communication"},
                {"id", thread_resource_id(thread.identifier)},
                {"identifier", json::array({identifier_json(thread.identifier)})},
                {"status", "completed"},
                {"subject", patient_reference(thread.patient_id, thread.patient_name)},
                {"sent", format_instant(thread.started_at_unix_ms)},
                {"sender", person_reference(thread.started_by, thread.patient_id)}};
  if (!thread.subject.empty()) resource["topic"] = json{{"text", thread.subject}};
  if (!thread.recipients.empty())
    resource["recipient"] = recipients_json(thread.recipients, thread.patient_id);
  return resource;
}

json to_location(const LocationRecord& location) {
  json resource{{"resourceType", "Location"},
                {"id", resource_id("", {std::string(kLocationSystem), location.id}, kLocationSystem)},
                {"identifier", json::array({identifier_json({std::string(kLocationSystem), location.id})})},
                {"status", "active"},
                {"name", location.name}};
  if (!location.alias.empty()) resource["alias"] = json::array({location.alias});
  if (!location.phone.empty()) {
    resource["telecom"] = json::array({json{{"system", "phone"}, {"value", location.phone}}});
  }
  if (!location.address.empty()) resource["address"] = json{{"text", location.address}};
  return resource;
}

json to_bundle(const ChartExport& chart, std::int64_t timestamp_unix_ms) {
  json entries = json::array();
  auto add = [&entries](json resource) { entries.push_back(json{{"resource", std::move(resource)}}); };

  json patient{{"resourceType", "Patient"}, {"id", patient_resource_id(chart.patient_id)}};
  json patient_identifiers = json::array({identifier_json(patient_identifier(chart.patient_id))});
  for (const Person& person : chart.people) {
    if (person.kind == PersonKind::patient)
      patient_identifiers.push_back(identifier_json(person_identifier(person)));
  }
  patient["identifier"] = std::move(patient_identifiers);
  if (!chart.patient_name.empty()) patient["name"] = named(chart.patient_name);
  add(std::move(patient));

  if (chart.location) add(to_location(*chart.location));

  json care_team{{"resourceType", "CareTeam"},
                 {"id", resource_id("ct.", patient_identifier(chart.patient_id), kPatientSystem)},
                 {"status", "active"},
                 {"subject", patient_reference(chart.patient_id, chart.patient_name)}};
  json members = json::array();
  for (const std::string& user_id : chart.care_team) {
    Person member{PersonKind::staff, user_id, {}};
    for (const Person& person : chart.people) {
      if (person.kind == PersonKind::staff && person.id == user_id) member = person;
    }
    members.push_back(json{{"member", person_reference(member, chart.patient_id)}});
  }
  if (!members.empty()) care_team["participant"] = std::move(members);
  add(std::move(care_team));

  for (const Person& person : chart.people) {
    if (person.kind == PersonKind::staff) add(practitioner(person));
  }
  for (const Person& person : chart.people) {
    if (person.kind == PersonKind::guardian || person.kind == PersonKind::guarantor) {
      add(related_person(person, chart.patient_id, chart.patient_name));
    }
  }
  for (const ThreadRecord& thread : chart.threads) {
    add(to_communication(thread));
    for (const MessageRecord& message : chart.messages) {
      if (message.thread == thread.identifier) add(to_communication(message));
    }
  }
  return json{{"resourceType", "Bundle"},
              {"type", "collection"},
              {"timestamp", format_instant(timestamp_unix_ms)},
              {"entry", std::move(entries)}};
}

// ---- reading a Bundle back ----

namespace {

[[noreturn]] void fail(const std::string& where, const std::string& what) {
  throw MappingError(where + ": " + what);
}

const json* member(const json& object, const char* key) {
  if (!object.is_object()) return nullptr;
  const auto it = object.find(key);
  return it == object.end() ? nullptr : &*it;
}

std::string string_member(const json& object, const char* key, const std::string& where, bool required) {
  const json* value = member(object, key);
  if (value == nullptr) {
    if (required) fail(where, std::string(key) + " is required");
    return {};
  }
  if (!value->is_string()) fail(where, std::string(key) + " must be a string");
  return value->get<std::string>();
}

std::int64_t instant_member(const json& object, const char* key, const std::string& where) {
  const std::string text = string_member(object, key, where, true);
  const auto parsed = parse_instant(text);
  if (!parsed) fail(where, std::string(key) + " is not a dateTime with a time zone: '" + text + "'");
  return *parsed;
}

std::optional<Identifier> read_identifier(const json& value, const std::string& where) {
  if (!value.is_object()) fail(where, "identifier must be an object");
  Identifier identifier{string_member(value, "system", where + ".identifier", false),
                        string_member(value, "value", where + ".identifier", false)};
  if (identifier.system.empty() || identifier.value.empty()) return std::nullopt;
  return identifier;
}

// The first identifier of `resource` with `system`.
std::optional<Identifier> identifier_with_system(const json& resource, std::string_view system,
                                                 const std::string& where) {
  const json* identifiers = member(resource, "identifier");
  if (identifiers == nullptr || !identifiers->is_array()) return std::nullopt;
  for (const json& value : *identifiers) {
    auto identifier = read_identifier(value, where);
    if (identifier && identifier->system == system) return identifier;
  }
  return std::nullopt;
}

class BundleIndex {
 public:
  explicit BundleIndex(const json& entries) {
    for (std::size_t i = 0; i < entries.size(); ++i) {
      const json* resource = member(entries[i], "resource");
      if (resource == nullptr || !resource->is_object())
        fail("entry[" + std::to_string(i) + "]", "resource is required");
      const std::string where = "entry[" + std::to_string(i) + "]";
      const std::string type = string_member(*resource, "resourceType", where, true);
      const std::string id = string_member(*resource, "id", where, false);
      if (!id.empty()) by_reference_.emplace(type + "/" + id, resource);
    }
  }
  const json* find(const std::string& reference) const {
    const auto it = by_reference_.find(reference);
    return it == by_reference_.end() ? nullptr : it->second;
  }

 private:
  std::map<std::string, const json*> by_reference_;
};

std::string reference_type(const std::string& reference) {
  return reference.substr(0, reference.find('/'));
}

PersonKind related_person_kind(const json* resource) {
  if (resource == nullptr) return PersonKind::guardian;
  const json* relationships = member(*resource, "relationship");
  if (relationships != nullptr && relationships->is_array()) {
    for (const json& relationship : *relationships) {
      const json* codings = member(relationship, "coding");
      if (codings == nullptr || !codings->is_array()) continue;
      for (const json& coding : *codings) {
        const json* code = member(coding, "code");
        if (code != nullptr && code->is_string() && code->get<std::string>() == "GUAR")
          return PersonKind::guarantor;
      }
    }
  }
  return PersonKind::guardian;
}

// A sender or recipient: by the Reference's own identifier, else by the identifier of the
// resource it names in the Bundle. Anything else is a person we cannot name: refused.
Person read_person(const json& reference, const BundleIndex& index, const std::string& where) {
  if (!reference.is_object()) fail(where, "must be a Reference");
  const std::string target = string_member(reference, "reference", where, false);
  const std::string display = string_member(reference, "display", where, false);
  const std::string type = reference_type(target);
  const json* resource = target.empty() ? nullptr : index.find(target);
  std::optional<Identifier> identifier;
  if (const json* own = member(reference, "identifier")) identifier = read_identifier(*own, where);
  if (!identifier && resource != nullptr) {
    identifier =
        identifier_with_system(*resource, type == "Practitioner" ? kStaffSystem : kPortalUserSystem, where);
  }
  if (!identifier) {
    if (!target.empty() && resource == nullptr) fail(where, "unknown reference '" + target + "'");
    fail(where, "names no person this system knows: '" + (target.empty() ? display : target) +
                    "' has no identifier of system " + std::string(kStaffSystem) + " or " +
                    std::string(kPortalUserSystem));
  }
  Person person{PersonKind::staff, identifier->value, display};
  if (identifier->system == kStaffSystem) {
    if (!type.empty() && type != "Practitioner")
      fail(where, "a staff identifier on a " + type + " reference");
  } else if (identifier->system == kPortalUserSystem) {
    if (type == "Patient") {
      person.kind = PersonKind::patient;
    } else if (type == "RelatedPerson" || type.empty()) {
      person.kind = related_person_kind(resource);
    } else {
      fail(where, "a portal user identifier on a " + type + " reference");
    }
  } else {
    fail(where, "unknown identifier system '" + identifier->system + "' for '" + identifier->value + "'");
  }
  return person;
}

std::string read_patient(const json& communication, const BundleIndex& index, const std::string& where) {
  const json* subject = member(communication, "subject");
  if (subject == nullptr) fail(where, "subject (the Patient) is required");
  const std::string target = string_member(*subject, "reference", where + ".subject", false);
  std::optional<Identifier> identifier;
  if (const json* own = member(*subject, "identifier"))
    identifier = read_identifier(*own, where + ".subject");
  if (!identifier && !target.empty()) {
    const json* resource = index.find(target);
    if (resource == nullptr) fail(where + ".subject", "unknown reference '" + target + "'");
    identifier = identifier_with_system(*resource, kPatientSystem, where + ".subject");
  }
  if (!identifier || identifier->system != kPatientSystem) {
    fail(where + ".subject",
         "names no patient this system knows (no identifier of system " + std::string(kPatientSystem) + ")");
  }
  if (!target.empty() && reference_type(target) != "Patient")
    fail(where + ".subject", "must reference a Patient");
  return identifier->value;
}

std::vector<Person> read_recipients(const json& communication, const BundleIndex& index,
                                    const std::string& where) {
  std::vector<Person> recipients;
  if (const json* list = member(communication, "recipient")) {
    if (!list->is_array()) fail(where, "recipient must be an array");
    for (std::size_t i = 0; i < list->size(); ++i) {
      recipients.push_back(read_person((*list)[i], index, where + ".recipient[" + std::to_string(i) + "]"));
    }
  }
  return recipients;
}

Identifier own_identifier(const json& communication, const std::string& where) {
  const json* identifiers = member(communication, "identifier");
  if (identifiers == nullptr || !identifiers->is_array() || identifiers->empty()) {
    fail(where, "identifier is required (import is idempotent by identifier)");
  }
  auto identifier = read_identifier((*identifiers)[0], where);
  if (!identifier) fail(where, "identifier needs a system and a value");
  return *identifier;
}

// partOf / inResponseTo: the first Reference, by its identifier or the Communication it names.
std::optional<Identifier> communication_link(const json& communication, const char* key,
                                             const BundleIndex& index, const std::string& where) {
  const json* list = member(communication, key);
  if (list == nullptr) return std::nullopt;
  if (!list->is_array() || list->empty()) fail(where, std::string(key) + " must be a non-empty array");
  const std::string field = where + "." + key;
  const json& reference = (*list)[0];
  if (const json* own = member(reference, "identifier")) {
    if (auto identifier = read_identifier(*own, field)) return identifier;
  }
  const std::string target = string_member(reference, "reference", field, false);
  const json* resource = target.empty() ? nullptr : index.find(target);
  if (resource == nullptr) fail(field, "unknown reference '" + target + "'");
  return own_identifier(*resource, field + " '" + target + "'");
}

std::string topic_text(const json& communication, const std::string& where) {
  const json* topic = member(communication, "topic");
  return topic == nullptr ? std::string() : string_member(*topic, "text", where + ".topic", false);
}

}  // namespace

std::vector<ImportedThread> from_bundle(const json& bundle) {
  if (!bundle.is_object() || string_member(bundle, "resourceType", "Bundle", false) != "Bundle") {
    fail("Bundle", "not a FHIR Bundle (resourceType must be \"Bundle\")");
  }
  const json* entries = member(bundle, "entry");
  if (entries == nullptr) return {};
  if (!entries->is_array()) fail("Bundle", "entry must be an array");
  const BundleIndex index(*entries);

  std::vector<ImportedThread> threads;
  std::map<std::pair<std::string, std::string>, std::size_t> thread_by_identifier;
  struct Pending {
    std::size_t entry;
    std::string where;
    Identifier thread;
  };
  std::vector<Pending> messages;
  std::set<std::pair<std::string, std::string>> seen;
  for (std::size_t i = 0; i < entries->size(); ++i) {
    const json& resource = (*entries)[i]["resource"];
    if (resource["resourceType"] != "Communication") continue;
    const std::string where =
        "entry[" + std::to_string(i) + "] Communication '" + string_member(resource, "id", "", false) + "'";
    const Identifier identifier = own_identifier(resource, where);
    if (!seen.insert({identifier.system, identifier.value}).second) {
      fail(where,
           "identifier " + identifier.system + "|" + identifier.value + " appears twice in the Bundle");
    }
    if (auto thread = communication_link(resource, "partOf", index, where)) {
      messages.push_back({i, where, *thread});
      continue;
    }
    ImportedThread imported;
    imported.thread.identifier = identifier;
    imported.thread.patient_id = read_patient(resource, index, where);
    imported.thread.subject = topic_text(resource, where);
    const json* sender = member(resource, "sender");
    if (sender == nullptr) fail(where, "sender is required");
    imported.thread.started_by = read_person(*sender, index, where + ".sender");
    imported.thread.recipients = read_recipients(resource, index, where);
    imported.thread.started_at_unix_ms = instant_member(resource, "sent", where);
    thread_by_identifier.emplace(std::pair{identifier.system, identifier.value}, threads.size());
    threads.push_back(std::move(imported));
  }

  for (const Pending& pending : messages) {
    const json& resource = (*entries)[pending.entry]["resource"];
    const std::string& where = pending.where;
    const auto thread = thread_by_identifier.find({pending.thread.system, pending.thread.value});
    if (thread == thread_by_identifier.end()) {
      fail(where + ".partOf", "names no thread Communication in the Bundle: " + pending.thread.system + "|" +
                                  pending.thread.value);
    }
    ImportedThread& imported = threads[thread->second];
    MessageRecord message;
    message.identifier = own_identifier(resource, where);
    message.thread = pending.thread;
    message.in_response_to = communication_link(resource, "inResponseTo", index, where);
    message.patient_id = read_patient(resource, index, where);
    if (message.patient_id != imported.thread.patient_id) {
      fail(where + ".subject", "is patient '" + message.patient_id + "' but its thread is about '" +
                                   imported.thread.patient_id + "'");
    }
    message.subject = imported.thread.subject;
    const json* sender = member(resource, "sender");
    if (sender == nullptr) fail(where, "sender is required");
    message.sender = read_person(*sender, index, where + ".sender");
    message.recipients = read_recipients(resource, index, where);
    const json* payload = member(resource, "payload");
    if (payload == nullptr || !payload->is_array() || payload->size() != 1) {
      fail(where, "payload must hold exactly one contentString (the message text)");
    }
    message.body = string_member((*payload)[0], "contentString", where + ".payload[0]", true);
    message.sent_at_unix_ms = instant_member(resource, "sent", where);
    if (member(resource, "received") != nullptr)
      message.received_at_unix_ms = instant_member(resource, "received", where);
    imported.messages.push_back(std::move(message));
  }
  for (ImportedThread& imported : threads) {
    std::stable_sort(
        imported.messages.begin(), imported.messages.end(),
        [](const MessageRecord& a, const MessageRecord& b) { return a.sent_at_unix_ms < b.sent_at_unix_ms; });
  }
  return threads;
}

}  // namespace ehr::fhir

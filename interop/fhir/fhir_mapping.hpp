// ehr::fhir: conversations as FHIR R4 resources, and back. The one mapping, used by the plugin
// (each stored message as a Communication) and by hosts (a chart's threads as a Bundle, and a
// Bundle from another system read back into records). Plain records in and out: this module
// knows nothing of the plugin, the SDK, access checks or storage.
//
// THE TABLE (docs/integrators.md shows it to integrators; change both together)
//
//   ours                        FHIR R4
//   --------------------------  ---------------------------------------------------------------
//   thread                      Communication  id "t.<identifier value>", identifier, status
//                                              completed, subject, topic.text = subject line,
//                                              sent = started, sender = who started it,
//                                              recipient = the other participants; no payload
//   message                     Communication  id "m.<identifier value>", identifier, status
//                                              completed, partOf = its thread, inResponseTo =
//                                              the message before it (replies only), subject,
//                                              topic.text, sender, recipient, sent, received
//                                              (first read by a recipient; absent while unread),
//                                              payload[0].contentString = body
//   patient (chart)             Patient        identifier kPatientSystem|patient id, plus
//                                              kPortalUserSystem|id of its own portal account(s)
//   staff user                  Practitioner   identifier kStaffSystem|user id, name.text
//   portal user, kind patient   Patient        (the chart's Patient; reference carries the
//                                              portal user's identifier)
//   portal user, guardian       RelatedPerson  identifier kPortalUserSystem|id, patient,
//                                              relationship v3-RoleCode GUARD
//   portal user, guarantor      RelatedPerson  identifier kPortalUserSystem|id, patient,
//                                              relationship v3-RoleClass GUAR
//   care team                   CareTeam       status active, subject, participant[].member
//   brand location              Location       identifier kLocationSystem|id, status active,
//                                              name, alias[0] = Alias (when not empty),
//                                              telecom phone, address.text
//   export                      Bundle         type collection, timestamp
//
// Every Reference carries `reference` ("Type/id" of a resource in the same Bundle),
// `identifier` (so it is meaningful alone, as in a webhook) and `display`.
// Resource ids: the host's id when it is a valid FHIR id ([A-Za-z0-9-.]{1,64}, with the prefix),
// else "h-" and a 64-bit FNV-1a hash of the identifier: stable, never the raw text.
// Times: UTC, milliseconds, "2026-12-01T10:08:46.123Z"; offsets are accepted on import.
#pragma once

#include <cstdint>
#include <nlohmann/json.hpp>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

namespace ehr::fhir {

// Identifier systems: stable URIs, never changed once released.
inline constexpr std::string_view kThreadSystem = "urn:ehr-portal-messaging:thread";
inline constexpr std::string_view kMessageSystem = "urn:ehr-portal-messaging:message";
inline constexpr std::string_view kPatientSystem = "urn:ehr-portal-messaging:patient";
inline constexpr std::string_view kStaffSystem = "urn:ehr-portal-messaging:staff-user";
inline constexpr std::string_view kPortalUserSystem = "urn:ehr-portal-messaging:portal-user";
inline constexpr std::string_view kLocationSystem = "urn:ehr-portal-messaging:location";

// Bad input (a Bundle that does not follow the table, an unknown reference): the message names
// where, e.g. "entry[4] Communication 'm.x': sender: unknown reference 'Practitioner/zz'".
class MappingError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

struct Identifier {
  std::string system;
  std::string value;
  friend bool operator==(const Identifier&, const Identifier&) = default;
};

// The plugin's own messages and threads: unique across stores because store_id is (a random id
// each plugin database draws once). Imported ones keep the identifier they came with.
[[nodiscard]] Identifier local_thread_identifier(std::string_view store_id, std::int64_t thread_id);
[[nodiscard]] Identifier local_message_identifier(std::string_view store_id, std::int64_t message_id);

enum class PersonKind { staff, patient, guardian, guarantor };

// A staff user, or a portal user of the given kind (id = the host's user id).
struct Person {
  PersonKind kind = PersonKind::staff;
  std::string id;
  std::string display_name;  // optional
  friend bool operator==(const Person&, const Person&) = default;
};

struct ThreadRecord {
  Identifier identifier;
  std::string patient_id;
  std::string patient_name;  // optional, the references' display
  std::string subject;       // may be empty
  Person started_by;
  std::vector<Person> recipients;  // the participants other than started_by
  std::int64_t started_at_unix_ms = 0;
};

struct MessageRecord {
  Identifier identifier;
  Identifier thread;                         // partOf
  std::optional<Identifier> in_response_to;  // the message before it; none for the first
  std::string patient_id;
  std::string patient_name;  // optional
  std::string subject;       // the thread's
  Person sender;
  std::vector<Person> recipients;
  std::string body;
  std::int64_t sent_at_unix_ms = 0;
  std::optional<std::int64_t> received_at_unix_ms;  // first read by a recipient
};

struct LocationRecord {
  std::string id;
  std::string name;
  std::string alias;  // empty: none
  std::string address;
  std::string phone;
};

// One chart's conversations. people: everyone the threads name (staff and portal users).
struct ChartExport {
  std::string patient_id;
  std::string patient_name;
  std::vector<Person> people;
  std::vector<std::string> care_team;  // staff user ids, each also in people
  std::optional<LocationRecord> location;
  std::vector<ThreadRecord> threads;
  std::vector<MessageRecord> messages;  // per thread, oldest first
};

// One message as a Communication (the webhook's payload; an entry of an export).
[[nodiscard]] nlohmann::json to_communication(const MessageRecord& message);
// The thread itself as a Communication (the messages' partOf).
[[nodiscard]] nlohmann::json to_communication(const ThreadRecord& thread);
[[nodiscard]] nlohmann::json to_location(const LocationRecord& location);
// A Bundle of type collection: Patient, Location, CareTeam, the people, then each thread
// followed by its messages. timestamp_unix_ms: when the export was made.
[[nodiscard]] nlohmann::json to_bundle(const ChartExport& chart, std::int64_t timestamp_unix_ms);

// A thread read back from a Bundle: the thread record and its messages, oldest first (by sent,
// then Bundle order). Person kinds come from the resource types; ids from the identifiers.
struct ImportedThread {
  ThreadRecord thread;
  std::vector<MessageRecord> messages;
};

// Reads the Communications of a collection Bundle against the table above. Throws MappingError
// naming the entry and field for anything it cannot map: a reference to nothing in the Bundle,
// a person without one of our identifier systems, a message whose partOf names no thread, a
// missing or malformed time. Every thread's messages must be about the thread's patient.
[[nodiscard]] std::vector<ImportedThread> from_bundle(const nlohmann::json& bundle);

// FHIR instants (UTC with milliseconds) and back; parse accepts any offset and precision.
[[nodiscard]] std::string format_instant(std::int64_t unix_ms);
[[nodiscard]] std::optional<std::int64_t> parse_instant(std::string_view text);

}  // namespace ehr::fhir

// The FHIR R4 mapping (interop/fhir): records to resources and a Bundle back to records.
// R-INT-1
#include "fhir/fhir_mapping.hpp"

#include <gtest/gtest.h>

#include <functional>

namespace ehr::fhir {
namespace {

using nlohmann::json;

constexpr std::int64_t kSent = 1'764'583'726'123;  // 2025-12-01T10:08:46.123Z

Person lee() {
  return {PersonKind::staff, "drlee", "Dr. Grace Lee"};
}
Person maria() {
  return {PersonKind::patient, "maria", "Maria Alvarez"};
}
Person rosa() {
  return {PersonKind::guardian, "rosa", "Rosa Nguyen"};
}
Person paul() {
  return {PersonKind::guarantor, "paul", "Paul Nguyen"};
}

ThreadRecord thread() {
  return {local_thread_identifier("a1b2", 7), "p01", "Maria Alvarez", "Lab results", lee(), {maria()}, kSent};
}

MessageRecord first_message() {
  MessageRecord message;
  message.identifier = local_message_identifier("a1b2", 41);
  message.thread = thread().identifier;
  message.patient_id = "p01";
  message.patient_name = "Maria Alvarez";
  message.subject = "Lab results";
  message.sender = lee();
  message.recipients = {maria()};
  message.body = "Your results are normal.\nSee you in June.";
  message.sent_at_unix_ms = kSent;
  message.received_at_unix_ms = kSent + 60'000;
  return message;
}

MessageRecord reply() {
  MessageRecord message = first_message();
  message.identifier = local_message_identifier("a1b2", 42);
  message.in_response_to = first_message().identifier;
  message.sender = maria();
  message.recipients = {lee()};
  message.body = "Thank you!";
  message.sent_at_unix_ms = kSent + 120'000;
  message.received_at_unix_ms.reset();
  return message;
}

ChartExport chart() {
  ChartExport chart;
  chart.patient_id = "p01";
  chart.patient_name = "Maria Alvarez";
  chart.people = {lee(), maria(), rosa(), paul()};
  chart.care_team = {"drlee"};
  chart.location =
      LocationRecord{"north", "Riverbend North Clinic", "Northside Family Care", "12 Pine Street", "+1 555"};
  chart.threads = {thread()};
  chart.messages = {first_message(), reply()};
  return chart;
}

TEST(FhirMapping, MessageIsACommunicationPartOfItsThread) {
  const json c = to_communication(first_message());
  EXPECT_EQ(c["resourceType"], "Communication");
  EXPECT_EQ(c["id"], "m.a1b2.41");
  EXPECT_EQ(c["status"], "completed");
  EXPECT_EQ(c["identifier"][0]["system"], kMessageSystem);
  EXPECT_EQ(c["identifier"][0]["value"], "a1b2.41");
  EXPECT_EQ(c["partOf"][0]["reference"], "Communication/t.a1b2.7");
  EXPECT_EQ(c["partOf"][0]["identifier"]["value"], "a1b2.7");
  EXPECT_FALSE(c.contains("inResponseTo"));  // the first message answers nothing
  EXPECT_EQ(c["subject"]["reference"], "Patient/p01");
  EXPECT_EQ(c["subject"]["identifier"]["system"], kPatientSystem);
  EXPECT_EQ(c["topic"]["text"], "Lab results");
  EXPECT_EQ(c["sender"]["reference"], "Practitioner/drlee");
  EXPECT_EQ(c["sender"]["display"], "Dr. Grace Lee");
  EXPECT_EQ(c["recipient"][0]["reference"], "Patient/p01");  // maria is the patient's own account
  EXPECT_EQ(c["recipient"][0]["identifier"]["value"], "maria");
  EXPECT_EQ(c["recipient"][0]["identifier"]["system"], kPortalUserSystem);
  EXPECT_EQ(c["sent"], "2025-12-01T10:08:46.123Z");
  EXPECT_EQ(c["received"], "2025-12-01T10:09:46.123Z");
  EXPECT_EQ(c["payload"][0]["contentString"], "Your results are normal.\nSee you in June.");
}

TEST(FhirMapping, ReplyAnswersTheMessageBeforeItAndUnreadHasNoReceived) {
  const json c = to_communication(reply());
  EXPECT_EQ(c["inResponseTo"][0]["reference"], "Communication/m.a1b2.41");
  EXPECT_EQ(c["sender"]["reference"], "Patient/p01");
  EXPECT_EQ(c["recipient"][0]["reference"], "Practitioner/drlee");
  EXPECT_FALSE(c.contains("received"));
}

TEST(FhirMapping, GuardiansAndGuarantorsAreRelatedPersons) {
  MessageRecord message = first_message();
  message.recipients = {rosa(), paul()};
  const json c = to_communication(message);
  EXPECT_EQ(c["recipient"][0]["reference"], "RelatedPerson/rosa");
  EXPECT_EQ(c["recipient"][1]["reference"], "RelatedPerson/paul");

  const json bundle = to_bundle(chart(), kSent);
  std::vector<json> related;
  for (const json& entry : bundle["entry"]) {
    if (entry["resource"]["resourceType"] == "RelatedPerson") related.push_back(entry["resource"]);
  }
  ASSERT_EQ(related.size(), 2u);
  EXPECT_EQ(related[0]["relationship"][0]["coding"][0]["code"], "GUARD");
  EXPECT_EQ(related[1]["relationship"][0]["coding"][0]["code"], "GUAR");
  EXPECT_EQ(related[0]["patient"]["reference"], "Patient/p01");
}

TEST(FhirMapping, ThreadCommunicationCarriesTopicAndParticipantsButNoPayload) {
  const json c = to_communication(thread());
  EXPECT_EQ(c["id"], "t.a1b2.7");
  EXPECT_EQ(c["identifier"][0]["system"], kThreadSystem);
  EXPECT_EQ(c["topic"]["text"], "Lab results");
  EXPECT_EQ(c["sender"]["reference"], "Practitioner/drlee");
  EXPECT_FALSE(c.contains("payload"));
  EXPECT_FALSE(c.contains("partOf"));
}

TEST(FhirMapping, EmptySubjectHasNoTopic) {
  ThreadRecord t = thread();
  t.subject.clear();
  EXPECT_FALSE(to_communication(t).contains("topic"));
}

TEST(FhirMapping, LocationKeepsTheAliasInAlias) {
  const json l =
      to_location({"north", "Riverbend North Clinic", "Northside Family Care", "12 Pine Street", "+1 555"});
  EXPECT_EQ(l["name"], "Riverbend North Clinic");
  EXPECT_EQ(l["alias"], json::array({"Northside Family Care"}));
  EXPECT_EQ(l["identifier"][0]["system"], kLocationSystem);
  EXPECT_EQ(l["status"], "active");
  EXPECT_FALSE(to_location({"south", "South", "", "", ""}).contains("alias"));
}

TEST(FhirMapping, BundleIsACollectionWithCareTeamAndEveryone) {
  const json bundle = to_bundle(chart(), kSent);
  EXPECT_EQ(bundle["resourceType"], "Bundle");
  EXPECT_EQ(bundle["type"], "collection");
  EXPECT_EQ(bundle["timestamp"], "2025-12-01T10:08:46.123Z");
  std::vector<std::string> types;
  for (const json& entry : bundle["entry"]) types.push_back(entry["resource"]["resourceType"]);
  EXPECT_EQ(types,
            (std::vector<std::string>{"Patient", "Location", "CareTeam", "Practitioner", "RelatedPerson",
                                      "RelatedPerson", "Communication", "Communication", "Communication"}));
  const json& patient = bundle["entry"][0]["resource"];
  EXPECT_EQ(patient["identifier"].size(), 2u);  // the chart and maria's own account
  const json& care_team = bundle["entry"][2]["resource"];
  EXPECT_EQ(care_team["participant"][0]["member"]["reference"], "Practitioner/drlee");
  EXPECT_EQ(care_team["subject"]["reference"], "Patient/p01");
}

TEST(FhirMapping, IdsThatAreNotFhirIdsAreHashedNeverCopied) {
  Person odd{PersonKind::staff, "dr lee/<x>", "Odd"};
  MessageRecord message = first_message();
  message.sender = odd;
  message.identifier = {"urn:other-system", "message 1"};
  const json c = to_communication(message);
  const std::string sender = c["sender"]["reference"];
  EXPECT_EQ(sender.rfind("Practitioner/h-", 0), 0u) << sender;
  EXPECT_EQ(c["sender"]["identifier"]["value"], "dr lee/<x>");
  const std::string id = c["id"];
  EXPECT_EQ(id.rfind("h-", 0), 0u) << id;
  EXPECT_EQ(id.size(), 18u);
  // A foreign system never gets our prefix form even when its value would be a valid id.
  message.identifier = {"urn:other-system", "a1b2.41"};
  EXPECT_NE(to_communication(message)["id"], "m.a1b2.41");
}

TEST(FhirMapping, BundleReadsBackToTheSameRecords) {
  const auto threads = from_bundle(to_bundle(chart(), kSent));
  ASSERT_EQ(threads.size(), 1u);
  const ImportedThread& t = threads[0];
  EXPECT_EQ(t.thread.identifier, thread().identifier);
  EXPECT_EQ(t.thread.patient_id, "p01");
  EXPECT_EQ(t.thread.subject, "Lab results");
  EXPECT_EQ(t.thread.started_by, lee());
  EXPECT_EQ(t.thread.recipients, std::vector<Person>{maria()});
  EXPECT_EQ(t.thread.started_at_unix_ms, kSent);
  ASSERT_EQ(t.messages.size(), 2u);
  EXPECT_EQ(t.messages[0].identifier, first_message().identifier);
  EXPECT_EQ(t.messages[0].body, first_message().body);
  EXPECT_EQ(t.messages[0].received_at_unix_ms, first_message().received_at_unix_ms);
  EXPECT_EQ(t.messages[1].in_response_to, first_message().identifier);
  EXPECT_EQ(t.messages[1].sender, maria());
  EXPECT_FALSE(t.messages[1].received_at_unix_ms);
  // And the records map to the same resources again.
  EXPECT_EQ(to_communication(t.messages[1])["sender"], to_communication(reply())["sender"]);
}

TEST(FhirMapping, ReadsGuarantorKindFromTheRelatedPersonInTheBundle) {
  ChartExport c = chart();
  c.messages[1].sender = paul();
  const auto threads = from_bundle(to_bundle(c, kSent));
  EXPECT_EQ(threads[0].messages[1].sender.kind, PersonKind::guarantor);
}

TEST(FhirMapping, MessagesAreOrderedBySentWhateverTheBundleOrder) {
  ChartExport c = chart();
  std::swap(c.messages[0], c.messages[1]);
  const auto threads = from_bundle(to_bundle(c, kSent));
  ASSERT_EQ(threads[0].messages.size(), 2u);
  EXPECT_EQ(threads[0].messages[0].identifier, first_message().identifier);
}

json bundle_with_message(const std::function<void(json&)>& change) {
  json bundle = to_bundle(chart(), kSent);
  for (json& entry : bundle["entry"]) {
    if (entry["resource"]["id"] == "m.a1b2.42") change(entry["resource"]);
  }
  return bundle;
}

void expect_refused(const json& bundle, const std::string& words) {
  try {
    (void)from_bundle(bundle);
    ADD_FAILURE() << "accepted; expected: " << words;
  } catch (const MappingError& e) {
    EXPECT_NE(std::string(e.what()).find(words), std::string::npos) << e.what();
  }
}

TEST(FhirMapping, UnknownPeopleAreRefusedNamingTheReference) {
  expect_refused(bundle_with_message([](json& m) {
                   m["sender"] = json{{"reference", "Practitioner/zz"}};
                 }),
                 "sender: unknown reference 'Practitioner/zz'");
  expect_refused(bundle_with_message([](json& m) {
                   m["recipient"][0] = json{{"reference", "Practitioner/x"},
                                            {"identifier", {{"system", "urn:elsewhere"}, {"value", "x"}}}};
                 }),
                 "recipient[0]: unknown identifier system 'urn:elsewhere'");
  expect_refused(bundle_with_message([](json& m) {
                   m["sender"] = json{{"display", "Somebody"}};
                 }),
                 "names no person this system knows: 'Somebody'");
}

TEST(FhirMapping, BadBundlesAreRefusedNamingTheField) {
  expect_refused(json{{"resourceType", "Patient"}}, "not a FHIR Bundle");
  expect_refused(bundle_with_message([](json& m) { m.erase("identifier"); }),
                 "m.a1b2.42': identifier is required");
  expect_refused(bundle_with_message([](json& m) { m["sent"] = "yesterday"; }),
                 "sent is not a dateTime with a time zone: 'yesterday'");
  expect_refused(bundle_with_message([](json& m) { m["payload"] = json::array(); }),
                 "payload must hold exactly one");
  expect_refused(bundle_with_message([](json& m) {
                   m["partOf"] = json::array({json{{"reference", "Communication/nope"}}});
                 }),
                 "partOf: unknown reference 'Communication/nope'");
  expect_refused(bundle_with_message([](json& m) {
                   m["subject"] = json{{"identifier", {{"system", kPatientSystem}, {"value", "p02"}}}};
                 }),
                 "is patient 'p02' but its thread is about 'p01'");
  expect_refused(bundle_with_message([](json& m) { m["identifier"][0]["value"] = "a1b2.41"; }),
                 "appears twice");
}

TEST(FhirTime, InstantsRoundTripInUtcWithMilliseconds) {
  EXPECT_EQ(format_instant(0), "1970-01-01T00:00:00.000Z");
  EXPECT_EQ(format_instant(951'782'400'000), "2000-02-29T00:00:00.000Z");
  EXPECT_EQ(parse_instant("2025-12-01T10:08:46.123Z"), kSent);
  EXPECT_EQ(parse_instant(format_instant(kSent)), kSent);
  EXPECT_EQ(parse_instant("2025-12-01T12:08:46.123+02:00"), kSent);
  EXPECT_EQ(parse_instant("2025-12-01T10:08:46Z"), kSent - 123);
  EXPECT_EQ(parse_instant("2025-12-01T10:08:46.1239Z"), kSent);
  EXPECT_FALSE(parse_instant("2025-12-01T10:08:46"));  // no zone: not an instant
  EXPECT_FALSE(parse_instant("2025-02-30T10:08:46Z"));
  EXPECT_FALSE(parse_instant("2025-12-01"));
  EXPECT_FALSE(parse_instant("2025-12-01T10:08:46.Z"));
  EXPECT_FALSE(parse_instant("2025-12-01T10:08:46Zjunk"));
}

}  // namespace
}  // namespace ehr::fhir

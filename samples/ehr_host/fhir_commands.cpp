// ehr-host fhir ...: a chart's conversations out as a FHIR R4 Bundle, and a Bundle from another
// system in. The plugin owns the records (it checks access, audits, and keeps identifiers); the
// host adds what it knows (names, kinds, care team, location) and maps both ways with ehr::fhir,
// the one mapping table (docs/integrators.md).
#include <cerrno>
#include <cstring>
#include <fstream>
#include <iostream>
#include <map>
#include <ostream>
#include <sstream>

#include "commands.hpp"
#include "fhir/fhir_mapping.hpp"

namespace ehr::sample::cli {

namespace host = ehr::host;
namespace fhir = ehr::fhir;

namespace {

fhir::Identifier to_fhir(const host::RecordIdentifier& identifier) {
  return {identifier.system, identifier.value};
}

host::RecordIdentifier from_fhir(const fhir::Identifier& identifier) {
  return {identifier.system, identifier.value};
}

// Who a principal is in FHIR terms: staff, or the portal user's kind as the practice has it.
fhir::Person person(const SampleHost& sample, const host::Principal& principal) {
  fhir::Person out{fhir::PersonKind::staff, principal.id, {}};
  if (principal.kind == host::PrincipalKind::staff) {
    if (const StaffUser* user = sample.practice().find_user(principal.id)) out.display_name = user->name;
    return out;
  }
  out.kind = fhir::PersonKind::patient;
  if (const PortalUser* user = sample.practice().find_portal_user(principal.id)) {
    out.display_name = user->name;
    if (user->kind == PortalUserKind::guardian) out.kind = fhir::PersonKind::guardian;
    if (user->kind == PortalUserKind::guarantor) out.kind = fhir::PersonKind::guarantor;
  }
  return out;
}

std::vector<fhir::Person> people(const SampleHost& sample, const std::vector<host::Principal>& principals) {
  std::vector<fhir::Person> out;
  out.reserve(principals.size());
  for (const host::Principal& principal : principals) out.push_back(person(sample, principal));
  return out;
}

// The plugin's records with what the host knows about the chart: one Bundle.
fhir::ChartExport chart_export(const SampleHost& sample, const Patient& patient,
                               const std::vector<host::ThreadRecord>& threads) {
  fhir::ChartExport chart;
  chart.patient_id = patient.id;
  chart.patient_name = patient.name;
  chart.care_team = patient.care_team;
  std::map<std::pair<host::PrincipalKind, std::string>, host::Principal> named;
  auto name = [&named](const host::Principal& p) { named.emplace(std::pair{p.kind, p.id}, p); };
  for (const std::string& id : patient.care_team) name(host::Principal::staff(id));
  for (const host::ThreadRecord& thread : threads) {
    fhir::ThreadRecord out;
    out.identifier = to_fhir(thread.identifier);
    out.patient_id = thread.patient_id;
    out.patient_name = patient.name;
    out.subject = thread.subject;
    out.started_by = person(sample, thread.started_by);
    out.recipients = people(sample, thread.recipients);
    out.started_at_unix_ms = thread.started_at_unix_ms;
    name(thread.started_by);
    for (const host::Principal& p : thread.recipients) name(p);
    for (const host::MessageRecord& message : thread.messages) {
      fhir::MessageRecord m;
      m.identifier = to_fhir(message.identifier);
      m.thread = out.identifier;
      if (!message.in_response_to.value.empty()) m.in_response_to = to_fhir(message.in_response_to);
      m.patient_id = thread.patient_id;
      m.patient_name = patient.name;
      m.subject = thread.subject;
      m.sender = person(sample, message.sender);
      m.recipients = people(sample, message.recipients);
      m.body = message.body;
      m.sent_at_unix_ms = message.sent_at_unix_ms;
      m.received_at_unix_ms = message.received_at_unix_ms;
      name(message.sender);
      for (const host::Principal& p : message.recipients) name(p);
      chart.messages.push_back(std::move(m));
    }
    chart.threads.push_back(std::move(out));
  }
  for (const auto& [key, principal] : named) chart.people.push_back(person(sample, principal));
  if (const Organization* location = sample.practice().find_location(patient.location_id)) {
    chart.location = fhir::LocationRecord{location->location_id, location->name, location->alias,
                                          location->address, location->phone};
  }
  return chart;
}

host::Principal principal_of(const fhir::Person& person) {
  return person.kind == fhir::PersonKind::staff ? host::Principal::staff(person.id)
                                                : host::Principal::portal_user(person.id);
}

std::vector<host::Principal> principals_of(const std::vector<fhir::Person>& persons) {
  std::vector<host::Principal> out;
  out.reserve(persons.size());
  for (const fhir::Person& p : persons) out.push_back(principal_of(p));
  return out;
}

std::vector<host::ThreadRecord> records_of(const std::vector<fhir::ImportedThread>& imported) {
  std::vector<host::ThreadRecord> threads;
  for (const fhir::ImportedThread& in : imported) {
    host::ThreadRecord thread;
    thread.identifier = from_fhir(in.thread.identifier);
    thread.patient_id = in.thread.patient_id;
    thread.subject = in.thread.subject;
    thread.started_by = principal_of(in.thread.started_by);
    thread.recipients = principals_of(in.thread.recipients);
    thread.started_at_unix_ms = in.thread.started_at_unix_ms;
    for (const fhir::MessageRecord& m : in.messages) {
      host::MessageRecord message;
      message.identifier = from_fhir(m.identifier);
      if (m.in_response_to) message.in_response_to = from_fhir(*m.in_response_to);
      message.sender = principal_of(m.sender);
      message.recipients = principals_of(m.recipients);
      message.body = m.body;
      message.sent_at_unix_ms = m.sent_at_unix_ms;
      message.received_at_unix_ms = m.received_at_unix_ms;
      thread.messages.push_back(std::move(message));
    }
    threads.push_back(std::move(thread));
  }
  return threads;
}

std::size_t message_count(const std::vector<host::ThreadRecord>& threads) {
  std::size_t count = 0;
  for (const host::ThreadRecord& thread : threads) count += thread.messages.size();
  return count;
}

void export_bundle(Context& context, CommandLine& args) {
  SampleHost& sample = context.host();
  host::ExportRequest request;
  request.actor = sample.principal(args.required_option("--as"));
  const Patient& patient = sample.patient(args.required_option("--patient"));
  request.patient_id = patient.id;
  if (const std::optional<std::string> since = args.option("--since")) {
    const std::optional<std::int64_t> parsed = fhir::parse_instant(*since);
    if (!parsed)
      usage_error("--since takes a time with its zone, e.g. 2026-12-01T00:00:00Z, not '" + *since + "'");
    request.since_unix_ms = *parsed;
  }
  const std::optional<std::string> out_file = args.option("--out");
  args.no_positionals();
  const std::vector<host::ThreadRecord> threads = checked(sample.channel().export_records(request));
  const std::int64_t now = sample.services().now_unix_ms();
  const std::string bundle = fhir::to_bundle(chart_export(sample, patient, threads), now).dump(2) + "\n";
  if (!out_file) {
    std::cout << bundle;
    return;
  }
  {
    std::ofstream file(*out_file, std::ios::binary | std::ios::trunc);
    file << bundle;
    file.close();
    if (!file) {
      throw CommandError(kExitError, "cannot write " + *out_file + ": " + std::strerror(errno) +
                                         " (the export was audited; nothing else changed)");
    }
  }
  const std::size_t messages = message_count(threads);
  context.out().emit(
      {{"patient", patient.id}, {"threads", threads.size()}, {"messages", messages}, {"file", *out_file}},
      [&](std::ostream& out) {
        out << "Exported " << threads.size() << " thread(s) and " << messages << " message(s) of patient "
            << patient.id << " to " << *out_file << " (a FHIR R4 Bundle of type collection).\n";
      });
}

void import_bundle(Context& context, CommandLine& args) {
  SampleHost& sample = context.host();
  host::ImportRequest request;
  request.actor = sample.principal(args.required_option("--as"));
  const std::string file_name = args.single_positional("FILE");
  std::ifstream file(file_name, std::ios::binary);
  if (!file) throw CommandError(kExitNotFound, "cannot read " + file_name + ": " + std::strerror(errno));
  std::stringstream text;
  text << file.rdbuf();
  std::vector<fhir::ImportedThread> imported;
  try {
    imported = fhir::from_bundle(nlohmann::json::parse(text.str()));
  } catch (const nlohmann::json::exception& e) {
    throw CommandError(kExitRefused, file_name + " is not JSON: " + e.what() + "; nothing was imported",
                       "invalid_argument", "FILE");
  } catch (const fhir::MappingError& e) {
    throw CommandError(kExitRefused, file_name + ": " + e.what() + "; nothing was imported",
                       "invalid_argument", "FILE");
  }
  request.threads = records_of(imported);
  const host::ImportCounts counts = checked(sample.channel().import_records(request));
  const std::size_t offered = message_count(request.threads);
  context.out().emit({{"threads", request.threads.size()},
                      {"threads_added", counts.threads_added},
                      {"messages", offered},
                      {"messages_added", counts.messages_added}},
                     [&](std::ostream& out) {
                       out << "Imported " << counts.threads_added << " new thread(s) and "
                           << counts.messages_added << " new message(s) from " << file_name << " ("
                           << request.threads.size() << " thread(s), " << offered
                           << " message(s) in the Bundle; the rest were already here).\n";
                     });
}

}  // namespace

const CommandGroup& fhir_commands() {
  static const CommandGroup group{
      "fhir",
      "FHIR R4: a chart's conversations out as a Bundle, and a Bundle from another system in",
      {
          {"export", "fhir export --patient P --as USER [--since TIME] [--out FILE]",
           "Writes patient P's threads as a FHIR R4 Bundle (type collection: Patient, Location, CareTeam, "
           "Practitioner, RelatedPerson, Communication) to FILE or stdout. USER is staff with access to the "
           "chart; --since TIME (e.g. 2026-12-01T00:00:00Z) keeps the threads with a message since then.",
           export_bundle},
          {"import", "fhir import FILE --as USER",
           "Brings the threads of a FHIR R4 Bundle in. Idempotent by identifier (a second import adds "
           "nothing); all or nothing: a Bundle naming a patient or person this host does not know is refused "
           "and nothing is stored. Every imported message is audited.",
           import_bundle},
      }};
  return group;
}

}  // namespace ehr::sample::cli

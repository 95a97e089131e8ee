// ehr-host audit ...: the plugin's hash-chained audit log, as an auditor reads it.
#include <iomanip>
#include <ostream>

#include "commands.hpp"

namespace ehr::sample::cli {

namespace host = ehr::host;

namespace {

void verify(Context& context, CommandLine& args) {
  args.no_positionals();
  const host::AuditVerification result = checked(context.host().audit_log().verify());
  if (!result.ok) {
    throw CommandError(kExitError,
                       "audit log does not verify (" + std::string(host::audit_finding_name(result.finding)) +
                           "): " + host::describe(result) + " (" + std::to_string(result.records_checked) +
                           " records, " + std::to_string(result.checkpoints_checked) +
                           " checkpoints checked)",
                       "audit chain broken");
  }
  context.out().emit({{"ok", result.ok},
                      {"finding", host::audit_finding_name(result.finding)},
                      {"records_checked", result.records_checked},
                      {"checkpoints_checked", result.checkpoints_checked},
                      {"first_bad_sequence", result.first_bad_sequence}},
                     [&](std::ostream& out) {
                       out << "Audit log verified: " << result.records_checked << " records and "
                           << result.checkpoints_checked << " host checkpoints, the hash chain is intact.\n";
                     });
}

void list(Context& context, CommandLine& args) {
  const std::string actor = args.required_option("--as");
  const std::string patient = args.option("--patient").value_or("");
  args.no_positionals();
  (void)context.host().authorized(actor, host::kManageUsersRole, "read the audit log");
  if (!patient.empty()) (void)context.host().patient(patient);
  const std::vector<host::AuditEvent> events = checked(context.host().audit_log().list(patient));
  nlohmann::ordered_json data = nlohmann::ordered_json::array();
  for (const host::AuditEvent& event : events) {
    data.push_back({{"sequence", event.sequence},
                    {"at", format_time(event.at_unix_ms)},
                    {"actor", principal_text(event.actor)},
                    {"action", event.action},
                    {"patient", event.patient_id},
                    {"target", event.target},
                    {"outcome", event.outcome},
                    {"detail", event.detail},
                    {"hash", event.hash}});
  }
  context.out().emit({{"patient", patient}, {"records", data}}, [&](std::ostream& out) {
    out << events.size() << " audit record" << (events.size() == 1 ? "" : "s")
        << (patient.empty() ? "" : " about " + patient) << '\n';
    for (const host::AuditEvent& event : events) {
      out << "  " << std::right << std::setw(4) << event.sequence << "  " << format_time(event.at_unix_ms)
          << "  " << std::left << std::setw(16) << principal_text(event.actor) << std::setw(18)
          << event.action << std::setw(5) << event.patient_id << "  " << event.target << "  -> "
          << event.outcome;
      if (!event.detail.empty()) out << "  (" << event.detail << ")";
      out << '\n';
    }
  });
}

}  // namespace

const CommandGroup& audit_commands() {
  static const CommandGroup group{
      "audit",
      "the plugin's tamper-evident audit log",
      {
          {"verify", "audit verify",
           "Recomputes the keyed chain and compares it with the host's checkpoints; names what it found "
           "(altered, removed, reordered, forged, truncated, unkeyed, a checkpoint missing or forged) and "
           "the "
           "record (exit 1). When intact, hands the host a new checkpoint.",
           verify},
          {"list", "audit list --as USER [--patient P]",
           "Every audit record oldest first (only those about patient P with --patient). Only holders of "
           "manage_users may read it.",
           list},
      }};
  return group;
}

}  // namespace ehr::sample::cli

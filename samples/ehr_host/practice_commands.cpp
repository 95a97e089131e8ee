// ehr-host patients / portal-users / locations list: the ids the other commands take, so that an
// admin need not read the practice file to find them.
#include <iomanip>
#include <ostream>

#include "commands.hpp"

namespace ehr::sample::cli {

namespace {

std::string joined(const std::vector<std::string>& words) {
  std::string text;
  for (const std::string& word : words) text += (text.empty() ? "" : " ") + word;
  return text;
}

void list_patients(Context& context, CommandLine& args) {
  const std::string actor = args.required_option("--as");
  args.no_positionals();
  SampleHost& sample = context.host();
  // Names of patients are PHI: any active staff user may look a chart up (as the web console's
  // New message page lets them); portal users and inactive accounts may not.
  (void)sample.authorized(actor, "", "list the patients");
  const std::vector<Patient>& patients = sample.practice().patients();
  nlohmann::ordered_json data = nlohmann::ordered_json::array();
  for (const Patient& patient : patients) {
    data.push_back({{"id", patient.id},
                    {"name", patient.name},
                    {"location", patient.location_id},
                    {"care_team", patient.care_team}});
  }
  context.out().emit({{"patients", data}}, [&](std::ostream& out) {
    out << std::left << std::setw(8) << "ID" << std::setw(24) << "NAME" << std::setw(10) << "LOCATION"
        << "CARE TEAM\n";
    for (const Patient& patient : patients) {
      out << std::left << std::setw(8) << patient.id << std::setw(24) << patient.name << std::setw(10)
          << (patient.location_id.empty() ? "-" : patient.location_id) << joined(patient.care_team) << '\n';
    }
  });
}

void list_portal_users(Context& context, CommandLine& args) {
  const std::string actor = args.required_option("--as");
  args.no_positionals();
  SampleHost& sample = context.host();
  // Who is a patient's guardian is PHI; addresses stay with `notifications list`.
  (void)sample.authorized(actor, "", "list the portal users");
  const std::vector<PortalUser>& users = sample.practice().portal_users();
  nlohmann::ordered_json data = nlohmann::ordered_json::array();
  for (const PortalUser& user : users) {
    data.push_back({{"principal", "portal:" + user.id},
                    {"name", user.name},
                    {"kind", to_string(user.kind)},
                    {"charts", user.contacts},
                    {"active", user.active}});
  }
  context.out().emit({{"portal_users", data}}, [&](std::ostream& out) {
    out << std::left << std::setw(16) << "PRINCIPAL" << std::setw(24) << "NAME" << std::setw(11) << "KIND"
        << "CHARTS\n";
    for (const PortalUser& user : users) {
      out << std::left << std::setw(16) << "portal:" + user.id << std::setw(24) << user.name << std::setw(11)
          << to_string(user.kind) << joined(user.contacts) << (user.active ? "" : "  (inactive)") << '\n';
    }
  });
}

void list_locations(Context& context, CommandLine& args) {
  args.no_positionals();
  const Practice& practice = context.host().practice();
  nlohmann::ordered_json data = nlohmann::ordered_json::array();
  for (const Organization& location : practice.locations()) {
    data.push_back({{"id", location.location_id}, {"name", location.name}, {"alias", location.alias}});
  }
  context.out().emit({{"master", practice.is_master()}, {"locations", data}}, [&](std::ostream& out) {
    if (!practice.is_master()) {
      out << practice.company().name << " is a single instance: no locations, General settings only.\n";
      return;
    }
    out << std::left << std::setw(10) << "ID" << std::setw(28) << "NAME"
        << "ALIAS\n";
    for (const Organization& location : practice.locations()) {
      out << std::left << std::setw(10) << location.location_id << std::setw(28) << location.name
          << location.alias << '\n';
    }
  });
}

}  // namespace

const CommandGroup& patients_commands() {
  static const CommandGroup group{"patients",
                                  "the practice's patients (charts)",
                                  {
                                      {"list", "patients list --as USER",
                                       "Every patient: chart id, name, location and care team. Any active "
                                       "staff user may list them.",
                                       list_patients},
                                  }};
  return group;
}

const CommandGroup& portal_users_commands() {
  static const CommandGroup group{"portal-users",
                                  "patients, guardians and guarantors with a portal account",
                                  {
                                      {"list", "portal-users list --as USER",
                                       "Every portal user as a principal (portal:ID), with name, kind, the "
                                       "charts they may reach and whether the account is active. Any active "
                                       "staff user may list them.",
                                       list_portal_users},
                                  }};
  return group;
}

const CommandGroup& locations_commands() {
  static const CommandGroup group{
      "locations",
      "the company's locations (a master instance's Location Settings)",
      {
          {"list", "locations list", "Every location: id (for --location), name and alias.", list_locations},
      }};
  return group;
}

}  // namespace ehr::sample::cli

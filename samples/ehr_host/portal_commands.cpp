// ehr-host portal ...: inviting patients, guardians and guarantors to the portal.
#include <ostream>

#include "commands.hpp"

namespace ehr::sample::cli {

namespace host = ehr::host;

namespace {

void invite(Context& context, CommandLine& args) {
  SampleHost& sample = context.host();
  const std::string actor = args.required_option("--as");
  const host::Principal invited = sample.principal(args.single_positional("portal:ID"));
  if (invited.kind != host::PrincipalKind::portal_user) {
    usage_error("only portal users are invited to the portal: write portal:ID");
  }
  (void)sample.user(actor);
  checked(sample.channel().invite_portal_user({actor, invited.id}));
  context.out().emit({{"invited", principal_text(invited)}}, [&](std::ostream& out) {
    out << "Invitation sent to " << sample.display_name(invited) << " (" << principal_text(invited)
        << "); `ehr-host notifications list` shows it.\n";
  });
}

}  // namespace

const CommandGroup& portal_commands() {
  static const CommandGroup group{"portal",
                                  "portal invitations",
                                  {
                                      {"invite", "portal invite portal:ID --as USER",
                                       "Sends a portal invitation, branded for the patient's location, to a "
                                       "patient, guardian or guarantor.",
                                       invite},
                                  }};
  return group;
}

}  // namespace ehr::sample::cli

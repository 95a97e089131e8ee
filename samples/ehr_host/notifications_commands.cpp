// ehr-host notifications ...: what the sample host's notification service was asked to deliver.
#include <ostream>

#include "commands.hpp"

namespace ehr::sample::cli {

namespace {

void list(Context& context, CommandLine& args) {
  const std::string actor = args.required_option("--as");
  args.no_positionals();
  // Addresses and names of portal users: PHI.
  (void)context.host().authorized(actor, "manage_portal_settings", "read the delivered notifications");
  std::vector<DeliveredNotification> all;
  try {
    all = context.host().notifications().list();
  } catch (const std::runtime_error& failed) {  // e.g. an address that does not decrypt: named, not shown
    throw CommandError(kExitError, failed.what());
  }
  nlohmann::ordered_json data = nlohmann::ordered_json::array();
  for (const DeliveredNotification& n : all) {
    data.push_back({{"id", n.id},
                    {"at", format_time(n.at_unix_ms)},
                    {"kind", n.kind},
                    {"channel", n.channel},
                    {"to", n.to},
                    {"address", n.address},
                    {"brand", n.brand},
                    {"subject", n.subject},
                    {"text", n.text},
                    {"html", n.html}});
  }
  context.out().emit({{"notifications", data}}, [&](std::ostream& out) {
    out << all.size() << " notification" << (all.size() == 1 ? "" : "s") << " delivered\n";
    for (const DeliveredNotification& n : all) {
      out << "\n#" << n.id << "  " << format_time(n.at_unix_ms) << "  " << n.kind << " by " << n.channel
          << " to " << n.to << " <" << n.address << ">\n";
      out << "  From:    " << n.brand << '\n';
      out << "  Subject: " << n.subject << '\n';
      print_indented(out, n.text, "  | ");
    }
  });
}

}  // namespace

const CommandGroup& notifications_commands() {
  static const CommandGroup group{
      "notifications",
      "what the host was asked to deliver (email, SMS, in-app)",
      {
          {"list", "notifications list --as USER",
           "Every notification the host delivered, oldest first: to, channel, brand, subject and text. "
           "Only holders of manage_portal_settings may read them.",
           list},
      }};
  return group;
}

}  // namespace ehr::sample::cli

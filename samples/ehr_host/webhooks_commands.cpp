// ehr-host webhooks ...: the plugin's webhook deliveries (plugin config webhook.url), as the host
// admin who configured it checks on them: ids, states, attempts and error words, never a message.
#include <iomanip>
#include <ostream>

#include "commands.hpp"

namespace ehr::sample::cli {

namespace host = ehr::host;

namespace {

std::int64_t delivery_id(const std::string& text) {
  return positive_id(text, "ID", "a delivery number");
}

void list(Context& context, CommandLine& args) {
  const std::string state = args.option("--state").value_or("");
  args.no_positionals();
  if (!state.empty() && state != "pending" && state != "delivered" && state != "dead")
    usage_error("--state takes pending, delivered or dead, not '" + state + "'");
  const std::vector<host::WebhookDelivery> deliveries =
      checked(context.host().channel().list_webhook_deliveries(state));
  nlohmann::ordered_json data = nlohmann::ordered_json::array();
  for (const host::WebhookDelivery& d : deliveries) {
    nlohmann::ordered_json row = {{"id", d.delivery_id},
                                  {"message", d.message_id},
                                  {"thread", d.thread_id},
                                  {"idempotency_key", d.idempotency_key},
                                  {"state", d.state},
                                  {"attempts", d.attempts},
                                  {"created_at", format_time(d.created_at_unix_ms)},
                                  {"last_error", d.last_error}};
    if (d.state == "pending")
      row["next_attempt_at"] =
          d.next_attempt_at_unix_ms == 0 ? "now" : format_time(d.next_attempt_at_unix_ms);
    if (d.state == "delivered") row["delivered_at"] = format_time(d.delivered_at_unix_ms);
    data.push_back(std::move(row));
  }
  context.out().emit({{"state", state}, {"deliveries", data}}, [&](std::ostream& out) {
    out << deliveries.size() << (state.empty() ? "" : " " + state) << " webhook deliver"
        << (deliveries.size() == 1 ? "y" : "ies") << (deliveries.empty() ? "" : ", newest first") << '\n';
    for (const host::WebhookDelivery& d : deliveries) {
      out << "  " << std::right << std::setw(5) << d.delivery_id << "  " << std::left << std::setw(10)
          << d.state << "thread " << d.thread_id << ", message " << d.message_id << ", " << d.attempts
          << " attempt" << (d.attempts == 1 ? "" : "s");
      if (!d.last_error.empty()) out << ", last: " << d.last_error;
      out << '\n';
    }
  });
}

void retry(Context& context, CommandLine& args) {
  const bool all_dead = args.flag("--all-dead");
  const std::vector<std::string> ids = args.positionals();
  if (all_dead == !ids.empty() || ids.size() > 1) usage_error("give one delivery ID or --all-dead");
  const std::int64_t id = all_dead ? 0 : delivery_id(ids.front());
  const std::uint64_t count = checked(context.host().channel().retry_webhook_deliveries(id));
  context.out().emit({{"retried", count}}, [&](std::ostream& out) {
    if (all_dead) {
      out << count << " dead deliver" << (count == 1 ? "y goes" : "ies go") << " out again.\n";
    } else {
      out << "Delivery " << id << " goes out again.\n";
    }
  });
}

}  // namespace

const CommandGroup& webhooks_commands() {
  static const CommandGroup group{
      "webhooks",
      "the plugin's webhook deliveries (plugin config webhook.url)",
      {
          {"list", "webhooks list [--state pending|delivered|dead]",
           "Deliveries newest first: id, state, attempts and the last error in words; never a message's "
           "content.",
           list},
          {"retry", "webhooks retry ID|--all-dead",
           "Sends a dead-lettered delivery (or every one) again, with a fresh round of attempts.", retry},
      }};
  return group;
}

}  // namespace ehr::sample::cli

// ehr-host keys ...: the keys the host keeps for its plugins (R-SEC-2), outside every database:
// the data directory's key file, or EHR_HOST_KEYS. Ids and purposes only; a key is never printed.
#include <ostream>

#include "commands.hpp"

namespace ehr::sample::cli {

namespace host = ehr::host;

namespace {

constexpr std::uint32_t kDefaultBatch = 500;

void list(Context& context, CommandLine& args) {
  const std::string actor = args.required_option("--as");
  args.no_positionals();
  (void)context.host().authorized(actor, host::kManageUsersRole, "list the host's keys");
  const host::KeyStore& keys = context.host().keys();
  nlohmann::ordered_json data = nlohmann::ordered_json::array();
  for (const auto& [id, purpose] : keys.list()) {
    const bool current = keys.get(purpose, 0).value().id == id;
    data.push_back({{"id", id}, {"purpose", host::key_purpose_name(purpose)}, {"current", current}});
  }
  context.out().emit({{"source", keys.source()}, {"keys", data}}, [&](std::ostream& out) {
    out << "Keys from " << keys.source() << ":\n";
    for (const auto& row : data)
      out << "  " << row["id"].get<std::uint32_t>() << "  " << row["purpose"].get<std::string>()
          << (row["current"].get<bool>() ? "  (current)" : "") << '\n';
  });
}

void rotate(Context& context, CommandLine& args) {
  const std::string actor = args.required_option("--as");
  const std::optional<std::string> batch_text = args.option("--batch");
  args.no_positionals();
  std::uint32_t batch = kDefaultBatch;
  if (batch_text) {
    const std::int64_t parsed = positive_id(*batch_text, "--batch", "a number of values per transaction");
    if (parsed > 10000) usage_error("--batch takes 1 to 10000 values per transaction");
    batch = static_cast<std::uint32_t>(parsed);
  }
  (void)context.host().authorized(actor, host::kManageUsersRole, "rotate the host's keys");
  host::KeyStore& keys = context.host().keys();
  // From EHR_HOST_KEYS the admin adds the new key there; the rotation then re-encrypts under it.
  const bool made_new = keys.can_rotate();
  const std::uint32_t key_id = made_new ? checked(keys.rotate(host::KeyPurpose::data)).id
                                        : checked(keys.get(host::KeyPurpose::data, 0)).id;
  const host::MessagingChannel::Rekeyed done =
      checked(context.host().channel().rekey(context.host().principal(actor), batch));
  // The host's own store too: the delivered notifications' addresses (R-SEC-2).
  std::int64_t addresses = 0;
  try {
    addresses = context.host().notifications().reseal(batch);
  } catch (const std::runtime_error& failed) {
    throw CommandError(kExitError, failed.what());
  }
  context.out().emit({{"key_id", done.key_id},
                      {"new_key", made_new},
                      {"reencrypted", done.resealed},
                      {"notification_addresses_reencrypted", addresses},
                      {"batch", batch}},
                     [&](std::ostream& out) {
                       out << (made_new ? "New data key " : "Data key ") << key_id << " from "
                           << keys.source() << " is current; " << done.resealed << " stored value"
                           << (done.resealed == 1 ? "" : "s")
                           << " (subjects, bodies, webhook payloads waiting for delivery) and " << addresses
                           << " notification address" << (addresses == 1 ? "" : "es")
                           << " re-encrypted under it (" << batch << " per transaction).\n";
                     });
}

}  // namespace

const CommandGroup& keys_commands() {
  static const CommandGroup group{
      "keys",
      "the keys the host keeps for its plugins: the key file in the data directory, or EHR_HOST_KEYS",
      {
          {"list", "keys list --as USER",
           "Key ids and purposes (data, audit), the current one of each marked; never a key. Needs "
           "manage_users.",
           list},
          {"rotate", "keys rotate --as USER [--batch N]",
           "Makes a new current data key (appended to the key file; the old keys stay, for backups "
           "and rows not yet re-encrypted) and re-encrypts every message subject and body, every "
           "webhook payload waiting for delivery and every delivered notification's address, "
           "under it, N per transaction (default 500), while sends go on. With EHR_HOST_KEYS, add the new "
           "key there "
           "first: rotate then re-encrypts under it. Audited as keys.rotate. Needs manage_users. Exit "
           "codes: 0 done, 1 storage or key file failure, 2 usage, 3 refused, 4 unknown user.",
           rotate},
      }};
  return group;
}

}  // namespace ehr::sample::cli

// ehr-host webhooks ...: the plugin's webhook deliveries as the host admin checks on them, through
// the real plugin. The configured receiver (port 9 on 127.0.0.1) refuses every connection, so a
// delivery goes dead after its one allowed attempt.
#include <sys/stat.h>

#include <chrono>
#include <fstream>

#include <gtest/gtest.h>

#include "ehr_host_process.hpp"

namespace ehr::sample::cli_test {
namespace {

void configure_unreachable_webhook(const EhrHost& host) {
  const std::filesystem::path file = host.data_directory / "plugins" / "portal-messaging.conf";
  std::filesystem::create_directories(file.parent_path());
  std::ofstream(file) << "webhook.url = http://127.0.0.1:9/hook\n"
                      << "webhook.secret = cli-test-secret-0123456789\n"
                      << "webhook.max_attempts = 1\n";
  ASSERT_EQ(::chmod(file.c_str(), 0600), 0);
}

TEST(WebhooksCommands, ListShowsDeliveriesWithoutContentAndRetrySendsTheDeadAgain) {
  EhrHost host;
  configure_unreachable_webhook(host);
  host.enable_messaging();
  const nlohmann::json sent =
      host.ok_json({"messages", "send", "--as", "drlee", "--patient", "p01", "--to", "portal:maria",
                    "--subject", "SENTINEL-SUBJECT", "--body", "SENTINEL-BODY"});
  // Each ehr-host run starts the worker, which makes the one attempt if its thread gets there
  // before the run ends. The worker used to drop an attempt that had failed when a stop came
  // meanwhile, so under load run after run ended with the row still pending and 20 runs were not
  // always enough; now a finished attempt is always recorded, and the wait is bounded in time,
  // not in runs, so a loaded machine only makes it slower.
  nlohmann::json dead;
  const auto until = std::chrono::steady_clock::now() + std::chrono::seconds(60);
  do {
    dead = host.ok_json({"webhooks", "list", "--state", "dead"});
  } while (dead["deliveries"].empty() && std::chrono::steady_clock::now() < until);
  ASSERT_EQ(dead["deliveries"].size(), 1u) << dead.dump();
  const nlohmann::json& delivery = dead["deliveries"][0];
  EXPECT_EQ(delivery["message"], sent["message"]);
  EXPECT_EQ(delivery["thread"], sent["thread"]);
  EXPECT_EQ(delivery["attempts"], 1);
  EXPECT_EQ(delivery["last_error"], "could not connect");
  EXPECT_TRUE(delivery["idempotency_key"].get<std::string>().ends_with("." + sent["message"].dump()));

  const Outcome text = host.ok({"webhooks", "list"});
  EXPECT_NE(text.out.find("1 webhook delivery, newest first"), std::string::npos) << text.out;
  EXPECT_NE(text.out.find("dead"), std::string::npos) << text.out;
  for (const std::string& out : {text.out, dead.dump()}) {
    EXPECT_EQ(out.find("SENTINEL"), std::string::npos) << out;
  }

  const nlohmann::json retried = host.ok_json({"webhooks", "retry", "--all-dead"});
  EXPECT_EQ(retried["retried"], 1);
  EXPECT_EQ(host.run({"webhooks", "retry", "999"}).exit_code, 4);
}

TEST(WebhooksCommands, WrongArgumentsAreUsageErrors) {
  EhrHost host;
  host.enable_messaging();
  EXPECT_TRUE(host.ok_json({"webhooks", "list"})["deliveries"].empty()) << "no webhook, nothing queued";
  EXPECT_EQ(host.run({"webhooks", "list", "--state", "lost"}).exit_code, 2);
  EXPECT_EQ(host.run({"webhooks", "retry"}).exit_code, 2);
  EXPECT_EQ(host.run({"webhooks", "retry", "1", "--all-dead"}).exit_code, 2);
  EXPECT_EQ(host.run({"webhooks", "retry", "first"}).exit_code, 2);
}

}  // namespace
}  // namespace ehr::sample::cli_test

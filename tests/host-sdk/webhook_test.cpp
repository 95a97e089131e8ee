// The webhook (issue 14), end to end: the real portal_messaging.so loaded through the real
// PluginManager with a config file naming a receiver on 127.0.0.1 in this process (cpp-httplib's
// server). The receiver fails, hangs past the timeout and recovers on command; it keeps what a
// real receiver keeps: each idempotency key once, in the order it accepted them. Waits are
// bounded polls of what the plugin reports, never sleeps taken as proof.
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <sys/stat.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstring>
#include <fstream>
#include <functional>
#include <map>
#include <mutex>
#include <optional>
#include <stdexcept>
#include <thread>

#include <gtest/gtest.h>
#include <httplib.h>
#include <sqlite3.h>
#include <nlohmann/json.hpp>

#include "ehr/host/messaging_channel.hpp"
#include "ehr/host/plugin_manager.hpp"
#include "support/scratch.hpp"
#include "support/test_host.hpp"

namespace ehr::host {
namespace {

using namespace std::chrono_literals;
using testing::ScratchDir;
using testing::TestHost;

constexpr const char* kSecret = "webhook-secret-0123456789abcdef";

// Independent of the plugin's libsodium: OpenSSL's HMAC.
std::string expected_signature(const std::string& timestamp, const std::string& body) {
  const std::string data = timestamp + "." + body;
  unsigned char mac[EVP_MAX_MD_SIZE];
  unsigned int size = 0;
  HMAC(EVP_sha256(), kSecret, static_cast<int>(std::strlen(kSecret)),
       reinterpret_cast<const unsigned char*>(data.data()), data.size(), mac, &size);
  static constexpr char kHex[] = "0123456789abcdef";
  std::string hex = "sha256=";
  for (unsigned int i = 0; i < size; ++i) {
    hex += kHex[mac[i] >> 4];
    hex += kHex[mac[i] & 15];
  }
  return hex;
}

// What the receiver does with one request.
enum class Answer { ok, fail_500, hang_then_ok, block_until_released };

class Receiver {
 public:
  struct Accepted {
    std::string key;
    std::string thread;  // partOf's identifier value
    std::string body;
  };

  Receiver() {
    server_.Post("/hook", [this](const httplib::Request& request, httplib::Response& response) {
      handle(request, response);
    });
    // Bound and listening once this returns: connections queue until the thread accepts them.
    port_ = server_.bind_to_any_port("127.0.0.1");
    if (port_ <= 0) throw std::runtime_error("the test receiver could not listen on 127.0.0.1");
    thread_ = std::thread([this] { server_.listen_after_bind(); });
  }
  ~Receiver() {
    release();
    server_.stop();
    thread_.join();
  }

  [[nodiscard]] std::string url() const { return "http://127.0.0.1:" + std::to_string(port_) + "/hook"; }

  // Decides each request's answer from its key and how many times this key came before.
  void script(std::function<Answer(const std::string& key, int seen_before)> decide) {
    std::lock_guard lock(mutex_);
    decide_ = std::move(decide);
  }
  void release() {
    std::lock_guard lock(mutex_);
    released_ = true;
    changed_.notify_all();
  }

  std::vector<Accepted> accepted() const {
    std::lock_guard lock(mutex_);
    return accepted_;
  }
  int requests() const {
    std::lock_guard lock(mutex_);
    return requests_;
  }
  std::vector<std::string> problems() const {
    std::lock_guard lock(mutex_);
    return problems_;
  }
  bool blocked() const {
    std::lock_guard lock(mutex_);
    return blocked_;
  }
  // Every request of a key carried the same body (an idempotent retry).
  bool bodies_stable() const {
    std::lock_guard lock(mutex_);
    return bodies_stable_;
  }

 private:
  void handle(const httplib::Request& request, httplib::Response& response) {
    const std::string key = request.get_header_value("Idempotency-Key");
    const std::string timestamp = request.get_header_value("X-Webhook-Timestamp");
    const std::string signature = request.get_header_value("X-Signature");
    std::unique_lock lock(mutex_);
    ++requests_;
    if (key.empty()) problems_.push_back("a request without Idempotency-Key");
    if (signature != expected_signature(timestamp, request.body))
      problems_.push_back("a signature that does not verify for " + key);
    if (request.get_header_value("Content-Type") != "application/fhir+json")
      problems_.push_back("content type " + request.get_header_value("Content-Type"));
    const nlohmann::json body = nlohmann::json::parse(request.body, nullptr, false);
    if (body.is_discarded() || body.value("resourceType", "") != "Communication" ||
        body["identifier"][0]["value"] != key) {
      problems_.push_back("a body that is not the Communication of " + key);
    }
    auto [first, inserted] = first_body_.emplace(key, request.body);
    if (!inserted && first->second != request.body) bodies_stable_ = false;
    const Answer answer = decide_ ? decide_(key, seen_[key]++) : Answer::ok;
    if (answer == Answer::fail_500) {
      response.status = 500;
      response.set_content("the interface engine is down; patient Pat One", "text/plain");
      return;
    }
    // Accepted: kept once per key, whatever the plugin hears back.
    if (std::none_of(accepted_.begin(), accepted_.end(), [&](const Accepted& a) { return a.key == key; })) {
      accepted_.push_back(
          {key, body.is_discarded() ? "" : body["partOf"][0]["identifier"]["value"].get<std::string>(),
           request.body});
    }
    if (answer == Answer::hang_then_ok) {
      // Past the plugin's timeout: it gives up and will send the same key again.
      changed_.wait_for(lock, 1500ms, [&] { return released_; });
    } else if (answer == Answer::block_until_released) {
      blocked_ = true;
      changed_.wait_for(lock, 30s, [&] { return released_; });
      blocked_ = false;
    }
    response.status = 200;
  }

  httplib::Server server_;
  int port_ = 0;
  std::thread thread_;
  mutable std::mutex mutex_;
  std::condition_variable changed_;
  std::function<Answer(const std::string&, int)> decide_;
  std::map<std::string, int> seen_;
  std::map<std::string, std::string> first_body_;
  std::vector<Accepted> accepted_;
  std::vector<std::string> problems_;
  int requests_ = 0;
  bool bodies_stable_ = true;
  bool released_ = false;
  bool blocked_ = false;
};

class WebhookTest : public ::testing::Test {
 protected:
  void SetUp() override {
    host_.grant("admin", "manage_portal_settings");
    host_.grant("drlee", "available_for_portal_messages");
  }

  void configure(int max_attempts, int timeout_ms = 400) {
    const std::filesystem::path file = scratch_ / "data" / "plugins" / "portal-messaging.conf";
    std::filesystem::create_directories(file.parent_path());
    std::ofstream(file) << "# the test's receiver\n"
                        << "webhook.url = " << receiver_.url() << "\n"
                        << "webhook.secret = " << kSecret << "\n"
                        << "webhook.max_attempts = " << max_attempts << "\n"
                        << "webhook.backoff_base_ms = 10\nwebhook.backoff_max_ms = 80\n"
                        << "webhook.timeout_ms = " << timeout_ms << "\n";
    ASSERT_EQ(::chmod(file.c_str(), 0600), 0);
  }

  void start() {
    PluginManagerOptions options;
    options.plugins_directory = EHR_REAL_PLUGINS_DIR;
    options.host_data_directory = scratch_ / "data";
    manager_ = std::make_unique<PluginManager>(options, host_);
    ASSERT_TRUE(manager_->discover());
    const auto info = manager_->info("portal-messaging");
    ASSERT_EQ(info->state, PluginState::enabled) << info->failure;
    auto pages = manager_->registry().settings_pages("portal-messaging");
    ASSERT_TRUE(pages) << pages.status();
    ASSERT_TRUE(pages->save_page("admin", "", {{"my_messages", "on"}}));
    auto channel = manager_->registry().channel("portal-messaging");
    ASSERT_TRUE(channel) << channel.status();
    channel_ = std::make_unique<MessagingChannel>(*channel);
  }

  void stop() {
    channel_.reset();
    manager_.reset();
  }

  Sent send(const std::string& subject, const std::string& body) {
    auto sent = channel_->start_thread(StartRequest{Principal::staff("drlee"), "p1", {}, subject, body});
    EXPECT_TRUE(sent) << sent.status();
    return sent ? *sent : Sent{};
  }
  Sent reply(std::int64_t thread_id, const Principal& who, const std::string& body) {
    auto sent = channel_->reply(ReplyRequest{who, thread_id, body});
    EXPECT_TRUE(sent) << sent.status();
    return sent ? *sent : Sent{};
  }

  std::vector<WebhookDelivery> deliveries(std::string_view state = {}) {
    auto list = channel_->list_webhook_deliveries(state, 1000);
    EXPECT_TRUE(list) << list.status();
    return list ? *list : std::vector<WebhookDelivery>{};
  }

  // Bounded: polls what the plugin reports until `done` holds or 20 s pass.
  bool eventually(const std::function<bool()>& done) {
    for (auto until = std::chrono::steady_clock::now() + 20s; std::chrono::steady_clock::now() < until;) {
      if (done()) return true;
      std::this_thread::sleep_for(10ms);
    }
    return done();
  }
  bool all_delivered(std::size_t count) {
    return eventually([&] {
      const auto all = deliveries();
      return all.size() == count && std::all_of(all.begin(), all.end(), [](const WebhookDelivery& d) {
               return d.state == "delivered";
             });
    });
  }

  // Exactly once per key, each key a stored message's, and in order within each thread.
  void expect_each_once_in_thread_order(const std::vector<Sent>& sent) {
    const std::vector<Receiver::Accepted> accepted = receiver_.accepted();
    ASSERT_EQ(accepted.size(), sent.size());
    std::map<std::string, std::vector<std::int64_t>> by_thread;
    for (const Receiver::Accepted& a : accepted) {
      by_thread[a.thread].push_back(std::stoll(a.key.substr(a.key.rfind('.') + 1)));
    }
    std::map<std::int64_t, std::vector<std::int64_t>> expected;  // thread -> message ids, sent order
    for (const Sent& s : sent) expected[s.thread_id].push_back(s.message_id);
    ASSERT_EQ(by_thread.size(), expected.size());
    for (const auto& entry : by_thread) {
      const std::int64_t thread = std::stoll(entry.first.substr(entry.first.rfind('.') + 1));
      EXPECT_EQ(entry.second, expected[thread]) << "thread " << thread;
    }
    EXPECT_TRUE(receiver_.problems().empty()) << receiver_.problems().front();
    EXPECT_TRUE(receiver_.bodies_stable());
  }

  [[nodiscard]] std::filesystem::path database() const {
    return scratch_ / "data" / "plugins" / "portal-messaging" / "portal.db";
  }
  // What another account (or a stolen backup) reads: the database file and its write-ahead log.
  [[nodiscard]] std::string database_bytes() const {
    std::string bytes;
    for (const char* suffix : {"", "-wal"}) {
      std::ifstream in(database().string() + suffix, std::ios::binary);
      bytes.append(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
    }
    return bytes;
  }
  // Straight at the file, as someone with write access to it would (the plugin stopped): runs the
  // statements of `script` and returns the first column of the first row any of them gave (0 if none).
  [[nodiscard]] std::int64_t sql(const std::string& script) const {
    sqlite3* db = nullptr;
    EXPECT_EQ(sqlite3_open(database().c_str(), &db), SQLITE_OK);
    std::optional<std::int64_t> first;
    char* error = nullptr;
    const int done = sqlite3_exec(
        db, script.c_str(),
        [](void* out, int columns, char** values, char**) {
          auto* value = static_cast<std::optional<std::int64_t>*>(out);
          if (!*value && columns > 0 && values[0] != nullptr) *value = std::stoll(values[0]);
          return 0;
        },
        &first, &error);
    EXPECT_EQ(done, SQLITE_OK) << (error != nullptr ? error : "") << " in " << script;
    sqlite3_free(error);
    sqlite3_close(db);
    return first.value_or(0);
  }
  // `count` deliveries pending, the receiver (down) tried at least once (a thread's later rows
  // wait behind its first).
  bool pending_after_a_try(std::size_t count) {
    return eventually([&] {
      const auto pending = deliveries("pending");
      return pending.size() == count && std::any_of(pending.begin(), pending.end(),
                                                    [](const WebhookDelivery& d) { return d.attempts >= 1; });
    });
  }

  void expect_no_phi_logged() {
    for (const std::string& line : host_.logs()) {
      for (const char* phi : {"Pat One", "potassium", "Lab results", kSecret})
        EXPECT_EQ(line.find(phi), std::string::npos) << line;
    }
  }

  Receiver receiver_;
  ScratchDir scratch_;
  TestHost host_;
  std::unique_ptr<PluginManager> manager_;
  std::unique_ptr<MessagingChannel> channel_;
};

TEST_F(WebhookTest, EveryMessageArrivesOnceInOrderPerThreadThroughFailuresAndTimeouts) {
  // Each key: two 500s, then a hang past the timeout (the receiver keeps it, the plugin hears
  // nothing and sends it again), then OK.
  receiver_.script([](const std::string&, int seen_before) {
    if (seen_before < 2) return Answer::fail_500;
    return seen_before == 2 ? Answer::hang_then_ok : Answer::ok;
  });
  configure(/*max_attempts=*/10, /*timeout_ms=*/300);
  start();
  std::vector<Sent> sent;
  const Sent first = send("Lab results", "Your potassium is normal.");
  sent.push_back(first);
  const Sent second = send("Refill", "The refill is ready.");
  sent.push_back(second);
  sent.push_back(reply(first.thread_id, Principal::portal_user("pat1"), "Thank you, potassium noted."));
  sent.push_back(reply(second.thread_id, Principal::staff("drlee"), "Pick it up any day."));
  sent.push_back(reply(first.thread_id, Principal::staff("drlee"), "You are welcome."));
  ASSERT_TRUE(all_delivered(sent.size())) << deliveries().size();
  expect_each_once_in_thread_order(sent);
  EXPECT_GE(receiver_.requests(), 4 * static_cast<int>(sent.size())) << "every key failed, hung, then passed";
  for (const WebhookDelivery& d : deliveries()) {
    EXPECT_EQ(d.attempts, 4u) << d.delivery_id;
    EXPECT_TRUE(d.last_error.empty()) << d.last_error;
  }
  expect_no_phi_logged();
}

TEST_F(WebhookTest, AHostRestartInTheMiddleLosesNothing) {
  std::atomic<bool> down{true};
  receiver_.script([&](const std::string&, int) { return down ? Answer::fail_500 : Answer::ok; });
  configure(/*max_attempts=*/100);
  start();
  std::vector<Sent> sent;
  const Sent first = send("Lab results", "Your potassium is normal.");
  sent.push_back(first);
  sent.push_back(reply(first.thread_id, Principal::portal_user("pat1"), "Thanks."));
  sent.push_back(send("Refill", "The refill is ready."));
  ASSERT_TRUE(eventually([&] {
    const auto pending = deliveries("pending");
    return pending.size() == 3 && pending.front().attempts >= 1 && pending.front().last_error == "HTTP 500";
  }));
  stop();  // the host goes down with every delivery pending

  down = false;
  start();
  sent.push_back(reply(first.thread_id, Principal::staff("drlee"), "You are welcome."));
  ASSERT_TRUE(all_delivered(sent.size()));
  expect_each_once_in_thread_order(sent);
  expect_no_phi_logged();
}

TEST_F(WebhookTest, DeadLetteredAfterMaxAttemptsThenARetryDeliversIt) {
  std::atomic<bool> down{true};
  receiver_.script([&](const std::string&, int) { return down ? Answer::fail_500 : Answer::ok; });
  configure(/*max_attempts=*/3);
  start();
  const Sent sent = send("Lab results", "Your potassium is normal.");
  ASSERT_TRUE(eventually([&] { return deliveries("dead").size() == 1; }));
  const WebhookDelivery dead = deliveries("dead").front();
  EXPECT_EQ(dead.message_id, sent.message_id);
  EXPECT_EQ(dead.thread_id, sent.thread_id);
  EXPECT_EQ(dead.attempts, 3u);
  EXPECT_EQ(dead.last_error, "HTTP 500") << "the receiver's own words (which name a patient) are not kept";
  EXPECT_EQ(receiver_.requests(), 3);
  EXPECT_TRUE(deliveries("pending").empty());

  // Not dead, not known, not a state: each refused naming what.
  down = false;
  auto refused = channel_->retry_webhook_deliveries(dead.delivery_id + 100);
  EXPECT_EQ(refused.status().code(), EHR_STATUS_NOT_FOUND) << refused.status();
  EXPECT_EQ(refused.status().field(), "delivery_id");
  EXPECT_EQ(channel_->list_webhook_deliveries("lost").status().code(), EHR_STATUS_INVALID_ARGUMENT);

  auto retried = channel_->retry_webhook_deliveries(dead.delivery_id);
  ASSERT_TRUE(retried) << retried.status();
  EXPECT_EQ(*retried, 1u);
  ASSERT_TRUE(all_delivered(1));
  expect_each_once_in_thread_order({sent});
  auto again = channel_->retry_webhook_deliveries(dead.delivery_id);
  EXPECT_EQ(again.status().code(), EHR_STATUS_INVALID_ARGUMENT) << again.status();
  EXPECT_NE(again.status().message().find("is delivered, not dead"), std::string::npos) << again.status();
}

TEST_F(WebhookTest, ADeadMessageDoesNotHoldUpTheRestOfItsThreadAndAllDeadAreRetried) {
  std::atomic<bool> down{true};
  receiver_.script([&](const std::string&, int) { return down ? Answer::fail_500 : Answer::ok; });
  configure(/*max_attempts=*/1);
  start();
  const Sent first = send("Lab results", "Your potassium is normal.");
  const Sent second = send("Refill", "The refill is ready.");
  ASSERT_TRUE(eventually([&] { return deliveries("dead").size() == 2; }));
  down = false;
  const Sent later = reply(first.thread_id, Principal::staff("drlee"), "Anything else?");
  ASSERT_TRUE(eventually([&] { return deliveries("delivered").size() == 1; }));
  EXPECT_EQ(deliveries("delivered").front().message_id, later.message_id);
  auto retried = channel_->retry_webhook_deliveries(0);
  ASSERT_TRUE(retried) << retried.status();
  EXPECT_EQ(*retried, 2u);
  ASSERT_TRUE(all_delivered(3));
  EXPECT_EQ(receiver_.accepted().size(), 3u);
  (void)second;
}

TEST_F(WebhookTest, ASendNeverWaitsForTheReceiver) {
  receiver_.script([](const std::string&, int) { return Answer::block_until_released; });
  configure(/*max_attempts=*/10, /*timeout_ms=*/30'000);
  start();
  const Sent first = send("Lab results", "Your potassium is normal.");
  ASSERT_TRUE(eventually([&] { return receiver_.blocked(); }));
  // The worker is inside a POST the receiver holds: sends go on regardless.
  const Sent second = reply(first.thread_id, Principal::portal_user("pat1"), "Thanks.");
  const Sent third = send("Refill", "The refill is ready.");
  EXPECT_TRUE(receiver_.blocked()) << "the sends returned while the receiver still held the first POST";
  receiver_.release();
  ASSERT_TRUE(all_delivered(3));
  expect_each_once_in_thread_order({first, second, third});
}

TEST_F(WebhookTest, WithoutAUrlNothingIsQueuedAndABadConfigurationIsRefusedNamingTheKey) {
  start();
  (void)send("Lab results", "Your potassium is normal.");
  EXPECT_TRUE(deliveries().empty());
  stop();

  const std::filesystem::path file = scratch_ / "data" / "plugins" / "portal-messaging.conf";
  for (const auto& [text, says] : std::vector<std::pair<std::string, std::string>>{
           {"webhook.url = ftp://example.org/\nwebhook.secret = " + std::string(kSecret) + "\n",
            "'webhook.url'"},
           {"webhook.url = http://127.0.0.1:1/\n", "'webhook.secret' must be set"},
           {"webhook.url = http://127.0.0.1:1/\nwebhook.secret = short\n", "at least 16"},
           {"webhook.url = http://127.0.0.1:1/\nwebhook.secret = " + std::string(kSecret) +
                "\nwebhook.max_attempts = 0\n",
            "'webhook.max_attempts' takes a whole number from 1 to 100"}}) {
    std::ofstream(file) << text;
    ASSERT_EQ(::chmod(file.c_str(), 0600), 0);
    PluginManagerOptions options;
    options.plugins_directory = EHR_REAL_PLUGINS_DIR;
    options.host_data_directory = scratch_ / "data";
    PluginManager manager(options, host_);
    ASSERT_TRUE(manager.discover());
    const PluginInfo info = manager.info("portal-messaging").value();
    EXPECT_EQ(info.state, PluginState::failed) << text;
    EXPECT_EQ(info.failure.field(), "config");
    EXPECT_NE(info.failure.message().find(says), std::string::npos) << info.failure;
    EXPECT_EQ(info.failure.message().find(kSecret), std::string::npos) << info.failure;
  }
}

// R-SEC-2: a payload waiting for delivery carries the subject and body, so it is sealed like them.
TEST_F(WebhookTest, R_SEC_2_AQueuedPayloadIsNotInTheDatabaseFilesAndStillArrivesIntactAfterARestart) {
  std::atomic<bool> down{true};
  receiver_.script([&](const std::string&, int) { return down ? Answer::fail_500 : Answer::ok; });
  configure(/*max_attempts=*/100);
  start();
  const Sent sent = send("Hyperkalemia recall", "Potassium 6.1 mmol/L: come in today");
  ASSERT_TRUE(pending_after_a_try(1));
  stop();  // the row stays pending, with its payload, across the restart

  const std::string bytes = database_bytes();
  ASSERT_FALSE(bytes.empty());
  for (const char* text : {"Hyperkalemia recall", "Potassium 6.1", "come in today"})
    EXPECT_EQ(bytes.find(text), std::string::npos) << "'" << text << "' is in the database files in clear";
  EXPECT_EQ(sql("SELECT COUNT(*) FROM webhook_outbox WHERE payload_key = 0"), 0);

  down = false;
  start();
  ASSERT_TRUE(all_delivered(1));
  expect_each_once_in_thread_order({sent});  // the signature verifies over the clear payload
  const nlohmann::json communication = nlohmann::json::parse(receiver_.accepted().at(0).body);
  EXPECT_EQ(communication["topic"]["text"], "Hyperkalemia recall") << communication.dump();
  EXPECT_EQ(communication["payload"][0]["contentString"], "Potassium 6.1 mmol/L: come in today")
      << communication.dump();
  EXPECT_EQ(sql("SELECT COUNT(*) FROM webhook_outbox WHERE payload IS NOT NULL"), 0)
      << "cleared once delivered";
}

TEST_F(WebhookTest, R_SEC_2_APayloadSwappedBetweenTwoRowsIsRefusedNamingTheDeliveryNeverSent) {
  std::atomic<bool> down{true};
  receiver_.script([&](const std::string&, int) { return down ? Answer::fail_500 : Answer::ok; });
  configure(/*max_attempts=*/100);
  start();
  (void)send("Lab results", "Your potassium is normal.");
  (void)send("Refill", "The refill is ready.");
  ASSERT_TRUE(pending_after_a_try(2));
  const std::vector<WebhookDelivery> pending = deliveries("pending");
  stop();

  // Someone with write access to the file swaps the two sealed payloads.
  const std::int64_t first = pending.at(0).delivery_id;
  const std::int64_t second = pending.at(1).delivery_id;
  const std::string a = std::to_string(first);
  const std::string b = std::to_string(second);
  (void)sql("CREATE TEMP TABLE taken AS SELECT id, payload FROM webhook_outbox WHERE id IN (" + a + ", " + b +
            "); UPDATE webhook_outbox SET payload = (SELECT payload FROM taken WHERE taken.id = CASE "
            "webhook_outbox.id WHEN " +
            a + " THEN " + b + " ELSE " + a + " END) WHERE id IN (" + a + ", " + b + ")");
  ASSERT_EQ(sql("SELECT COUNT(DISTINCT payload) FROM webhook_outbox WHERE id IN (" + a + ", " + b + ")"), 2);

  down = false;
  configure(/*max_attempts=*/2);
  start();
  ASSERT_TRUE(eventually([&] { return deliveries("dead").size() == 2; })) << deliveries().size();
  for (const WebhookDelivery& dead : deliveries("dead")) {
    EXPECT_NE(dead.last_error.find("payload of webhook delivery " + std::to_string(dead.delivery_id) +
                                   " does not decrypt under data key"),
              std::string::npos)
        << dead.last_error;
    EXPECT_NE(dead.last_error.find("copied from another row or field"), std::string::npos) << dead.last_error;
  }
  EXPECT_TRUE(receiver_.accepted().empty()) << "another row's message is never sent as this one";
  expect_no_phi_logged();
}

TEST_F(WebhookTest, R_SEC_2_RotationReSealsWaitingPayloadsUnderTheNewKeyAndTheyStillDeliver) {
  std::atomic<bool> down{true};
  receiver_.script([&](const std::string&, int) { return down ? Answer::fail_500 : Answer::ok; });
  configure(/*max_attempts=*/100);
  start();
  std::vector<Sent> sent;
  sent.push_back(send("Lab results", "Your potassium is normal."));
  sent.push_back(reply(sent[0].thread_id, Principal::portal_user("pat1"), "Thanks."));
  sent.push_back(send("Refill", "The refill is ready."));
  ASSERT_TRUE(pending_after_a_try(3));

  auto key = host_.keys().rotate(KeyPurpose::data);
  ASSERT_TRUE(key) << key.status();
  auto rotated = channel_->rekey(Principal::staff("admin"), 2);
  ASSERT_TRUE(rotated) << rotated.status();
  EXPECT_EQ(rotated->key_id, key->id);
  EXPECT_EQ(rotated->resealed, 2u + 3u + 3u) << "two subjects, three bodies and three waiting payloads";
  stop();
  EXPECT_EQ(sql("SELECT COUNT(*) FROM webhook_outbox WHERE payload_key = " + std::to_string(key->id)), 3);

  down = false;
  start();  // a fresh process: the payloads open under the new key
  ASSERT_TRUE(all_delivered(sent.size()));
  expect_each_once_in_thread_order(sent);
}

}  // namespace
}  // namespace ehr::host

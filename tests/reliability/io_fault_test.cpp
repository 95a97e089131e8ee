// I/O faults (issue 7, after SQLite's own fault-injection tests): a VFS shim fails the Nth write,
// sync or open, for N = 1, 2, ... until the operation gets through untouched, over a message send,
// a settings save and a role assignment, all through the real plugin and SDK. Every step must
// answer a clear error (or succeed whole), leave nothing half-written (a message and its audit
// record, a page of settings, a role change and its record, all or nothing), keep working once
// the fault is gone, and leak nothing (ASan in CI).
#include <gtest/gtest.h>
#include <sqlite3.h>

#include <cstdio>
#include <functional>
#include <string>
#include <vector>

#include "support/fault_vfs.hpp"
#include "support/reliability_host.hpp"
#include "support/temp_dir.hpp"

namespace ehr::reliability {
namespace {

namespace host = ehr::host;
using host::Principal;

struct Fault {
  FaultPoint point;
  int error;
  const char* name;
};
const Fault kFaults[] = {
    {FaultPoint::write, SQLITE_IOERR_WRITE, "write: SQLITE_IOERR_WRITE"},
    {FaultPoint::write, SQLITE_FULL, "write: SQLITE_FULL"},
    {FaultPoint::sync, SQLITE_IOERR_FSYNC, "sync: SQLITE_IOERR_FSYNC"},
    {FaultPoint::open, SQLITE_CANTOPEN, "open: SQLITE_CANTOPEN"},
};
constexpr int kMaxN = 300;

// One operation under test: `run` does it once (the k-th time), `state` describes everything it
// may change, `expected_after` what `state` must read after k successful runs.
struct Operation {
  std::function<host::Status(ReliabilityHost&, int k)> run;
  std::function<std::string(ReliabilityHost&)> state;
};

std::string audit_count(ReliabilityHost& host, const std::string& action) {
  const auto events = host.audit().list();
  if (!events) return events.status().to_string();
  int n = 0;
  for (const auto& e : *events) n += e.action == action && e.outcome == "ok";
  return action + "=" + std::to_string(n);
}

// Sweeps N for one fault over one operation. After each attempt the state is either unchanged
// (and the error named) or advanced by exactly one success; then a fault-free retry must work.
// Answers how many faults fired.
int sweep(const Fault& fault, const Operation& op, ReliabilityHost& host, FaultVfs& vfs) {
  int successes = 0;
  for (int n = 1; n <= kMaxN; ++n) {
    SCOPED_TRACE(std::string(fault.name) + ", N=" + std::to_string(n));
    const std::string before = op.state(host);
    vfs.arm(fault.point, n, fault.error);
    const host::Status status = op.run(host, successes);
    const bool fired = vfs.fired();
    vfs.disarm();
    if (status) {
      ++successes;
      EXPECT_NE(op.state(host), before) << "reported done but nothing changed";
    } else {
      EXPECT_TRUE(fired) << "failed without a fault: " << status;
      EXPECT_FALSE(status.message().empty());
      EXPECT_NE(status.code(), EHR_STATUS_INTERNAL) << "an I/O error should be named as such: " << status;
      EXPECT_EQ(op.state(host), before) << "half-written after: " << status;
      const std::string retry_before = op.state(host);
      const host::Status retry = op.run(host, successes);
      if (!retry) {
        ADD_FAILURE() << "still failing once the fault is gone: " << retry;
        return n;
      }
      ++successes;
      EXPECT_NE(op.state(host), retry_before);
    }
    if (!fired) return n - 1;  // the operation got through every point of this kind
  }
  ADD_FAILURE() << "the operation never got past " << kMaxN << " faults";
  return kMaxN;
}

std::string integrity(const std::filesystem::path& file) {
  sqlite3* db = nullptr;
  std::string result;
  if (sqlite3_open_v2(file.c_str(), &db, SQLITE_OPEN_READWRITE, nullptr) == SQLITE_OK) {
    sqlite3_stmt* stmt = nullptr;
    if (sqlite3_prepare_v2(db, "PRAGMA integrity_check", -1, &stmt, nullptr) == SQLITE_OK &&
        sqlite3_step(stmt) == SQLITE_ROW)
      result = reinterpret_cast<const char*>(sqlite3_column_text(stmt, 0));
    sqlite3_finalize(stmt);
  }
  sqlite3_close(db);
  return result;
}

class IoFaults : public ::testing::TestWithParam<Fault> {
 protected:
  void SetUp() override { vfs_ = &FaultVfs::install(); }
  void TearDown() override { vfs_->disarm(); }

  void check(const Operation& op) {
    std::int64_t thread_id = 0;
    {
      ReliabilityHost host(ReliabilityHost::in(dir_ / "host"));
      const auto started = host.channel().start_thread(
          {Principal::staff("drlee"), "p1", {Principal::portal_user("pat1")}, "s", "first"});
      ASSERT_TRUE(started) << started.status();
      thread_id = started->thread_id;
      thread_id_ = thread_id;
      const int fired = sweep(GetParam(), op, host, *vfs_);
      // Every save writes and syncs: a sweep that injected nothing tested nothing.
      if (GetParam().point != FaultPoint::open) {
        EXPECT_GT(fired, 0) << "no fault was ever injected";
      }
      std::printf("[ %s: %d faults injected ]\n", GetParam().name, fired);
    }
    // After a restart: the files are sound, the audit chain verifies.
    EXPECT_EQ(integrity(dir_ / "host" / "plugins" / "portal-messaging" / "portal.db"), "ok");
    EXPECT_EQ(integrity(dir_ / "host" / host::RoleStore::kFileName), "ok");
    ReliabilityHost again(ReliabilityHost::in(dir_ / "host", false));
    const auto verified = again.audit().verify();
    ASSERT_TRUE(verified) << verified.status();
    EXPECT_TRUE(verified->ok) << "audit chain broken at " << verified->first_bad_sequence;
  }

  ehr::portal::test::TempDir dir_;
  FaultVfs* vfs_ = nullptr;
  std::int64_t thread_id_ = 0;
};

TEST_P(IoFaults, R_CONV_5_SendIsWholeOrNotAtAll) {
  check({[this](ReliabilityHost& host, int k) {
           return host.channel()
               .reply({Principal::staff("drlee"), thread_id_, "reply " + std::to_string(k)})
               .status();
         },
         [this](ReliabilityHost& host) {
           const auto threads = host.channel().list_threads({Principal::portal_user("pat1")});
           std::string s = threads ? std::to_string(threads->threads.front().message_count) + " messages"
                                   : threads.status().to_string();
           (void)thread_id_;
           return s + ", " + audit_count(host, "message.send");
         }});
}

TEST_P(IoFaults, R_SET_6_SettingsSaveIsAtomic) {
  check({[](ReliabilityHost& host, int k) {
           // Two fields per save, flipping each time, so a half-saved page would show.
           return host.settings().save_page("admin", "south",
                                            {{"my_messages", k % 2 == 0 ? "on" : "off"},
                                             {"audience", k % 2 == 0 ? "selected_users" : "care_team_only"}});
         },
         [](ReliabilityHost& host) {
           std::string s;
           const auto effective = host.settings().effective("south");
           if (!effective) return effective.status().to_string();
           for (const auto& e : *effective) s += e.key + "=" + e.value + " ";
           return s + audit_count(host, "settings.change");
         }});
}

TEST_P(IoFaults, R_ROLE_4_RoleAssignmentIsWholeOrNotAtAll) {
  check({[](ReliabilityHost& host, int k) {
           return host.roles().set_role("admin", "nurse", "manage_portal_settings", k % 2 == 0).status();
         },
         [](ReliabilityHost& host) {
           const auto held = host.roles().has_role("nurse", "manage_portal_settings");
           const auto changes = host.roles().changes();
           return (held ? std::string(*held ? "held" : "not held") : held.status().to_string()) + ", " +
                  (changes ? std::to_string(changes->size()) : changes.status().to_string()) + " changes";
         }});
}

// Opening: the plugin's database cannot be opened at start-up. The plugin fails to initialise
// with a clear error naming the storage problem; the host keeps running; the next start works.
TEST(IoFaultsAtStart, AFailedOpenFailsTheInitCleanlyAndTheNextStartWorks) {
  ehr::portal::test::TempDir dir;
  FaultVfs& vfs = FaultVfs::install();
  { ReliabilityHost first(ReliabilityHost::in(dir / "host")); }
  for (int n = 1; n <= 20; ++n) {
    SCOPED_TRACE("open N=" + std::to_string(n));
    bool fired = false;
    {
      ReliabilityHost::Options options = ReliabilityHost::in(dir / "host", false);
      options.before_discover = [&] { vfs.arm(FaultPoint::open, n, SQLITE_CANTOPEN); };
      ReliabilityHost host(options);
      fired = vfs.fired();
      vfs.disarm();
      const auto info = host.plugins().info("portal-messaging");
      ASSERT_TRUE(info) << info.status();
      if (info->failure) {
        EXPECT_TRUE(host.plugins().registry().channels().size() == 1u);
      } else {
        EXPECT_TRUE(fired);
        EXPECT_FALSE(info->failure.message().empty());
        EXPECT_TRUE(host.plugins().registry().channels().empty());
      }
    }
    ReliabilityHost next(ReliabilityHost::in(dir / "host", false));
    EXPECT_TRUE(next.channel().list_threads({Principal::staff("drlee")})) << "the next start does not work";
    if (!fired) break;
  }
}

INSTANTIATE_TEST_SUITE_P(EachFault, IoFaults, ::testing::ValuesIn(kFaults),
                         [](const ::testing::TestParamInfo<Fault>& info) {
                           std::string name = info.param.name;
                           for (char& c : name)
                             if (!std::isalnum(static_cast<unsigned char>(c))) c = '_';
                           return name;
                         });

}  // namespace
}  // namespace ehr::reliability

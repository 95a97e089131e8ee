// The regression guard (results.hpp check_floors) on made-up runs: a floors file is read and each
// guarded ratio judged in the regime the run measured (issue 16). No benchmark runs here.
#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>
#include <string>
#include <vector>

#include "results.hpp"
#include "results_rows.hpp"

namespace ehr::bench {
namespace {

using BenchRun = benchmark::BenchmarkReporter::Run;

BenchRun make_run(const std::string& name, const std::map<std::string, double>& counters) {
  BenchRun run;
  run.run_name.function_name = name;
  for (const auto& [key, value] : counters) run.counters[key] = benchmark::Counter(value);
  return run;
}

// A disk doing `fdatasync_per_s`, one raw sender at `raw`, raw SQLite writing the same rows 8 per
// commit at `raw_8_per_commit` and 8 senders through the plugin at `eight`.
std::vector<BenchRun> send_runs(double fdatasync_per_s, double raw, double raw_8_per_commit, double eight) {
  return {make_run("S0/disk/fdatasync_4k", {{"items_per_second", fdatasync_per_s}}),
          make_run("S1/send/durable_sends", {{"raw_msg_per_s", raw},
                                             {"raw_rows_msg_per_s", raw / 2},
                                             {"reply_msg_per_s", raw / 2},
                                             {"raw_rows_8_per_commit_msg_per_s", raw_8_per_commit},
                                             {"reply_8_senders_msg_per_s", eight}})};
}

class RegressionGuard : public ::testing::Test {
 protected:
  void SetUp() override {
    floors_ = std::filesystem::temp_directory_path() /
              ("portal-bench-floors-" + std::to_string(getpid()) + "-" +
               ::testing::UnitTest::GetInstance()->current_test_info()->name() + ".txt");
    // The committed file's send lines, as bench/floors-quick.txt has them.
    std::ofstream(floors_) << "# comment\nmargin 0.5\n"
                              "s2_8_senders_vs_raw_8_per_commit 0.5 0.5\n"
                              "s2_8_senders_vs_raw 0.6 0.7\n";
  }
  void TearDown() override { std::filesystem::remove(floors_); }

  bool check(const std::vector<BenchRun>& runs) {
    out_.str("");
    return check_floors(runs, floors_, out_);
  }

  std::filesystem::path floors_;
  std::ostringstream out_;
};

// tmpfs: fsync is free, so 8 senders on 2 CPUs fall below one raw sender (0.17 measured) while they
// stay at half their ceiling. Before issue 16's fix the guard failed this run.
TEST_F(RegressionGuard, Issue16_EightSendersBelowOneRawSenderPassWhereFsyncIsFast) {
  EXPECT_TRUE(check(send_runs(200000, 30000, 11000, 5100))) << out_.str();
  EXPECT_NE(out_.str().find("ok   s2_8_senders_vs_raw_8_per_commit 0.464"), std::string::npos) << out_.str();
  EXPECT_NE(out_.str().find("skip s2_8_senders_vs_raw 0.170: judged only where fdatasync is below 1000/s; "
                            "this run's disk did 200k/s (fast regime)"),
            std::string::npos)
      << out_.str();
}

// A slow disk where group commit stopped sharing fsyncs: 8 senders do what one sender does. The
// ceiling catches it; the loose floor against one raw sender (a quick run's noise) alone would not.
TEST_F(RegressionGuard, Issue16_EightSendersThatDoNotShareFsyncsFailWhereFsyncIsSlow) {
  EXPECT_FALSE(check(send_runs(270, 260, 1900, 150))) << out_.str();
  EXPECT_NE(out_.str().find("FAIL s2_8_senders_vs_raw_8_per_commit 0.079"), std::string::npos) << out_.str();
  EXPECT_NE(out_.str().find("ok   s2_8_senders_vs_raw 0.577"), std::string::npos) << out_.str();
}

// Slower than one raw sender where fsync is slow: judged there, and failed.
TEST_F(RegressionGuard, Issue16_EightSendersBelowOneRawSenderFailWhereFsyncIsSlow) {
  EXPECT_FALSE(check(send_runs(270, 260, 1900, 40))) << out_.str();
  EXPECT_NE(out_.str().find("FAIL s2_8_senders_vs_raw 0.154"), std::string::npos) << out_.str();
}

// The same collapse on a fast disk still shows against the ceiling, which is measured on that disk.
TEST_F(RegressionGuard, Issue16_EightSendersFarBelowTheirCeilingFailWhereFsyncIsFast) {
  EXPECT_FALSE(check(send_runs(5000, 3000, 2300, 500))) << out_.str();
  EXPECT_NE(out_.str().find("FAIL s2_8_senders_vs_raw_8_per_commit 0.217"), std::string::npos) << out_.str();
}

TEST_F(RegressionGuard, Issue16_SlowDiskWithGroupCommitWorkingPasses) {
  EXPECT_TRUE(check(send_runs(270, 260, 1900, 1300))) << out_.str();
  EXPECT_NE(out_.str().find("ok   s2_8_senders_vs_raw 5.000"), std::string::npos) << out_.str();
}

// Without the disk's rate the regime is unknown: the regime's ratio is skipped, saying why.
TEST_F(RegressionGuard, Issue16_RegimeRatioSkippedWhenTheDiskWasNotMeasured) {
  std::vector<BenchRun> runs = send_runs(270, 3000, 2300, 500);
  runs.erase(runs.begin());
  EXPECT_FALSE(check(runs)) << out_.str();
  EXPECT_NE(out_.str().find("skip s2_8_senders_vs_raw 0.167: judged only where fdatasync is below 1000/s, "
                            "and S0 did not run"),
            std::string::npos)
      << out_.str();
}

TEST_F(RegressionGuard, Issue16_UnknownRatioAndMissingMarginFail) {
  std::ofstream(floors_) << "margin 0.5\nno_such_ratio 1\n";
  EXPECT_FALSE(check(send_runs(270, 260, 1900, 1300)));
  EXPECT_NE(out_.str().find("FAIL no_such_ratio: no such guarded ratio"), std::string::npos) << out_.str();
  std::ofstream(floors_) << "s2_8_senders_vs_raw 0.6\n";
  EXPECT_FALSE(check(send_runs(270, 260, 1900, 1300)));
  EXPECT_NE(out_.str().find("needs one \"margin M\" line"), std::string::npos) << out_.str();
}

// Issue 12: on PostgreSQL the send rows also compare the plugin with raw libpq writing a reply's rows
// in one round trip a message, and 8 messages to a commit in one round trip (scenario 2's ceiling).
TEST(SendRows, Issue12_PostgresqlRowsNameTheRawWritersThatWaitOnce) {
  const std::string name = "PG/S1/send/durable_sends";
  const std::vector<BenchRun> runs = {make_run(name, {{"raw_msg_per_s", 800},
                                                      {"raw_rows_msg_per_s", 480},
                                                      {"raw_rows_pipelined_msg_per_s", 880},
                                                      {"reply_msg_per_s", 440},
                                                      {"raw_rows_8_per_commit_msg_per_s", 2200},
                                                      {"reply_8_senders_msg_per_s", 1100}})};
  const RunContext context;
  const Row one = one_sender_row(runs, context, name, "1 on PostgreSQL", "raw libpq", "");
  EXPECT_EQ(one.ratio, "0.55 x");
  EXPECT_NE(
      one.baseline.find("880 msg/s raw libpq writing them in one round trip a message (its statements and "
                        "COMMIT in one pipeline) (0.50 x)"),
      std::string::npos)
      << one.baseline;
  const Row eight = eight_senders_row(runs, context, name, "2 on PostgreSQL", "raw libpq", "scenario 1", 3,
                                      "", ", all in one round trip");
  EXPECT_EQ(eight.ratio, "1.38 x");
  EXPECT_NE(
      eight.baseline.find("2200 msg/s raw libpq writing every row a reply writes, 8 messages per commit, all "
                          "in one round trip (0.50 x)"),
      std::string::npos)
      << eight.baseline;
}

// SQLite has no pipelined baseline: its one-sender row names none.
TEST(SendRows, Issue16_SqliteOneSenderRowNamesNoPipelinedWriter) {
  const std::vector<BenchRun> runs = send_runs(7000, 3000, 2400, 1600);
  const Row one = one_sender_row(runs, RunContext{}, "S1/send/durable_sends", "1", "raw SQLite", "");
  EXPECT_EQ(one.baseline.find("pipeline"), std::string::npos) << one.baseline;
  EXPECT_NE(one.baseline.find("1500 msg/s raw SQLite writing every row a reply writes (1.00 x)"),
            std::string::npos)
      << one.baseline;
}

}  // namespace
}  // namespace ehr::bench

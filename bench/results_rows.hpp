// The rows of the results table and what builds them, shared by results.cpp (SQLite's scenarios
// and the document) and pg_results.cpp (the PostgreSQL scenarios' rows).
#pragma once

#include <benchmark/benchmark.h>

#include <map>
#include <optional>
#include <string>
#include <vector>

#include "results.hpp"

namespace ehr::bench {

struct Row {
  std::string scenario;
  std::string figure;    // with unit
  std::string baseline;  // with unit and what it is
  std::string ratio;
  std::string target;
  std::string verdict;  // "met", "missed", "n/a"
  std::string limits;
};

// A counter of the run named `name` (its function name), if it ran.
std::optional<double> counter(const std::vector<benchmark::BenchmarkReporter::Run>& runs,
                              const std::string& name, const std::string& key);
std::optional<double> rate(const std::vector<benchmark::BenchmarkReporter::Run>& runs,
                           const std::string& name);
std::string fixed(double value, int digits);
// Three significant figures or so, "k" past 100,000.
std::string number(double value);
// "**met**" / "**missed**", in parentheses at quick scale, "not measured" without a figure.
std::string verdict(const RunContext& context, std::optional<bool> met);
std::string missing(const std::string& what);
// a / b, when both were measured and b is positive.
std::optional<double> quotient(std::optional<double> a, std::optional<double> b);

// The rows of scenarios 1, 2, 3, 4 and 7 from the counters of the benchmark `name`, with
// figure, baseline, ratio, target and verdict; "not measured" when it did not run (the ratio is
// then empty). The caller adds what limits the figure. `raw_words` names the raw baseline ("raw
// SQLite"), `raw_detail` adds to its description, `raw_is` says where its figure comes from.
Row one_sender_row(const std::vector<benchmark::BenchmarkReporter::Run>& runs, const RunContext& context,
                   const std::string& name, const std::string& scenario, const std::string& raw_words,
                   const std::string& raw_detail);
// `target`: the least ratio to the raw single sender; `target_note` says where it applies;
// `batched_words` how the ceiling's batches are sent, when that differs from one statement at a time.
Row eight_senders_row(const std::vector<benchmark::BenchmarkReporter::Run>& runs, const RunContext& context,
                      const std::string& name, const std::string& scenario, const std::string& raw_words,
                      const std::string& raw_is, double target = 3, const std::string& target_note = "",
                      const std::string& batched_words = "");
// "3 inbox first page (50 threads), busiest staff inboxes" and the like; `who` "staff" or "portal".
std::string read_scenario(int scenario, const std::string& who);
// `limit_us`: the p99 target, none when unset.
Row read_row(const std::vector<benchmark::BenchmarkReporter::Run>& runs, const RunContext& context,
             const std::string& name, const std::string& scenario, std::optional<double> limit_us,
             const std::string& store_words);
Row bulk_assign_row(const std::vector<benchmark::BenchmarkReporter::Run>& runs, const RunContext& context,
                    const std::string& name, const std::string& scenario, const std::string& raw_words);

// The PostgreSQL scenarios' rows (pg_results.cpp), after SQLite's; none when they did not run.
void append_postgresql_rows(std::vector<Row>& rows,
                            const std::vector<benchmark::BenchmarkReporter::Run>& runs,
                            const RunContext& context);

// The PostgreSQL scenarios' same-run ratios for the regression guard (results.hpp check_floors),
// named "pg_...": absent from a run without a server, where check_floors skips them.
void add_postgresql_guarded_ratios(std::map<std::string, std::optional<double>>& ratios,
                                   const std::vector<benchmark::BenchmarkReporter::Run>& runs);

}  // namespace ehr::bench

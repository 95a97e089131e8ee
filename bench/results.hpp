// Turns one run's benchmark figures into the table scripts/bench prints and bench/RESULTS.md:
// each scenario's figure, its baseline from the same run, the ratio, the target, whether it was
// met and what bounds the figure.
#pragma once

#include <benchmark/benchmark.h>

#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "dataset.hpp"
#include "pg_dataset.hpp"

namespace ehr::bench {

// Prints like the console reporter and keeps every run for the summary.
class CollectingReporter : public benchmark::ConsoleReporter {
 public:
  void ReportRuns(const std::vector<Run>& reports) override;
  [[nodiscard]] const std::vector<Run>& runs() const { return runs_; }
  [[nodiscard]] const std::vector<std::string>& errors() const { return errors_; }

 private:
  std::vector<Run> runs_;
  std::vector<std::string> errors_;
};

struct RunContext {
  bool quick = false;
  Scale scale;
  Dataset dataset;
  std::string started_utc;
  std::string load_at_start;  // /proc/loadavg
  std::string load_at_end;
  std::filesystem::path work_directory;
  std::optional<PgDataset> postgresql;  // when the PostgreSQL scenarios ran
};

std::string utc_now();
std::string load_average();

// The summary table (Markdown), and the whole RESULTS.md around it.
std::string summary_table(const std::vector<benchmark::BenchmarkReporter::Run>& runs,
                          const RunContext& context);
std::string results_document(const std::vector<benchmark::BenchmarkReporter::Run>& runs,
                             const RunContext& context);

// A section for a second run on another disk (scripts/bench --fast-disk), appended to RESULTS.md:
// its date, load and disk, and the rows of the scenarios it ran.
std::string results_section(const std::vector<benchmark::BenchmarkReporter::Run>& runs,
                            const RunContext& context, const std::string& title);

// The regression guard. Each guarded figure is a same-run ratio where higher is better (never an
// absolute time, which a shared machine moves). `floors_file` lists "name floor" lines ('#'
// comments; a third number overrides the margin for that line) and one "margin M" line: a ratio
// fails when it is below floor * (1 - M). Writes one
// line per ratio to `out`; returns false when one failed (a ratio not measured, e.g. filtered out,
// is skipped: a benchmark that failed already fails the run).
bool check_floors(const std::vector<benchmark::BenchmarkReporter::Run>& runs,
                  const std::filesystem::path& floors_file, std::ostream& out);

}  // namespace ehr::bench

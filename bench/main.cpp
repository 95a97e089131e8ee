// portal_bench: the issue-6 scenarios at clinic-network scale.
//   portal_bench [--quick] [--work-dir DIR] [--results FILE [--append-section TITLE]] [--floors FILE]
//                [--postgresql CONNINFO] [Google Benchmark flags...]
// Prints every benchmark, then the summary table (figure, same-run baseline, ratio, target);
// --results also writes it as Markdown (bench/RESULTS.md), or with --append-section adds this run's
// rows to the file under that heading (a second disk); --floors checks the guarded ratios
// against committed floors (bench/floors-quick.txt). Exits non-zero when a benchmark fails or a
// ratio falls below its floor by more than the file's margin.
// --postgresql adds the PostgreSQL scenarios on that server (pg_bench.cpp).
// The --child-* modes are the child processes of scenarios 6, 8 and 9 and of the host processes
// sharing PostgreSQL.
#include <benchmark/benchmark.h>

#include <cstdio>
#include <cstring>
#include <exception>
#include <fstream>
#include <iostream>
#include <memory>
#include <string>
#include <vector>

#include "environment.hpp"
#include "pg_environment.hpp"
#include "results.hpp"
#include "scenarios.hpp"

namespace {

int run(int argc, char** argv) {
  using namespace ehr::bench;
  Options options;
  std::filesystem::path floors_file;
  std::string section_title;  // --append-section: add this run to --results instead of rewriting it
  options.work_directory = std::filesystem::path(EHR_BENCH_CACHE_DIR).parent_path() / "bench-work";
  std::vector<char*> passed{argv[0]};
  for (int i = 1; i < argc; ++i) {
    const std::string arg = argv[i];
    if (arg == "--help" || arg == "-h") {
      // Before the dataset: building it takes minutes.
      std::cout
          << "usage: portal_bench [--quick] [--work-dir DIR] [--results FILE [--append-section TITLE]]\n"
             "                    [--floors FILE] [--postgresql CONNINFO]\n"
             "                    [Google Benchmark flags, e.g. --benchmark_filter=S1]\n"
             "Runs the scenarios of bench/README.md on a cached dataset (built on first use) and prints\n"
             "each figure with its same-run baseline, ratio and target.\n"
             "  --quick            the small dataset and short phases (a smoke run, under a minute)\n"
             "  --work-dir DIR     where the working copy of the database lives (the disk measured)\n"
             "  --results FILE     write the results as Markdown (bench/RESULTS.md)\n"
             "  --append-section T add this run to FILE under heading T instead of rewriting it\n"
             "  --floors FILE      fail when a guarded ratio falls below its floor\n"
             "  --postgresql C     also run scenarios 1-4 and 7 on the PostgreSQL server libpq's\n"
             "                     connection string C reaches (a role that may create databases), and\n"
             "                     host processes sharing it; the dataset is loaded there once\n"
             "Exit status: 0 when every benchmark ran and every floor held, 1 otherwise, 2 on a bad "
             "argument.\n";
      return 0;
    }
    if (arg == "--quick") {
      options.quick = true;
    } else if (arg == "--append-section" && i + 1 < argc) {
      section_title = argv[++i];
    } else if (arg == "--postgresql" && i + 1 < argc) {
      options.postgresql = argv[++i];
    } else if ((arg == "--work-dir" || arg == "--results" || arg == "--floors") && i + 1 < argc) {
      (arg == "--work-dir" ? options.work_directory
                           : (arg == "--results" ? options.results_file : floors_file)) = argv[++i];
    } else {
      passed.push_back(argv[i]);
    }
  }
  // Before the dataset, which takes minutes to build: a mistyped flag fails at once.
  int passed_count = static_cast<int>(passed.size());
  benchmark::Initialize(&passed_count, passed.data());
  if (benchmark::ReportUnrecognizedArguments(passed_count, passed.data())) return 2;
  RunContext context;
  context.quick = options.quick;
  context.started_utc = utc_now();
  context.load_at_start = load_average();
  context.work_directory = options.work_directory;

  Environment env(options);
  set_environment(&env);
  context.scale = env.practice().scale();
  context.dataset = env.dataset();
  std::fprintf(stderr, "dataset %s (%s)\n", env.dataset().file.c_str(),
               env.dataset().reused ? "cached" : "built now");

  register_send_benchmarks(env);
  register_inbox_benchmarks(env);
  register_eligibility_benchmarks(env);
  register_load_benchmarks(env);
  register_roles_benchmarks(env);
  register_memory_benchmarks(env);
  register_tenants_benchmarks(env);
  std::unique_ptr<PgEnvironment> pg;
  if (options.postgresql.empty()) {
    std::fprintf(stderr, "PostgreSQL scenarios skipped: no server given (--postgresql CONNINFO)\n");
  } else {
    pg = std::make_unique<PgEnvironment>(env, options.postgresql);
    set_pg_environment(pg.get());
    context.postgresql = pg->dataset();
    std::fprintf(stderr, "PostgreSQL %s: dataset %s (%s)\n", pg->dataset().server_version.c_str(),
                 pg->dataset().template_database.c_str(),
                 pg->dataset().reused ? "cached"
                                      : ("loaded now in " +
                                         std::to_string(static_cast<int>(pg->dataset().load_seconds)) + " s")
                                            .c_str());
    register_postgresql_benchmarks(env);
  }

  CollectingReporter reporter;
  benchmark::RunSpecifiedBenchmarks(&reporter);
  context.load_at_end = load_average();
  set_pg_environment(nullptr);
  pg.reset();
  set_environment(nullptr);

  std::cout << "\n" << summary_table(reporter.runs(), context);
  if (!options.results_file.empty() && !section_title.empty()) {
    std::ofstream(options.results_file, std::ios::app)
        << "\n"
        << results_section(reporter.runs(), context, section_title);
    std::cout << "\nappended \"" << section_title << "\" to " << options.results_file.string() << "\n";
  } else if (!options.results_file.empty()) {
    std::ofstream(options.results_file) << results_document(reporter.runs(), context);
    std::cout << "\nwrote " << options.results_file.string() << "\n";
  }
  for (const std::string& error : reporter.errors()) std::cerr << "FAILED " << error << "\n";
  bool floors_held = true;
  if (!floors_file.empty()) {
    std::cout << "\nregression guard (" << floors_file.string() << "):\n";
    floors_held = check_floors(reporter.runs(), floors_file, std::cout);
    if (!floors_held) std::cerr << "FAILED the regression guard: a ratio fell below its floor\n";
  }
  return reporter.errors().empty() && floors_held ? 0 : 1;
}

}  // namespace

int main(int argc, char** argv) {
  try {
    if (argc >= 2 &&
        (std::strcmp(argv[1], "--child-dlopen") == 0 || std::strcmp(argv[1], "--child-load") == 0)) {
      return ehr::bench::load_child_main(argc, argv);
    }
    if (argc >= 2 && std::strcmp(argv[1], "--child-memory") == 0)
      return ehr::bench::memory_child_main(argc, argv);
    if (argc >= 2 && std::strcmp(argv[1], "--child-tenants") == 0)
      return ehr::bench::tenants_child_main(argc, argv);
    if (argc >= 2 && std::strcmp(argv[1], "--child-pg-host") == 0)
      return ehr::bench::pg_host_child_main(argc, argv);
    return run(argc, argv);
  } catch (const std::exception& error) {
    std::fprintf(stderr, "portal_bench: %s\n", error.what());
    return 1;
  }
}

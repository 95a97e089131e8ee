// Runs the real ehr-host binary in a fresh data directory, as an admin's shell would, and
// captures its exit code, stdout and stderr. Every test here goes through the real plugin.
#pragma once

#include <filesystem>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "temp_directory.hpp"

namespace ehr::sample::cli_test {

struct Outcome {
  int exit_code = -1;
  std::string out;
  std::string err;
  // stdout parsed as JSON (for --json runs); a parse failure fails the calling test.
  [[nodiscard]] nlohmann::json json() const;
};

class EhrHost {
 public:
  // A fresh temporary data directory, the build's plugins directory and the sample network.
  EhrHost();
  EhrHost(const EhrHost&) = delete;
  EhrHost& operator=(const EhrHost&) = delete;

  // `ehr-host ARGS...`, with `input` on stdin.
  Outcome run(const std::vector<std::string>& args, const std::string& input = "") const;
  // `ehr-host ARGS...` with stdin on a terminal (a pseudo-terminal) where `typed` is typed and
  // then Ctrl-D; stdout and stderr are captured as by run().
  Outcome run_at_terminal(const std::vector<std::string>& args, const std::string& typed) const;
  // The same with --json, stdout parsed.
  Outcome json(std::vector<std::string> args, const std::string& input = "") const;

  // Runs and expects exit 0; returns the run for further checks.
  Outcome ok(const std::vector<std::string>& args, const std::string& input = "") const;
  // ok() with --json; returns the parsed stdout.
  nlohmann::json ok_json(std::vector<std::string> args, const std::string& input = "") const;

  // `plugins enable portal-messaging` (a new plugin starts disabled in the reference host).
  void enable_plugin() const;
  // Enables the plugin and turns My Messages on in General as the sample admin.
  void enable_messaging() const;

  TempDirectory temp{"ehr-host-test"};
  std::filesystem::path data_directory;
  std::filesystem::path plugins_directory;
  std::filesystem::path practice_file;
};

[[nodiscard]] std::filesystem::path source_directory();
[[nodiscard]] std::filesystem::path build_directory();

}  // namespace ehr::sample::cli_test

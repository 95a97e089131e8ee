#include "ehr_host_process.hpp"

#include <gtest/gtest.h>
#include <sys/wait.h>

#include <cstdlib>
#include <fstream>
#include <sstream>

namespace ehr::sample::cli_test {

namespace {

std::string quote(const std::string& arg) {
  std::string quoted = "'";
  for (const char c : arg) {
    if (c == '\'') {
      quoted += "'\\''";
    } else {
      quoted += c;
    }
  }
  return quoted + "'";
}

std::string slurp(const std::filesystem::path& file) {
  std::ifstream in(file, std::ios::binary);
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

}  // namespace

std::filesystem::path source_directory() {
  return EHR_SOURCE_DIR;
}
std::filesystem::path build_directory() {
  return EHR_BINARY_DIR;
}

nlohmann::json Outcome::json() const {
  try {
    return nlohmann::json::parse(out);
  } catch (const nlohmann::json::exception& error) {
    ADD_FAILURE() << "stdout is not JSON (" << error.what() << "):\n" << out << "\nstderr:\n" << err;
    return nlohmann::json();
  }
}

EhrHost::EhrHost()
    : data_directory(temp.path()),
      plugins_directory(build_directory() / "plugins"),
      practice_file(source_directory() / "samples" / "practice" / "clinic-network.xml") {}

Outcome EhrHost::run(const std::vector<std::string>& args, const std::string& input) const {
  // Beside the data directory, not in it: a test may point data_directory at a directory to create.
  const auto in = temp.path() / ".stdin";
  const auto out = temp.path() / ".stdout";
  const auto err = temp.path() / ".stderr";
  std::ofstream(in, std::ios::binary) << input;
  std::string command = "env -u EHR_HOST_DATA -u EHR_HOST_PLUGINS -u EHR_HOST_PRACTICE -u EHR_HOST_LOG " +
                        quote(EHR_HOST_BINARY) + " --data " + quote(data_directory.string()) + " --plugins " +
                        quote(plugins_directory.string()) + " --practice " + quote(practice_file.string());
  for (const std::string& arg : args) command += " " + quote(arg);
  command += " <" + quote(in.string()) + " >" + quote(out.string()) + " 2>" + quote(err.string());
  const int status = std::system(command.c_str());
  Outcome run;
  run.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  run.out = slurp(out);
  run.err = slurp(err);
  return run;
}

Outcome EhrHost::json(std::vector<std::string> args, const std::string& input) const {
  args.insert(args.begin(), "--json");
  return run(args, input);
}

Outcome EhrHost::ok(const std::vector<std::string>& args, const std::string& input) const {
  Outcome result = run(args, input);
  std::string line;
  for (const std::string& arg : args) line += " " + arg;
  EXPECT_EQ(result.exit_code, 0) << "ehr-host" << line << "\nstdout:\n"
                                 << result.out << "\nstderr:\n"
                                 << result.err;
  return result;
}

nlohmann::json EhrHost::ok_json(std::vector<std::string> args, const std::string& input) const {
  args.insert(args.begin(), "--json");
  return ok(args, input).json();
}

void EhrHost::enable_plugin() const {
  ok({"plugins", "enable", "portal-messaging"});
}

void EhrHost::enable_messaging() const {
  enable_plugin();
  ok({"settings", "set", "--as", "admin", "--general", "my_messages=on"});
}

}  // namespace ehr::sample::cli_test

#include "ehr_host_process.hpp"

#include <fcntl.h>
#include <gtest/gtest.h>
#include <pty.h>
#include <sys/wait.h>
#include <termios.h>
#include <unistd.h>

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

Outcome EhrHost::run_at_terminal(const std::vector<std::string>& args, const std::string& typed) const {
  const auto out = temp.path() / ".stdout";
  const auto err = temp.path() / ".stderr";
  int terminal = -1;
  int device = -1;
  if (openpty(&terminal, &device, nullptr, nullptr, nullptr) != 0) {
    ADD_FAILURE() << "openpty failed";
    return {};
  }
  std::vector<std::string> argv = {EHR_HOST_BINARY,
                                   "--data",
                                   data_directory.string(),
                                   "--plugins",
                                   plugins_directory.string(),
                                   "--practice",
                                   practice_file.string()};
  argv.insert(argv.end(), args.begin(), args.end());
  const pid_t child = fork();
  if (child == 0) {
    const int out_fd = ::open(out.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
    const int err_fd = ::open(err.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
    dup2(device, STDIN_FILENO);
    dup2(out_fd, STDOUT_FILENO);
    dup2(err_fd, STDERR_FILENO);
    ::close(terminal);
    unsetenv("EHR_HOST_LOG");
    std::vector<char*> pointers;
    for (std::string& arg : argv) pointers.push_back(arg.data());
    pointers.push_back(nullptr);
    execv(pointers[0], pointers.data());
    _exit(127);
  }
  ::close(device);
  // Typed ahead: the terminal's line discipline keeps it until ehr-host reads, and Ctrl-D at the
  // start of a line is the end of input.
  const std::string keys = typed + "\n\x04";
  EXPECT_EQ(::write(terminal, keys.data(), keys.size()), static_cast<ssize_t>(keys.size()));
  // Drains the echo so that the terminal never blocks ehr-host.
  char echo[4096];
  while (::read(terminal, echo, sizeof echo) > 0) {
  }
  int status = 0;
  waitpid(child, &status, 0);
  ::close(terminal);
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

#include "plugin_preferences.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <fstream>
#include <sstream>

#include "ehr/host/private_files.hpp"

namespace ehr::host::detail {

Result<PluginPreferences> PluginPreferences::load(const std::filesystem::path& host_data_directory) {
  PluginPreferences preferences;
  preferences.file_ = host_data_directory / kFileName;
  std::error_code error;
  if (!std::filesystem::exists(preferences.file_, error)) return preferences;
  // A file written by an earlier version may be world-readable.
  if (Status made = make_private_file(preferences.file_); !made) return made;
  std::ifstream in(preferences.file_);
  if (!in) return Status::storage("cannot read " + preferences.file_.string());
  std::string line;
  std::size_t number = 0;
  while (std::getline(in, line)) {
    ++number;
    if (line.empty() || line.front() == '#') continue;
    std::istringstream words(line);
    std::string choice;
    std::string id;
    std::string extra;
    words >> choice >> id;
    if ((choice != "enabled" && choice != "disabled") || id.empty() || (words >> extra))
      return Status::storage(preferences.file_.string() + ":" + std::to_string(number) +
                             ": expected \"enabled ID\" or \"disabled ID\"");
    preferences.choices_[id] = choice == "enabled";
  }
  return preferences;
}

std::optional<bool> PluginPreferences::enabled(std::string_view plugin_id) const {
  const auto found = choices_.find(plugin_id);
  if (found == choices_.end()) return std::nullopt;
  return found->second;
}

Status PluginPreferences::set(std::string_view plugin_id, bool enabled) {
  auto next = choices_;
  next[std::string(plugin_id)] = enabled;
  std::string content = "# Plugins enabled or disabled by the host admin (written by the EHR host SDK).\n";
  for (const auto& [id, on] : next) content += std::string(on ? "enabled " : "disabled ") + id + "\n";

  // Write a temporary file, flush it to disk, then rename over the old one: a crash leaves either
  // the old choices or the new ones, never half a file.
  const std::filesystem::path temporary = file_.string() + ".tmp";
  const int fd = ::open(temporary.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_NOFOLLOW | O_CLOEXEC, 0600);
  if (fd < 0) return Status::storage("cannot write " + temporary.string() + ": " + std::strerror(errno));
  // A .tmp left by a crash keeps its old mode through O_CREAT; narrow it before writing.
  if (::fchmod(fd, 0600) != 0) {
    const std::string why = std::strerror(errno);
    ::close(fd);
    return Status::storage("cannot make " + temporary.string() + " private: " + why);
  }
  std::size_t written = 0;
  while (written < content.size()) {
    const ssize_t n = ::write(fd, content.data() + written, content.size() - written);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) {
      const std::string why = std::strerror(errno);
      ::close(fd);
      ::unlink(temporary.c_str());
      return Status::storage("cannot write " + temporary.string() + ": " + why);
    }
    written += static_cast<std::size_t>(n);
  }
  if (::fsync(fd) != 0 || ::close(fd) != 0) {
    ::unlink(temporary.c_str());
    return Status::storage("cannot flush " + temporary.string());
  }
  if (::rename(temporary.c_str(), file_.c_str()) != 0) {
    const std::string why = std::strerror(errno);
    ::unlink(temporary.c_str());
    return Status::storage("cannot replace " + file_.string() + ": " + why);
  }
  // Make the rename itself durable.
  const int directory = ::open(file_.parent_path().c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (directory >= 0) {
    (void)::fsync(directory);
    ::close(directory);
  }
  choices_ = std::move(next);
  return Status();
}

}  // namespace ehr::host::detail

#include "plugin_config.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <set>
#include <sstream>

namespace ehr::host::detail {

namespace {

constexpr std::size_t kMaxFileBytes = 1 << 20;

std::string trimmed(const std::string& text) {
  const auto first = text.find_first_not_of(" \t\r");
  if (first == std::string::npos) return {};
  const auto last = text.find_last_not_of(" \t\r");
  return text.substr(first, last - first + 1);
}

bool valid_key(const std::string& key) {
  if (key.empty()) return false;
  for (const char c : key) {
    const bool ok = (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_' || c == '.' || c == '-';
    if (!ok) return false;
  }
  return true;
}

std::string mode_text(mode_t mode) {
  char text[8];
  std::snprintf(text, sizeof text, "%04o", static_cast<unsigned>(mode & 07777));
  return text;
}

Status refused(std::string_view what, const std::filesystem::path& file, const std::string& why) {
  return Status::invalid_argument("config", std::string(what) + " " + file.string() + " " + why);
}

}  // namespace

std::filesystem::path plugin_config_path(const std::filesystem::path& host_data_directory,
                                         const std::string& plugin_id) {
  return host_data_directory / "plugins" / (plugin_id + ".conf");
}

Result<std::vector<PluginConfigEntry>> read_plugin_config(const std::filesystem::path& file,
                                                          std::string_view what) {
  // O_NOFOLLOW and fstat on the descriptor we read: the file checked is the file read.
  const int fd = ::open(file.c_str(), O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC);
  if (fd < 0) {
    if (errno == ENOENT) return std::vector<PluginConfigEntry>{};
    if (errno == ELOOP) return refused(what, file, "is a symbolic link; use the file itself");
    return refused(what, file, std::string("cannot be opened: ") + std::strerror(errno));
  }
  std::string content;
  struct stat info {};
  Status problem;
  if (::fstat(fd, &info) != 0) {
    problem = refused(what, file, std::string("cannot be inspected: ") + std::strerror(errno));
  } else if (!S_ISREG(info.st_mode)) {
    problem = refused(what, file, "is not a regular file");
  } else if ((info.st_mode & 077) != 0) {
    problem =
        refused(what, file,
                "has mode " + mode_text(info.st_mode) +
                    ": it may hold secrets, so only its owner may read it (chmod 600 " + file.string() + ")");
  } else if (static_cast<std::size_t>(info.st_size) > kMaxFileBytes) {
    problem = refused(what, file, "is larger than 1 MiB");
  } else {
    char buffer[4096];
    for (;;) {
      const ssize_t got = ::read(fd, buffer, sizeof buffer);
      if (got < 0 && errno == EINTR) continue;
      if (got < 0) {
        problem = refused(what, file, std::string("cannot be read: ") + std::strerror(errno));
        break;
      }
      if (got == 0) break;
      content.append(buffer, static_cast<std::size_t>(got));
      if (content.size() > kMaxFileBytes) {
        problem = refused(what, file, "is larger than 1 MiB");
        break;
      }
    }
  }
  ::close(fd);
  if (!problem) return problem;

  std::vector<PluginConfigEntry> entries;
  std::set<std::string> seen;
  std::istringstream lines(content);
  std::string line;
  for (int number = 1; std::getline(lines, line); ++number) {
    const std::string text = trimmed(line);
    if (text.empty() || text.front() == '#') continue;
    const std::string at = "line " + std::to_string(number);
    const auto equals = text.find('=');
    if (equals == std::string::npos) return refused(what, file, at + " is not `key = value`");
    const std::string key = trimmed(text.substr(0, equals));
    if (!valid_key(key)) {
      return refused(what, file,
                     at + ": a key is made of a-z, 0-9, '.', '_' and '-'" +
                         (key.empty() ? std::string(" and is not empty") : ""));
    }
    if (!seen.insert(key).second)
      return refused(what, file, at + " gives the key '" + key + "' a second time");
    entries.push_back({key, trimmed(text.substr(equals + 1))});
  }
  return entries;
}

}  // namespace ehr::host::detail

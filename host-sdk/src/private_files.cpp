#include "ehr/host/private_files.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <system_error>

namespace ehr::host {

Status make_private_directory(const std::filesystem::path& directory) {
  std::error_code error;
  if (directory.has_parent_path()) std::filesystem::create_directories(directory.parent_path(), error);
  if (!error && ::mkdir(directory.c_str(), 0700) != 0 && errno != EEXIST)
    error = std::error_code(errno, std::generic_category());
  struct stat info {};
  if (!error && ::lstat(directory.c_str(), &info) != 0)
    error = std::error_code(errno, std::generic_category());
  if (error)
    return Status::storage("cannot create the directory " + directory.string() + ": " + error.message());
  if (!S_ISDIR(info.st_mode))
    return Status::storage("cannot use " + directory.string() +
                           " as a data directory: it is not a directory");
  // mkdir's mode passes through the umask, and an existing directory keeps whatever it had.
  if ((info.st_mode & 07777) != 0700 && ::chmod(directory.c_str(), 0700) != 0)
    return Status::storage("cannot make the directory " + directory.string() +
                           " private (mode 0700): " + std::strerror(errno));
  return Status();
}

Status make_private_file(const std::filesystem::path& file) {
  const int fd = ::open(file.c_str(), O_RDWR | O_CREAT | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC, 0600);
  if (fd < 0) return Status::storage("cannot create " + file.string() + ": " + std::strerror(errno));
  struct stat info {};
  Status result;
  if (::fstat(fd, &info) != 0) {
    result = Status::storage("cannot inspect " + file.string() + ": " + std::strerror(errno));
  } else if (!S_ISREG(info.st_mode)) {
    result = Status::storage("cannot use " + file.string() + ": it is not a regular file");
  } else if ((info.st_mode & 07777) != 0600 && ::fchmod(fd, 0600) != 0) {
    result =
        Status::storage("cannot make " + file.string() + " private (mode 0600): " + std::strerror(errno));
  }
  ::close(fd);
  return result;
}

}  // namespace ehr::host

#include "audit/host_identity.hpp"

#include <fcntl.h>
#include <sodium.h>
#include <unistd.h>

#include <array>
#include <cerrno>
#include <cstring>
#include <fstream>
#include <sstream>

#include "common/error.hpp"

namespace ehr::portal {

namespace {

constexpr size_t kIdBytes = 16;

bool well_formed(const std::string& id) {
  if (id.size() != kIdBytes * 2) return false;
  for (char c : id)
    if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) return false;
  return true;
}

std::string read_id(const std::filesystem::path& file) {
  std::ifstream in(file);
  if (!in) throw Error(EHR_STATUS_STORAGE, "the audit host id " + file.string() + " cannot be read");
  std::string id;
  std::getline(in, id);
  if (!well_formed(id))
    throw Error(EHR_STATUS_STORAGE, "the audit host id " + file.string() +
                                        " does not hold an id (32 lowercase hex digits): restore it "
                                        "from a backup of the data directory, or remove it to draw a "
                                        "new one (the checkpoints this host took before then stop "
                                        "being checked)");
  return id;
}

[[noreturn]] void fail_writing(const std::filesystem::path& file, int error) {
  throw Error(EHR_STATUS_STORAGE,
              "the audit host id " + file.string() + " cannot be written: " + std::strerror(error));
}

}  // namespace

std::string HostIdentity::load_or_create(const std::filesystem::path& data_directory) {
  const std::filesystem::path file = data_directory / kFile;
  std::error_code ec;
  if (std::filesystem::exists(file, ec)) return read_id(file);
  if (sodium_init() < 0) throw Error(EHR_STATUS_INTERNAL, "libsodium could not be initialized");
  std::array<unsigned char, kIdBytes> bytes{};
  randombytes_buf(bytes.data(), bytes.size());
  std::array<char, kIdBytes * 2 + 1> text{};
  sodium_bin2hex(text.data(), text.size(), bytes.data(), bytes.size());
  const std::string id(text.data(), kIdBytes * 2);

  // Written whole under a name of its own, then linked into place: a second start racing this one
  // never reads half an id, and whichever links first names the host.
  const std::filesystem::path staged =
      data_directory / (std::string(kFile) + ".new." + std::to_string(::getpid()));
  const int fd = ::open(staged.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
  if (fd < 0) fail_writing(staged, errno);
  const std::string line = id + "\n";
  const bool written =
      ::write(fd, line.data(), line.size()) == static_cast<ssize_t>(line.size()) && ::fsync(fd) == 0;
  const int write_error = errno;
  ::close(fd);
  if (!written) {
    ::unlink(staged.c_str());
    fail_writing(staged, write_error);
  }
  const int linked = ::link(staged.c_str(), file.c_str());
  const int link_error = errno;
  ::unlink(staged.c_str());
  if (linked != 0) {
    if (link_error == EEXIST) return read_id(file);
    fail_writing(file, link_error);
  }
  return id;
}

}  // namespace ehr::portal

// A plugin library opened once: its bytes are hashed, their signature checked, and the same open
// descriptor is what the dynamic loader maps (/proc/self/fd/N), so the bytes verified are the
// bytes loaded (a file swapped on disk in between is not picked up).
#pragma once

#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "ehr/host/manifest.hpp"
#include "ehr/host/plugin_info.hpp"
#include "ehr/host/status.hpp"
#include "ehr/host/trusted_key.hpp"

namespace ehr::host::detail {

class LibraryFile {
 public:
  // NOT_FOUND when the file is missing, STORAGE when it cannot be read.
  static Result<LibraryFile> open(const std::filesystem::path& path);

  LibraryFile(LibraryFile&& other) noexcept;
  LibraryFile& operator=(LibraryFile&& other) noexcept;
  LibraryFile(const LibraryFile&) = delete;
  LibraryFile& operator=(const LibraryFile&) = delete;
  ~LibraryFile();

  const std::filesystem::path& path() const { return path_; }
  const std::vector<unsigned char>& bytes() const { return bytes_; }
  // 64 lowercase hex digits.
  std::string sha256_hex() const;
  // What to hand the dynamic loader: this descriptor when /proc is available, else the path.
  std::filesystem::path load_path() const;
  // Once the loader mapped the file, its name there is /proc/self/fd/N: closing N would let a
  // later library get the same number and the loader would hand back this one (it matches by
  // name). So a loaded library's descriptor stays open until process exit, like its mapping.
  void keep_open_until_exit() { fd_ = -1; }

 private:
  LibraryFile() = default;
  std::filesystem::path path_;
  int fd_ = -1;
  std::vector<unsigned char> bytes_;
};

struct SignatureCheck {
  Verification::Signature signature = Verification::Signature::absent;
  std::string key_id;
  std::string problem;  // why it is invalid or untrusted; empty otherwise
};

SignatureCheck check_signature(const std::vector<unsigned char>& bytes,
                               const std::optional<ManifestSignature>& signature,
                               const std::vector<TrustedKey>& trusted_keys);

}  // namespace ehr::host::detail

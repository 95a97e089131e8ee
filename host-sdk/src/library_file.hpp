// A plugin library opened once: its bytes are hashed, their signature checked, and the same open
// descriptor (or one of the same file identity) is what the dynamic loader maps
// (/proc/self/fd/N), so the bytes verified are the bytes loaded (a file swapped on disk in
// between is not picked up).
#pragma once

#include <compare>
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

struct SignatureCheck {
  Verification::Signature signature = Verification::Signature::absent;
  std::string key_id;
  std::string problem;  // why it is invalid or untrusted; empty otherwise
};

SignatureCheck check_signature(const std::vector<unsigned char>& bytes,
                               const std::optional<ManifestSignature>& signature,
                               const std::vector<TrustedKey>& trusted_keys);

// What identifies the bytes of a file without reading them: a file with the same device, inode,
// size, modification and change times has not been written since it was last hashed.
struct FileIdentity {
  std::uint64_t device = 0;
  std::uint64_t inode = 0;
  std::int64_t size = 0;
  std::int64_t modified_ns = 0;
  std::int64_t changed_ns = 0;
  auto operator<=>(const FileIdentity&) const = default;
};

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
  const FileIdentity& identity() const { return identity_; }
  // 64 lowercase hex digits. Hashed once per file identity in this process: a multi-tenant host
  // loads the same library for every tenant, and re-hashing it each time was most of a load.
  Result<std::string> sha256_hex();
  // The manifest's signature checked against the trusted keys, once per identity and signature.
  Result<SignatureCheck> check_signature(const std::optional<ManifestSignature>& signature,
                                         const std::vector<TrustedKey>& trusted_keys);
  // What to hand the dynamic loader: a descriptor of this file when /proc is available, else the
  // path. A library already loaded in this process is handed over by the descriptor it was loaded
  // through, so the loader recognises it and maps it once however many tenants use it.
  std::filesystem::path load_path() const;
  // Once the loader mapped the file, its name there is /proc/self/fd/N: closing N would let a
  // later library get the same number and the loader would hand back this one (it matches by
  // name). So the first descriptor a library is loaded through stays open until process exit,
  // like its mapping: one per library file, not one per load.
  void keep_open_until_exit();

 private:
  LibraryFile() = default;
  Result<const std::vector<unsigned char>*> bytes();
  // Reads exactly `size` bytes at `offset`; STORAGE when the file ends sooner or cannot be read.
  Status read_at(unsigned char* into, std::size_t size, std::size_t offset) const;

  std::filesystem::path path_;
  int fd_ = -1;
  FileIdentity identity_;
  std::optional<std::vector<unsigned char>> bytes_;  // read only when a check needs them
};

}  // namespace ehr::host::detail

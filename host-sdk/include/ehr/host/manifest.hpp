// Manifest: a plugin's `*.plugin.xml`, read and validated before anything is loaded.
// The format is documented in docs/vendors.md and manifests/plugin-manifest.xsd.
#pragma once

#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "ehr/host/roles_section.hpp"
#include "ehr/host/status.hpp"

namespace ehr::host {

// Where a manifest problem is: the file, the 1-based line (0 when unknown) and the field
// (an XPath-like name such as "library/@sha256").
struct ManifestProblem {
  enum class Kind { missing, not_well_formed, invalid };
  Kind kind = Kind::invalid;
  std::filesystem::path file;
  std::size_t line = 0;
  std::string field;
  std::string what;
};

struct ManifestSignature {
  std::string key_id;
  std::string ed25519_base64;  // detached Ed25519 signature of the library bytes
};

struct Manifest {
  std::filesystem::path path;  // the manifest file
  std::string id;
  std::string version;
  std::string name;
  std::string vendor;
  std::string description;
  std::filesystem::path library;  // resolved against the manifest's folder
  std::string library_sha256;     // 64 lowercase hex digits
  std::uint32_t abi_min = 0;      // EHR_MAKE_VERSION(major, minor)
  std::uint32_t abi_max = 0;
  std::optional<std::filesystem::path> settings_schema;  // resolved
  std::vector<RoleDescriptor> roles;
  std::vector<std::string> hook_points;    // e.g. "before_store"
  std::vector<std::string> host_services;  // optional services it needs, e.g. "notify"
  std::optional<ManifestSignature> signature;
};

// Either a valid manifest or the problem that names file, line and field.
class ManifestResult {
 public:
  ManifestResult(Manifest manifest) : manifest_(std::move(manifest)) {}      // NOLINT
  ManifestResult(ManifestProblem problem) : problem_(std::move(problem)) {}  // NOLINT
  explicit operator bool() const noexcept { return manifest_.has_value(); }
  const Manifest& manifest() const;        // throws BadResultAccess on a problem
  const ManifestProblem& problem() const;  // throws std::logic_error on success
  // "FILE:LINE: field F: what", as an INVALID_ARGUMENT (or NOT_FOUND for a missing file).
  Status status() const;

 private:
  std::optional<Manifest> manifest_;
  std::optional<ManifestProblem> problem_;
};

// Reads and validates a manifest file.
ManifestResult load_manifest(const std::filesystem::path& file);
// Validates manifest text as if read from `file` (used for names in errors and to resolve the
// files it names).
ManifestResult parse_manifest(std::string_view xml, const std::filesystem::path& file);

// "1.0" <-> EHR_MAKE_VERSION(1, 0).
std::string format_abi_version(std::uint32_t version);
std::optional<std::uint32_t> parse_abi_version(std::string_view text);

}  // namespace ehr::host

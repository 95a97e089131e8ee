// What the plugin manager knows about one plugin: its manifest, its state and, when it could not
// be loaded, the cause.
#pragma once

#include <cstdint>
#include <filesystem>
#include <optional>
#include <ostream>
#include <string>

#include "ehr/host/manifest.hpp"
#include "ehr/host/status.hpp"

namespace ehr::host {

enum class PluginState {
  failed,     // could not be loaded; see failure_cause and failure
  enabled,    // loaded, initialised, enabled
  disabled,   // loaded and initialised (registrations visible), channel calls refused
  shut_down,  // after PluginManager::shutdown()
};

// Why a plugin is in the failed state. Each has its own test and fixture.
enum class FailureCause {
  none,
  manifest_missing,          // a plugin library, or a plugin known from before, has no manifest
  manifest_not_well_formed,  // XML syntax error
  manifest_invalid,          // well-formed, but a field is missing, unknown or wrong
  library_missing,
  checksum_mismatch,
  signature_missing,  // the host requires signatures and the manifest has none
  signature_invalid,  // unknown key, bad encoding or the signature does not match
  load_failed,        // the dynamic loader refused the library
  entry_point_missing,
  abi_major_mismatch,
  abi_minor_too_new,     // the plugin needs a newer minor version than the host speaks
  abi_too_old,           // the plugin speaks only versions below the host's floor
  negotiation_failed,    // the plugin refused or answered nonsense
  plugin_id_mismatch,    // the library says it is another plugin than its manifest
  host_service_missing,  // the manifest needs an optional host service the host lacks
  init_failed,
  init_threw,  // an exception escaped on_init (an ABI violation, contained by the host)
  duplicate_id,
  enable_failed,
  out_of_descriptors,  // too few file descriptors left to load it and keep the loaded ones serving
};

const char* to_string(PluginState state);
const char* to_string(FailureCause cause);
std::ostream& operator<<(std::ostream& out, PluginState state);
std::ostream& operator<<(std::ostream& out, FailureCause cause);

struct PluginInfo {
  // The manifest's id; for a manifest that could not be read, the file name without
  // ".plugin.xml" (or the library's stem for a library without a manifest).
  std::string id;
  std::filesystem::path manifest_path;
  std::optional<Manifest> manifest;  // when it validated
  PluginState state = PluginState::failed;
  FailureCause failure_cause = FailureCause::none;
  Status failure;                  // ok unless failed: names the file, line, field or check at fault
  bool enabled_preference = true;  // what the admin chose; remembered across restarts
  std::uint32_t negotiated_version = 0;
  std::string plugin_version;  // as the library reports it
  std::filesystem::path data_directory;
};

// The outcome of PluginManager::verify: the manifest, the library's checksum and its signature,
// checked again on disk now, without loading anything.
struct Verification {
  enum class Signature { absent, valid, invalid, untrusted_key };
  std::string plugin_id;
  std::filesystem::path manifest_path;
  std::filesystem::path library_path;
  std::string expected_sha256;  // from the manifest
  std::string actual_sha256;    // of the file now
  bool checksum_matches = false;
  Signature signature = Signature::absent;
  std::string signature_key_id;
  Status status;  // ok when everything checks out, else the first problem
};

const char* to_string(Verification::Signature signature);

}  // namespace ehr::host

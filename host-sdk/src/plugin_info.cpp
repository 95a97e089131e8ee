#include "ehr/host/plugin_info.hpp"

namespace ehr::host {

const char* to_string(PluginState state) {
  switch (state) {
    case PluginState::failed:
      return "failed";
    case PluginState::enabled:
      return "enabled";
    case PluginState::disabled:
      return "disabled";
    case PluginState::shut_down:
      return "shut down";
  }
  return "unknown";
}

const char* to_string(FailureCause cause) {
  switch (cause) {
    case FailureCause::none:
      return "none";
    case FailureCause::manifest_missing:
      return "manifest missing";
    case FailureCause::manifest_not_well_formed:
      return "manifest not well-formed";
    case FailureCause::manifest_invalid:
      return "manifest invalid";
    case FailureCause::library_missing:
      return "library missing";
    case FailureCause::checksum_mismatch:
      return "checksum mismatch";
    case FailureCause::signature_missing:
      return "signature missing";
    case FailureCause::signature_invalid:
      return "signature invalid";
    case FailureCause::load_failed:
      return "load failed";
    case FailureCause::entry_point_missing:
      return "entry point missing";
    case FailureCause::abi_major_mismatch:
      return "ABI major version mismatch";
    case FailureCause::abi_minor_too_new:
      return "ABI minor version too new";
    case FailureCause::abi_too_old:
      return "ABI version too old";
    case FailureCause::negotiation_failed:
      return "ABI negotiation failed";
    case FailureCause::plugin_id_mismatch:
      return "plugin id mismatch";
    case FailureCause::host_service_missing:
      return "host service missing";
    case FailureCause::init_failed:
      return "init failed";
    case FailureCause::init_threw:
      return "init threw";
    case FailureCause::duplicate_id:
      return "duplicate plugin id";
    case FailureCause::enable_failed:
      return "enable failed";
    case FailureCause::out_of_descriptors:
      return "out of file descriptors";
  }
  return "unknown";
}

const char* to_string(Verification::Signature signature) {
  switch (signature) {
    case Verification::Signature::absent:
      return "absent";
    case Verification::Signature::valid:
      return "valid";
    case Verification::Signature::invalid:
      return "invalid";
    case Verification::Signature::untrusted_key:
      return "untrusted key";
  }
  return "unknown";
}

std::ostream& operator<<(std::ostream& out, PluginState state) {
  return out << to_string(state);
}
std::ostream& operator<<(std::ostream& out, FailureCause cause) {
  return out << to_string(cause);
}

}  // namespace ehr::host

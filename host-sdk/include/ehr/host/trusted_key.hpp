// TrustedKey: an Ed25519 public key the host admin trusts to sign plugins (issue 7). Its own
// header because the signature check, the plugin manager's options and the host C API all need it
// without needing each other.
#pragma once

#include <string>

namespace ehr::host {

struct TrustedKey {
  std::string key_id;             // the manifest's <signature key-id="...">
  std::string public_key_base64;  // 32 bytes
};

}  // namespace ehr::host

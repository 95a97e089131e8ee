// The manifest loader on arbitrary XML: a Manifest whose fields satisfy the format, or a problem
// naming the file; never an exception, crash or leak.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "ehr/host/manifest.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view xml(reinterpret_cast<const char*>(data), size);
  const ehr::host::ManifestResult result = ehr::host::parse_manifest(xml, "/plugins/fuzz.plugin.xml");
  if (result) {
    const ehr::host::Manifest& m = result.manifest();
    if (m.id.empty() || m.library.empty()) std::abort();
    if (m.library_sha256.size() != 64) std::abort();
    for (char c : m.library_sha256) {
      if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) std::abort();
    }
    if (m.abi_min > m.abi_max) std::abort();
  } else {
    if (result.problem().file != "/plugins/fuzz.plugin.xml" || result.problem().what.empty()) std::abort();
    if (result.status().ok()) std::abort();
  }
  return 0;
}

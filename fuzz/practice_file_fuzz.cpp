// The reference host's practice file parser on arbitrary XML: a Practice or a PracticeFileError
// with the file name and a problem, never anything else.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "practice_file.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view xml(reinterpret_cast<const char*>(data), size);
  try {
    (void)ehr::sample::parse_practice(xml, "fuzz.xml");
  } catch (const ehr::sample::PracticeFileError& e) {
    if (e.file() != "fuzz.xml" || e.problem().empty()) std::abort();
  }
  return 0;
}

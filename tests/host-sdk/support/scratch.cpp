#include "support/scratch.hpp"

#include <stdlib.h>

#include <stdexcept>

namespace ehr::host::testing {

ScratchDir::ScratchDir() {
  std::string pattern = (std::filesystem::temp_directory_path() / "ehr-host-test-XXXXXX").string();
  if (mkdtemp(pattern.data()) == nullptr) throw std::runtime_error("mkdtemp failed");
  path_ = pattern;
}

ScratchDir::~ScratchDir() {
  std::error_code ignored;
  std::filesystem::remove_all(path_, ignored);
}

std::filesystem::path scenario(const std::string& name) {
  return std::filesystem::path(EHR_FIXTURE_PLUGINS_DIR) / name;
}

std::filesystem::path fixture_manifest(const std::string& file_name) {
  return std::filesystem::path(EHR_FIXTURE_MANIFESTS_DIR) / file_name;
}

void copy_scenarios(const std::filesystem::path& plugins_dir, std::initializer_list<std::string> names) {
  std::filesystem::create_directories(plugins_dir);
  for (const std::string& name : names)
    for (const auto& file : std::filesystem::directory_iterator(scenario(name)))
      std::filesystem::copy(file.path(), plugins_dir / file.path().filename(),
                            std::filesystem::copy_options::overwrite_existing);
}

}  // namespace ehr::host::testing

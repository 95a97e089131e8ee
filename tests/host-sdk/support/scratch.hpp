// Temporary directories for tests: a fresh host data directory and a plugins directory built
// from the fixture scenarios the build laid out.
#pragma once

#include <filesystem>
#include <initializer_list>
#include <string>

namespace ehr::host::testing {

// A fresh directory under the system temp dir, removed with everything inside on destruction.
class ScratchDir {
 public:
  ScratchDir();
  ~ScratchDir();
  ScratchDir(const ScratchDir&) = delete;
  ScratchDir& operator=(const ScratchDir&) = delete;
  const std::filesystem::path& path() const { return path_; }
  std::filesystem::path operator/(const std::string& name) const { return path_ / name; }

 private:
  std::filesystem::path path_;
};

// The folder of one fixture scenario (see tests/fixtures/plugins/CMakeLists.txt).
std::filesystem::path scenario(const std::string& name);
// A source-controlled fixture manifest (tests/fixtures/plugins/manifests/).
std::filesystem::path fixture_manifest(const std::string& file_name);
// Copies the files of the scenarios into `plugins_dir` (created if needed).
void copy_scenarios(const std::filesystem::path& plugins_dir, std::initializer_list<std::string> names);

}  // namespace ehr::host::testing

// A fresh directory under the system temp directory, removed with everything in it at the end.
#pragma once

#include <filesystem>
#include <string>

namespace ehr::sample {

class TempDirectory {
 public:
  explicit TempDirectory(const std::string& prefix);
  ~TempDirectory();
  TempDirectory(const TempDirectory&) = delete;
  TempDirectory& operator=(const TempDirectory&) = delete;

  [[nodiscard]] const std::filesystem::path& path() const { return path_; }

 private:
  std::filesystem::path path_;
};

}  // namespace ehr::sample

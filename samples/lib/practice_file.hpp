// Reads a practice file (the sample host's own data, XML) into a Practice. Anything wrong is
// refused with the file, the line and what is wrong; nothing half-read is ever returned.
#pragma once

#include <cstddef>
#include <filesystem>
#include <stdexcept>
#include <string>
#include <string_view>

#include "practice.hpp"

namespace ehr::sample {

class PracticeFileError : public std::runtime_error {
 public:
  PracticeFileError(std::string file, std::size_t line, std::string problem);

  [[nodiscard]] const std::string& file() const { return file_; }
  [[nodiscard]] std::size_t line() const { return line_; }  // 1-based; 0 when the file can't be read
  [[nodiscard]] const std::string& problem() const { return problem_; }

 private:
  std::string file_;
  std::size_t line_;
  std::string problem_;
};

[[nodiscard]] Practice load_practice_file(const std::filesystem::path& path);

// `source_name` is what errors call the file.
[[nodiscard]] Practice parse_practice(std::string_view xml, std::string_view source_name);

}  // namespace ehr::sample

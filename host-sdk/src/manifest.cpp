#include "ehr/host/manifest.hpp"

#include <charconv>

namespace ehr::host {

const Manifest& ManifestResult::manifest() const {
  if (!manifest_) throw BadResultAccess(status());
  return *manifest_;
}

const ManifestProblem& ManifestResult::problem() const {
  if (!problem_) throw std::logic_error("the manifest is valid: there is no problem to show");
  return *problem_;
}

Status ManifestResult::status() const {
  if (manifest_) return Status();
  const ManifestProblem& p = *problem_;
  std::string message = p.file.string();
  if (p.line > 0) message += ":" + std::to_string(p.line);
  message += ": ";
  if (!p.field.empty()) message += p.field + ": ";
  message += p.what;
  if (p.kind == ManifestProblem::Kind::missing) return Status::not_found(std::move(message), p.field);
  return Status::invalid_argument(p.field, std::move(message));
}

ManifestResult load_manifest(const std::filesystem::path& file) {
  return ManifestProblem{
      ManifestProblem::Kind::invalid, file, 0, {}, "manifest loading is not implemented yet"};
}

ManifestResult parse_manifest(std::string_view, const std::filesystem::path& file) {
  return ManifestProblem{
      ManifestProblem::Kind::invalid, file, 0, {}, "manifest parsing is not implemented yet"};
}

std::string format_abi_version(std::uint32_t version) {
  return std::to_string(EHR_VERSION_MAJOR(version)) + "." + std::to_string(EHR_VERSION_MINOR(version));
}

std::optional<std::uint32_t> parse_abi_version(std::string_view text) {
  const auto dot = text.find('.');
  if (dot == std::string_view::npos) return std::nullopt;
  unsigned major = 0;
  unsigned minor = 0;
  const char* begin = text.data();
  const char* end = text.data() + text.size();
  auto [after_major, e1] = std::from_chars(begin, begin + dot, major);
  if (e1 != std::errc() || after_major != begin + dot || dot == 0) return std::nullopt;
  auto [after_minor, e2] = std::from_chars(begin + dot + 1, end, minor);
  if (e2 != std::errc() || after_minor != end || dot + 1 == text.size()) return std::nullopt;
  if (major > 0xFFFFu || minor > 0xFFFFu) return std::nullopt;
  return EHR_MAKE_VERSION(major, minor);
}

}  // namespace ehr::host

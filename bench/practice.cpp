#include "practice.hpp"

#include <charconv>

namespace ehr::bench {

namespace {

std::optional<uint32_t> number_after(std::string_view id, std::string_view prefix, uint32_t bound) {
  if (id.size() <= prefix.size() || id.substr(0, prefix.size()) != prefix) return std::nullopt;
  const std::string_view digits = id.substr(prefix.size());
  if (digits.size() > 1 && digits.front() == '0') return std::nullopt;  // one spelling per id
  uint32_t value = 0;
  auto [end, error] = std::from_chars(digits.data(), digits.data() + digits.size(), value);
  if (error != std::errc() || end != digits.data() + digits.size() || value >= bound) return std::nullopt;
  return value;
}

}  // namespace

Scale full_scale() {
  return {"full", 50, 2000, 100000, 200000, 1000000, 10000};
}

Scale quick_scale() {
  return {"quick", 5, 100, 2000, 4000, 20000, 1000};
}

uint64_t Random::next() {
  uint64_t z = (state_ += 0x9E3779B97F4A7C15ull);
  z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
  z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
  return z ^ (z >> 31);
}

Practice::Practice(const Scale& scale) : scale_(scale) {
  Random random(0x5EED0001);
  const uint32_t per_location = scale.staff / scale.locations;
  staff_.resize(scale.staff);
  for (uint32_t i = 0; i < scale.staff; ++i) {
    StaffMember& member = staff_[i];
    member.location = static_cast<uint16_t>(i % scale.locations);
    const bool lead = i < scale.locations;
    member.active = lead || i % 97 != 96;
    member.available_for_portal_messages = lead || i % 10 != 9;
    member.manage_portal_settings = i == 0;
  }
  patients_.resize(scale.patients);
  for (uint32_t p = 0; p < scale.patients; ++p) {
    PatientRecord& patient = patients_[p];
    patient.location = static_cast<uint16_t>(p % scale.locations);
    patient.care_team[0] = lead_of(patient.location);
    patient.care_team_size = 1;
    const uint32_t others = 2 + random.below(3);
    while (patient.care_team_size < 1 + others) {
      const uint32_t k = 1 + random.below(per_location - 1);
      const uint32_t member = patient.location + k * scale.locations;
      bool seen = false;
      for (uint8_t j = 0; j < patient.care_team_size; ++j) seen = seen || patient.care_team[j] == member;
      if (!seen) patient.care_team[patient.care_team_size++] = member;
    }
  }
  guardian_count_ = scale.patients / 5;
  for (uint32_t g = 0; g < guardian_count_; ++g) {
    patients_[2 * g].guardian = g;
    patients_[2 * g + 1].guardian = g;
  }
}

std::string Practice::staff_id(uint32_t index) {
  return "s" + std::to_string(index);
}
std::string Practice::patient_id(uint32_t index) {
  return "p" + std::to_string(index);
}
std::string Practice::location_id(uint32_t index) {
  return "loc" + std::to_string(index);
}
std::string Practice::patient_portal_id(uint32_t patient) {
  return "pp" + std::to_string(patient);
}
std::string Practice::guardian_portal_id(uint32_t guardian) {
  return "pg" + std::to_string(guardian);
}

std::optional<uint32_t> Practice::staff_index(std::string_view id) const {
  return number_after(id, "s", scale_.staff);
}
std::optional<uint32_t> Practice::patient_index(std::string_view id) const {
  return number_after(id, "p", scale_.patients);
}
std::optional<uint32_t> Practice::location_index(std::string_view id) const {
  return number_after(id, "loc", scale_.locations);
}

std::optional<PortalAccount> Practice::portal_account(std::string_view id) const {
  if (auto patient = number_after(id, "pp", scale_.patients))
    return PortalAccount{PortalKind::patient, *patient};
  if (auto guardian = number_after(id, "pg", guardian_count_))
    return PortalAccount{PortalKind::guardian, *guardian};
  return std::nullopt;
}

std::vector<uint32_t> Practice::guardian_charts(uint32_t guardian) const {
  return {2 * guardian, 2 * guardian + 1};
}

bool Practice::portal_active(const PortalAccount& account) const {
  return account.index % 25 != 24;
}

}  // namespace ehr::bench

// The bench's clinic network: locations, staff, patients with care teams and portal contacts,
// generated deterministically from a scale (same scale, same practice, on every machine). Kept
// compact (indexes, not strings) so that the bench host answering from it adds little to the
// memory figures; ids are formatted on demand.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace ehr::bench {

struct Scale {
  std::string name;  // "full" or "quick"
  uint32_t locations = 0;
  uint32_t staff = 0;
  uint32_t patients = 0;
  uint32_t threads = 0;
  uint32_t messages = 0;
  uint32_t role_users = 0;  // users in the bulk role assignment (scenario 7)
};

// Issue 6: 50 locations, 2,000 staff, 100,000 patients, 1,000,000 messages in 200,000 threads.
Scale full_scale();
// A small version for CI (`scripts/bench --quick`).
Scale quick_scale();

// Deterministic 64-bit generator (splitmix64): the practice and the dataset depend only on it.
class Random {
 public:
  explicit Random(uint64_t seed) : state_(seed) {}
  uint64_t next();
  // Uniform in [0, bound).
  uint32_t below(uint32_t bound) { return static_cast<uint32_t>(next() % bound); }

 private:
  uint64_t state_;
};

struct StaffMember {
  uint16_t location = 0;
  bool active = true;
  bool available_for_portal_messages = true;
  bool manage_portal_settings = false;
};

struct PatientRecord {
  uint16_t location = 0;
  uint8_t care_team_size = 0;
  uint32_t care_team[5] = {};        // staff indexes; [0] is the location's lead clinician
  std::optional<uint32_t> guardian;  // guardian portal user index, shared by two siblings
};

enum class PortalKind : uint8_t { patient, guardian };

struct PortalAccount {
  PortalKind kind = PortalKind::patient;
  uint32_t index = 0;  // patient index, or guardian index
};

class Practice {
 public:
  explicit Practice(const Scale& scale);

  [[nodiscard]] const Scale& scale() const noexcept { return scale_; }
  [[nodiscard]] const std::vector<StaffMember>& staff() const noexcept { return staff_; }
  [[nodiscard]] const std::vector<PatientRecord>& patients() const noexcept { return patients_; }
  [[nodiscard]] uint32_t guardian_count() const noexcept { return guardian_count_; }

  // "s17", "p42", "loc3"; portal users "pp42" (the patient's own account) and "pg7" (a guardian).
  static std::string staff_id(uint32_t index);
  static std::string patient_id(uint32_t index);
  static std::string location_id(uint32_t index);
  static std::string patient_portal_id(uint32_t patient);
  static std::string guardian_portal_id(uint32_t guardian);

  // Parse ids back; nullopt when the id names nobody in this practice.
  [[nodiscard]] std::optional<uint32_t> staff_index(std::string_view id) const;
  [[nodiscard]] std::optional<uint32_t> patient_index(std::string_view id) const;
  [[nodiscard]] std::optional<uint32_t> location_index(std::string_view id) const;
  [[nodiscard]] std::optional<PortalAccount> portal_account(std::string_view id) const;

  // Guardians cover two siblings: patients 2g and 2g+1 of the same location block.
  [[nodiscard]] std::vector<uint32_t> guardian_charts(uint32_t guardian) const;
  // Every 25th portal account is inactive (the patient's own or the guardian's).
  [[nodiscard]] bool portal_active(const PortalAccount& account) const;
  // The lead clinician of a location: on every care team there, the busiest inbox.
  [[nodiscard]] uint32_t lead_of(uint32_t location) const { return location; }

 private:
  Scale scale_;
  std::vector<StaffMember> staff_;
  std::vector<PatientRecord> patients_;
  uint32_t guardian_count_ = 0;
};

}  // namespace ehr::bench

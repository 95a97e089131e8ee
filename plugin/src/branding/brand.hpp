#pragma once

#include <string>
#include <string_view>

namespace ehr::portal {

class HostClient;
class SettingsService;

// Whose name, address and phone a portal notification or invitation carries (R-BRAND-1..3).
struct Brand {
  std::string name;  // the Alias when it is not empty, else the name
  std::string address;
  std::string phone;
  std::string sign_in_link;
  std::string location_id;  // the location whose information is used; empty for the company
};

// Picks the brand from the host's company and location data, asked at the moment of sending.
class BrandResolver {
 public:
  BrandResolver(const HostClient& host, SettingsService& settings);

  // The company's brand, unless this location's effective My Messages and Use Location
  // Information are both on (R-BRAND-2). An empty location id (single instance) is the company.
  [[nodiscard]] Brand for_location(std::string_view location_id) const;
  // The brand of the patient's location. Throws Error(EHR_STATUS_NOT_FOUND) for an unknown patient.
  [[nodiscard]] Brand for_patient(std::string_view patient_id) const;

 private:
  const HostClient& host_;
  SettingsService& settings_;
};

}  // namespace ehr::portal

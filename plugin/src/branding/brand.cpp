#include "branding/brand.hpp"

#include "common/error.hpp"
#include "host/host_client.hpp"
#include "settings/settings_service.hpp"

namespace ehr::portal {

namespace {

Brand brand_of(const OrganizationInfo& organization, const OrganizationInfo& company) {
  Brand brand;
  brand.name = organization.brand_name();
  brand.address = organization.address;
  brand.phone = organization.phone;
  // A location without its own sign-in address uses the company's portal.
  brand.sign_in_link = organization.portal_url.empty() ? company.portal_url : organization.portal_url;
  brand.location_id = organization.location_id;
  return brand;
}

}  // namespace

BrandResolver::BrandResolver(const HostClient& host, SettingsService& settings)
    : host_(host), settings_(settings) {}

Brand BrandResolver::for_location(std::string_view location_id) const {
  const OrganizationInfo company = host_.company();
  if (!location_id.empty()) {
    const PortalSettings effective = settings_.effective(location_id);
    if (effective.my_messages && effective.use_location_information) {
      if (auto location = host_.location(location_id)) return brand_of(*location, company);
    }
  }
  return brand_of(company, company);
}

Brand BrandResolver::for_patient(std::string_view patient_id) const {
  auto patient = host_.get_patient(patient_id);
  if (!patient)
    throw Error(EHR_STATUS_NOT_FOUND, "unknown patient '" + std::string(patient_id) + "'", "patient_id");
  return for_location(patient->location_id);
}

}  // namespace ehr::portal

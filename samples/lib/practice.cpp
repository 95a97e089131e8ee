#include "practice.hpp"

#include <algorithm>
#include <utility>

namespace ehr::sample {

const char* to_string(PortalUserKind kind) {
  switch (kind) {
    case PortalUserKind::patient:
      return "patient";
    case PortalUserKind::guardian:
      return "guardian";
    case PortalUserKind::guarantor:
      return "guarantor";
  }
  return "unknown";
}

Practice::Practice(Organization company, std::vector<Organization> locations, std::vector<StaffUser> users,
                   std::vector<Patient> patients, std::vector<PortalUser> portal_users)
    : company_(std::move(company)),
      locations_(std::move(locations)),
      users_(std::move(users)),
      patients_(std::move(patients)),
      portal_users_(std::move(portal_users)) {}

namespace {
template <typename T>
const T* find_by_id(const std::vector<T>& items, std::string_view id) {
  auto it = std::find_if(items.begin(), items.end(), [&](const T& item) { return item.id == id; });
  return it == items.end() ? nullptr : &*it;
}
}  // namespace

const Organization* Practice::find_location(std::string_view id) const {
  auto it = std::find_if(locations_.begin(), locations_.end(),
                         [&](const Organization& location) { return location.location_id == id; });
  return it == locations_.end() ? nullptr : &*it;
}
const StaffUser* Practice::find_user(std::string_view id) const {
  return find_by_id(users_, id);
}
const Patient* Practice::find_patient(std::string_view id) const {
  return find_by_id(patients_, id);
}
const PortalUser* Practice::find_portal_user(std::string_view id) const {
  return find_by_id(portal_users_, id);
}

std::vector<const PortalUser*> Practice::contacts_of(std::string_view patient_id) const {
  std::vector<const PortalUser*> out;
  for (const auto& portal_user : portal_users_) {
    if (std::find(portal_user.contacts.begin(), portal_user.contacts.end(), patient_id) !=
        portal_user.contacts.end()) {
      out.push_back(&portal_user);
    }
  }
  return out;
}

}  // namespace ehr::sample

// R-MSG-1..R-MSG-5: the pure eligibility policy, as a table over every combination of facts.
#include "messaging/eligibility.hpp"

#include <gtest/gtest.h>

#include <set>
#include <string>
#include <vector>

namespace ehr::portal {
namespace {

EligibilityFacts allowed_facts() {
  EligibilityFacts facts;
  facts.patient.exists = true;
  facts.settings = {true, Audience::care_team_only, "north", true};
  facts.staff = StaffFacts{"drlee", true, true, true, true};
  facts.portal_user = PortalUserFacts{"pat1", true, true, true};
  return facts;
}

struct Case {
  const char* rule;  // the rule the case checks, shown when it fails
  const char* name;
  void (*change)(EligibilityFacts&);
  ehr_deny_reason expected;
  std::vector<std::string> words;  // an admin must be able to act on the explanation
};

const std::vector<Case>& cases() {
  static const std::vector<Case> table = {
      {"R-MSG-2/R-MSG-3",
       "everything in place",
       [](EligibilityFacts&) {},
       EHR_DENY_NONE,
       {"Allowed", "care team"}},
      {"R-MSG-1",
       "messaging off at the patient's location",
       [](EligibilityFacts& f) { f.settings.my_messages = false; },
       EHR_DENY_MESSAGING_OFF,
       {"My Messages is off", "'north'", "Manage Portal Settings"}},
      {"R-MSG-1",
       "messaging off in General, location follows General",
       [](EligibilityFacts& f) {
         f.settings = {false, Audience::care_team_only, "north", false};
       },
       EHR_DENY_MESSAGING_OFF,
       {"follows the General"}},
      {"R-MSG-1",
       "single instance with General off",
       [](EligibilityFacts& f) {
         f.settings = {false, Audience::care_team_only, "", false};
       },
       EHR_DENY_MESSAGING_OFF,
       {"General portal settings"}},
      {"R-MSG-2",
       "staff without the role",
       [](EligibilityFacts& f) { f.staff->holds_messaging_role = false; },
       EHR_DENY_STAFF_LACKS_ROLE,
       {"'drlee'", "Available for portal messages", "Assign Roles"}},
      {"R-MSG-2",
       "inactive staff",
       [](EligibilityFacts& f) { f.staff->active = false; },
       EHR_DENY_STAFF_INACTIVE,
       {"'drlee'", "inactive"}},
      {"R-MSG-2",
       "staff off the care team, audience Care Team only",
       [](EligibilityFacts& f) { f.staff->on_care_team = false; },
       EHR_DENY_NOT_ON_CARE_TEAM,
       {"'drlee'", "care team", "Care Team only"}},
      {"R-MSG-2",
       "staff off the care team, audience Selected users",
       [](EligibilityFacts& f) {
         f.staff->on_care_team = false;
         f.settings.audience = Audience::selected_users;
       },
       EHR_DENY_NONE,
       {"Selected users"}},
      {"R-MSG-2",
       "unknown staff user",
       [](EligibilityFacts& f) { f.staff->exists = false; },
       EHR_DENY_UNKNOWN_USER,
       {"'drlee'", "not known"}},
      {"R-MSG-3",
       "portal user not a contact on the chart",
       [](EligibilityFacts& f) { f.portal_user->contact_on_chart = false; },
       EHR_DENY_NOT_A_CONTACT,
       {"'pat1'", "not a contact"}},
      {"R-MSG-3",
       "portal account inactive",
       [](EligibilityFacts& f) { f.portal_user->account_active = false; },
       EHR_DENY_PORTAL_ACCOUNT_INACTIVE,
       {"'pat1'", "inactive"}},
      {"R-MSG-3",
       "unknown portal user",
       [](EligibilityFacts& f) { f.portal_user->exists = false; },
       EHR_DENY_UNKNOWN_USER,
       {"'pat1'"}},
      {"R-MSG-3",
       "portal side allowed only to staff R-MSG-2 allows",
       [](EligibilityFacts& f) { f.staff->holds_messaging_role = false; },
       EHR_DENY_STAFF_LACKS_ROLE,
       {}},
      {"R-MSG-5",
       "unknown patient",
       [](EligibilityFacts& f) { f.patient.exists = false; },
       EHR_DENY_UNKNOWN_PATIENT,
       {"patient"}},
      {"R-MSG-5",
       "asking about the staff side only",
       [](EligibilityFacts& f) { f.portal_user.reset(); },
       EHR_DENY_NONE,
       {"'drlee'"}},
      {"R-MSG-5",
       "asking about the portal side only",
       [](EligibilityFacts& f) { f.staff.reset(); },
       EHR_DENY_NONE,
       {"'pat1'"}},
      {"R-MSG-5",
       "settings are fixed before people",
       [](EligibilityFacts& f) {
         f.settings.my_messages = false;
         f.staff->active = false;
         f.portal_user->account_active = false;
       },
       EHR_DENY_MESSAGING_OFF,
       {}},
  };
  return table;
}

TEST(EligibilityTable, EachNamedCaseGivesItsReasonInActionableWords) {
  for (const Case& c : cases()) {
    SCOPED_TRACE(std::string(c.rule) + ": " + c.name);
    EligibilityFacts facts = allowed_facts();
    c.change(facts);
    Eligibility result = decide_eligibility(facts);
    EXPECT_EQ(result.reason, c.expected) << result.explanation;
    EXPECT_EQ(result.allowed(), c.expected == EHR_DENY_NONE);
    EXPECT_FALSE(result.explanation.empty());
    for (const std::string& word : c.words)
      EXPECT_NE(result.explanation.find(word), std::string::npos) << word;
  }
}

// R-MSG-1, R-MSG-2, R-MSG-3, R-MSG-5: every combination of the facts. Allowed exactly when every
// rule holds; otherwise the reason names one rule that really fails, and says so in words.
TEST(EligibilityTable, EveryCombinationAllowsExactlyWhenAllRulesHold) {
  constexpr int kBits = 12;
  int allowed_count = 0;
  std::set<ehr_deny_reason> reasons_seen;
  for (unsigned mask = 0; mask < (1u << kBits); ++mask) {
    auto bit = [mask](int i) { return ((mask >> i) & 1u) != 0; };
    EligibilityFacts facts;
    facts.patient.exists = bit(0);
    facts.settings = {bit(1), bit(2) ? Audience::selected_users : Audience::care_team_only, "north", true};
    if (bit(3)) facts.staff = StaffFacts{"drlee", bit(4), bit(5), bit(6), bit(7)};
    if (bit(8)) facts.portal_user = PortalUserFacts{"pat1", bit(9), bit(10), bit(11)};

    std::set<ehr_deny_reason> failing;
    if (!facts.patient.exists) failing.insert(EHR_DENY_UNKNOWN_PATIENT);
    if (!facts.settings.my_messages) failing.insert(EHR_DENY_MESSAGING_OFF);
    if (facts.staff) {
      if (!facts.staff->exists) failing.insert(EHR_DENY_UNKNOWN_USER);
      if (!facts.staff->active) failing.insert(EHR_DENY_STAFF_INACTIVE);
      if (!facts.staff->holds_messaging_role) failing.insert(EHR_DENY_STAFF_LACKS_ROLE);
      if (!facts.staff->on_care_team && facts.settings.audience == Audience::care_team_only)
        failing.insert(EHR_DENY_NOT_ON_CARE_TEAM);
    }
    if (facts.portal_user) {
      if (!facts.portal_user->exists) failing.insert(EHR_DENY_UNKNOWN_USER);
      if (!facts.portal_user->account_active) failing.insert(EHR_DENY_PORTAL_ACCOUNT_INACTIVE);
      if (!facts.portal_user->contact_on_chart) failing.insert(EHR_DENY_NOT_A_CONTACT);
    }

    Eligibility result = decide_eligibility(facts);
    SCOPED_TRACE("facts mask " + std::to_string(mask) + ": " + result.explanation);
    ASSERT_EQ(result.allowed(), failing.empty());
    if (!failing.empty()) {
      ASSERT_TRUE(failing.count(result.reason)) << ehr_deny_reason_name(result.reason);
      // Unknown charts and switched-off messaging come before anything about people.
      if (!facts.patient.exists) {
        ASSERT_EQ(result.reason, EHR_DENY_UNKNOWN_PATIENT);
      } else if (!facts.settings.my_messages) {
        ASSERT_EQ(result.reason, EHR_DENY_MESSAGING_OFF);
      }
      reasons_seen.insert(result.reason);
    } else {
      ++allowed_count;
      ASSERT_EQ(result.explanation.rfind("Allowed", 0), 0u);
    }
    ASSERT_FALSE(result.explanation.empty());
  }
  EXPECT_GT(allowed_count, 0);
  EXPECT_EQ(reasons_seen.size(), 8u);  // every reason the policy can give was reached
}

TEST(EligibilityTable, ReasonNamesAreStableWords) {
  EXPECT_STREQ(ehr_deny_reason_name(EHR_DENY_NOT_ON_CARE_TEAM), "not_on_care_team");
  EXPECT_STREQ(ehr_deny_reason_name(EHR_DENY_NOT_A_PARTICIPANT), "not_a_participant");
  EXPECT_STREQ(ehr_deny_reason_name(EHR_DENY_NONE), "ok");
}

}  // namespace
}  // namespace ehr::portal

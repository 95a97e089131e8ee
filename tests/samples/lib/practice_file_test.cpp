// The practice file: what the sample host reads as its own data, and how it refuses bad files.
#include "practice_file.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <string>

namespace ehr::sample {
namespace {

const std::string kDir = EHR_SAMPLE_PRACTICE_DIR;

// Expects `xml` to be refused on `line` with a problem containing `words`.
void expect_refused(const std::string& xml, std::size_t line, const std::string& words) {
  try {
    (void)parse_practice(xml, "bad.xml");
    FAIL() << "accepted a bad practice file; expected: " << words;
  } catch (const PracticeFileError& error) {
    EXPECT_EQ(error.file(), "bad.xml");
    EXPECT_EQ(error.line(), line) << error.what();
    EXPECT_NE(error.problem().find(words), std::string::npos) << error.what();
    EXPECT_NE(std::string(error.what()).find("bad.xml:" + std::to_string(line) + ": "), std::string::npos);
  }
}

const std::string kHead =
    "<practice master=\"true\">\n<company name=\"Co\"/>\n<location id=\"north\" name=\"N\"/>\n";

TEST(PracticeFile, SampleNetworkIsAMasterInstanceWithEveryKindOfPerson) {
  const Practice practice = load_practice_file(kDir + "/clinic-network.xml");
  EXPECT_TRUE(practice.is_master());
  EXPECT_GE(practice.locations().size(), 3u);
  EXPECT_GE(practice.users().size(), 10u);
  EXPECT_GE(practice.patients().size(), 20u);
  EXPECT_TRUE(std::any_of(practice.locations().begin(), practice.locations().end(),
                          [](const Organization& location) { return !location.alias.empty(); }));

  const StaffUser* admin = practice.find_user("admin");
  ASSERT_NE(admin, nullptr);
  EXPECT_NE(std::find(admin->roles.begin(), admin->roles.end(), "manage_users"), admin->roles.end());
  EXPECT_NE(std::find(admin->roles.begin(), admin->roles.end(), "manage_portal_settings"),
            admin->roles.end());
  EXPECT_TRUE(std::any_of(practice.users().begin(), practice.users().end(),
                          [](const StaffUser& user) { return !user.active; }));

  for (const PortalUserKind kind :
       {PortalUserKind::patient, PortalUserKind::guardian, PortalUserKind::guarantor}) {
    EXPECT_TRUE(std::any_of(practice.portal_users().begin(), practice.portal_users().end(),
                            [&](const PortalUser& user) { return user.kind == kind; }))
        << to_string(kind);
  }
  EXPECT_TRUE(std::any_of(practice.portal_users().begin(), practice.portal_users().end(),
                          [](const PortalUser& user) { return !user.active; }));
  EXPECT_TRUE(
      std::any_of(practice.portal_users().begin(), practice.portal_users().end(), [](const PortalUser& user) {
        return user.kind == PortalUserKind::guardian && user.contacts.size() >= 2;
      }));
}

TEST(PracticeFile, LooksUpPatientsCareTeamsAndContacts) {
  const Practice practice = load_practice_file(kDir + "/clinic-network.xml");
  const Patient* lily = practice.find_patient("p03");
  ASSERT_NE(lily, nullptr);
  EXPECT_EQ(lily->location_id, "north");
  EXPECT_EQ(lily->care_team, (std::vector<std::string>{"drlee", "drkim", "nurse1"}));
  const auto contacts = practice.contacts_of("p10");
  ASSERT_EQ(contacts.size(), 2u);
  EXPECT_EQ(contacts[0]->id, "claire");
  EXPECT_EQ(contacts[1]->id, "paul");
  EXPECT_EQ(contacts[1]->kind, PortalUserKind::guarantor);
  EXPECT_EQ(practice.find_portal_user("hoa")->first_name, "Hoa");
  EXPECT_EQ(practice.find_location("north")->alias, "Northside Family Care");
  EXPECT_EQ(practice.find_patient("nobody"), nullptr);
}

TEST(PracticeFile, SingleClinicHasNoLocations) {
  const Practice practice = load_practice_file(kDir + "/single-clinic.xml");
  EXPECT_FALSE(practice.is_master());
  EXPECT_TRUE(practice.locations().empty());
  EXPECT_EQ(practice.company().name, "Maple Street Family Practice");
  EXPECT_EQ(practice.find_patient("m1")->location_id, "");
}

TEST(PracticeFile, MissingFileNamesIt) {
  try {
    (void)load_practice_file(kDir + "/no-such-practice.xml");
    FAIL();
  } catch (const PracticeFileError& error) {
    EXPECT_NE(std::string(error.what()).find("no-such-practice.xml"), std::string::npos);
    EXPECT_NE(error.problem().find("cannot open"), std::string::npos);
  }
}

TEST(PracticeFile, NotWellFormedNamesTheLine) {
  expect_refused(kHead + "<user id=\"a\" name=\"A\"\n", 4, "not well-formed");
}

TEST(PracticeFile, WrongRootIsRefused) {
  expect_refused("<clinic/>", 1, "root element must be <practice>");
}

TEST(PracticeFile, UnknownElementIsRefused) {
  expect_refused(kHead + "<doctor id=\"x\"/>\n</practice>", 4, "unknown element <doctor>");
}

TEST(PracticeFile, UnknownAttributeIsRefused) {
  expect_refused(kHead + "<user id=\"a\" name=\"A\" role=\"x\"/>\n</practice>", 4,
                 "unknown attribute 'role'");
}

TEST(PracticeFile, DuplicateIdNamesBothLines) {
  expect_refused(kHead + "<user id=\"a\" name=\"A\"/>\n<user id=\"a\" name=\"B\"/>\n</practice>", 5,
                 "duplicate user id 'a' (first defined on line 4)");
}

TEST(PracticeFile, BadKindIsRefused) {
  expect_refused(kHead + "<portal-user id=\"x\" name=\"X\" kind=\"cousin\"/>\n</practice>", 4,
                 "kind 'cousin' on <portal-user> must be patient, guardian or guarantor");
}

TEST(PracticeFile, UnknownLocationIsRefused) {
  expect_refused(kHead + "<patient id=\"p\" name=\"P\" location=\"west\"/>\n</practice>", 4,
                 "patient 'p': unknown location 'west'");
}

TEST(PracticeFile, UnknownCareTeamMemberIsRefused) {
  expect_refused(kHead + "<patient id=\"p\" name=\"P\" location=\"north\" care-team=\"drwho\"/>\n</practice>",
                 4, "unknown user 'drwho' in care-team=");
}

TEST(PracticeFile, UnknownContactChartIsRefused) {
  expect_refused(kHead + "<portal-user id=\"x\" name=\"X\" kind=\"guardian\" contacts=\"p9\"/>\n</practice>",
                 4, "unknown patient 'p9' in contacts=");
}

TEST(PracticeFile, BadBooleanIsRefused) {
  expect_refused(kHead + "<user id=\"a\" name=\"A\" active=\"yes\"/>\n</practice>", 4,
                 "active= on <user> must be true or false, not 'yes'");
}

TEST(PracticeFile, MissingNameIsRefused) {
  expect_refused(kHead + "<user id=\"a\"/>\n</practice>", 4, "needs a non-empty name=");
}

TEST(PracticeFile, MasterPatientNeedsALocation) {
  expect_refused(kHead + "<patient id=\"p\" name=\"P\"/>\n</practice>", 4,
                 "needs location= in a master instance");
}

TEST(PracticeFile, SingleInstanceWithLocationsIsRefused) {
  expect_refused(
      "<practice master=\"false\">\n<company name=\"Co\"/>\n<location id=\"n\" name=\"N\"/>\n</practice>", 3,
      "a single instance (master=\"false\") has no locations");
}

TEST(PracticeFile, MissingCompanyIsRefused) {
  expect_refused("<practice>\n</practice>", 1, "needs a <company>");
}

TEST(PracticeFile, UnknownElementInsideAnElementIsRefused) {
  expect_refused(kHead + "<user id=\"u\" name=\"U\">\n<tracker/><tracker/>\n</user>\n</practice>", 5,
                 "unknown element <tracker> inside <user>");
}

TEST(PracticeFile, OversizedAttributeIsRefused) {
  expect_refused(kHead + "<user id=\"u\" name=\"" + std::string(5000, 'x') + "\"/>\n</practice>", 4,
                 "name= on <user> is longer than 4096 bytes");
}

TEST(PracticeFile, R_SEC_1_ControlCharactersAreRefusedAlsoAsReferences) {
  expect_refused(kHead + "<user id=\"u\" name=\"A&#27;[2J\"/>\n</practice>", 4,
                 "the character reference &#27; is a control character");
  expect_refused(kHead + "<user id=\"u\" name=\"Cut&#0;here\"/>\n</practice>", 4,
                 "&#0; is a control character");
  expect_refused(kHead + "<user id=\"u\" name=\"A&#x202e;B\"/>\n</practice>", 4, "&#x202e; is a control");
  expect_refused(kHead +
                     "<user id=\"u\" name=\"A\xc2\x9b"
                     "B\"/>\n</practice>",
                 4, "a control or bidirectional formatting character");
  expect_refused(kHead +
                     "<user id=\"u\" name=\"A\x1b"
                     "B\"/>\n</practice>",
                 4, "a control or bidirectional formatting character");
}

}  // namespace
}  // namespace ehr::sample

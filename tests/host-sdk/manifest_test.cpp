// The manifest validator: what it accepts, and for each kind of mistake the file, line and field
// it names. (tests/host-sdk/CMakeLists.txt also validates the same samples with xmllint against
// manifests/plugin-manifest.xsd, so the two agree.)
#include "ehr/host/manifest.hpp"

#include <gtest/gtest.h>

#include <regex>

#include "support/scratch.hpp"

namespace ehr::host {
namespace {

const std::string kGood = R"(<?xml version="1.0" encoding="UTF-8"?>
<plugin id="portal-messaging" version="0.1.0">
  <name>Patient Portal My Messages</name>
  <vendor>portal-messaging</vendor>
  <description>Secure messaging between care teams and portal users.</description>
  <library file="portal_messaging.so" sha256="0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"/>
  <abi min="1.0" max="1.0"/>
  <settings-schema file="portal-settings.xml"/>
  <roles>
    <role id="manage_portal_settings" label="Manage Portal Settings"/>
    <role id="available_for_portal_messages" label="Available for portal messages"/>
  </roles>
  <hooks><hook point="before_store"/><hook point="after_store"/><hook point="on_read"/><hook point="settings_changed"/></hooks>
  <host-services><service name="notify"/><service name="audit"/></host-services>
</plugin>
)";

const std::filesystem::path kFile = "/opt/ehr/plugins/portal-messaging.plugin.xml";

TEST(Manifest, ReadsEveryFieldOfTheDocumentedFormat) {
  const ManifestResult result = parse_manifest(kGood, kFile);
  ASSERT_TRUE(result) << result.status();
  const Manifest& m = result.manifest();
  EXPECT_EQ(m.id, "portal-messaging");
  EXPECT_EQ(m.version, "0.1.0");
  EXPECT_EQ(m.name, "Patient Portal My Messages");
  EXPECT_EQ(m.vendor, "portal-messaging");
  EXPECT_EQ(m.library, "/opt/ehr/plugins/portal_messaging.so") << "relative to the manifest's folder";
  EXPECT_EQ(m.library_sha256, "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef");
  EXPECT_EQ(m.abi_min, EHR_MAKE_VERSION(1, 0));
  EXPECT_EQ(m.abi_max, EHR_MAKE_VERSION(1, 0));
  ASSERT_TRUE(m.settings_schema);
  EXPECT_EQ(*m.settings_schema, "/opt/ehr/plugins/portal-settings.xml");
  ASSERT_EQ(m.roles.size(), 2u);
  EXPECT_EQ(m.roles[1].id, "available_for_portal_messages");
  EXPECT_EQ(m.roles[1].label, "Available for portal messages");
  EXPECT_EQ(m.hook_points,
            (std::vector<std::string>{"before_store", "after_store", "on_read", "settings_changed"}));
  EXPECT_EQ(m.host_services, (std::vector<std::string>{"notify", "audit"}));
  EXPECT_FALSE(m.signature);
}

TEST(Manifest, ReadsASignature) {
  const std::string signed_manifest =
      std::regex_replace(kGood, std::regex("</plugin>"),
                         R"(<signature key-id="release-2026" ed25519="c2lnbmF0dXJl"/></plugin>)");
  const ManifestResult result = parse_manifest(signed_manifest, kFile);
  ASSERT_TRUE(result) << result.status();
  ASSERT_TRUE(result.manifest().signature);
  EXPECT_EQ(result.manifest().signature->key_id, "release-2026");
}

struct BadCase {
  const char* name;
  const char* pattern;  // regex replaced in kGood
  const char* replacement;
  ManifestProblem::Kind kind;
  std::size_t line;
  const char* field;
};

// Names the case in ctest's listing instead of dumping its bytes.
void PrintTo(const BadCase& c, std::ostream* out) {
  *out << c.name;
}

class BadManifest : public ::testing::TestWithParam<BadCase> {};

TEST_P(BadManifest, IsRefusedNamingFileLineAndField) {
  const BadCase& c = GetParam();
  const std::string text = std::regex_replace(kGood, std::regex(c.pattern), c.replacement);
  ASSERT_NE(text, kGood) << "the case must change the manifest";
  const ManifestResult result = parse_manifest(text, kFile);
  ASSERT_FALSE(result);
  const ManifestProblem& problem = result.problem();
  EXPECT_EQ(problem.kind, c.kind) << problem.what;
  EXPECT_EQ(problem.line, c.line) << problem.what;
  EXPECT_EQ(problem.field, c.field) << problem.what;
  EXPECT_EQ(problem.file, kFile);
  const Status status = result.status();
  EXPECT_EQ(status.code(), EHR_STATUS_INVALID_ARGUMENT);
  EXPECT_NE(status.message().find(kFile.string() + ":" + std::to_string(c.line) + ":"), std::string::npos)
      << status;
}

using Kind = ManifestProblem::Kind;
INSTANTIATE_TEST_SUITE_P(
    Cases, BadManifest,
    ::testing::Values(
        BadCase{"NotWellFormed", "<abi min=\"1.0\" max=\"1.0\"/>", "<abi min=\"1.0\" max=\"1.0\">",
                Kind::not_well_formed, 15, ""},
        BadCase{"WrongRoot", "<plugin id", "<module id", Kind::not_well_formed, 15, ""},
        BadCase{"UnknownElement", "  <vendor>", "  <owner/>\n  <vendor>", Kind::invalid, 4, "owner"},
        BadCase{"UnknownAttribute", "<abi min", "<abi best=\"yes\" min", Kind::invalid, 7, "abi/@best"},
        BadCase{"MissingName", "  <name>Patient Portal My Messages</name>\n", "", Kind::invalid, 2, "name"},
        BadCase{"MissingLibrary", "  <library [^\n]*\n", "", Kind::invalid, 2, "library"},
        BadCase{"MissingId", " id=\"portal-messaging\"", "", Kind::invalid, 2, "plugin/@id"},
        BadCase{"BadId", "id=\"portal-messaging\"", "id=\"Portal Messaging\"", Kind::invalid, 2, "@id"},
        BadCase{"ShortChecksum", "sha256=\"0123456789abcdef", "sha256=\"", Kind::invalid, 6,
                "library/@sha256"},
        BadCase{"UppercaseChecksum", "sha256=\"0123456789abcdef", "sha256=\"0123456789ABCDEF", Kind::invalid,
                6, "library/@sha256"},
        BadCase{"AbsoluteLibrary", "file=\"portal_messaging.so\"", "file=\"/tmp/evil.so\"", Kind::invalid, 6,
                "library/@file"},
        BadCase{"LibraryOutsideTheFolder", "file=\"portal_messaging.so\"", "file=\"../evil.so\"",
                Kind::invalid, 6, "library/@file"},
        BadCase{"BadAbiVersion", "min=\"1.0\"", "min=\"one\"", Kind::invalid, 7, "abi/@min"},
        BadCase{"AbiRangeBackwards", "max=\"1.0\"", "max=\"0.9\"", Kind::invalid, 7, "abi/@min"},
        BadCase{"AbiRangeAcrossMajors", "max=\"1.0\"", "max=\"2.0\"", Kind::invalid, 7, "abi/@max"},
        BadCase{"OutOfOrder",
                "  <abi min=\"1.0\" max=\"1.0\"/>\n  <settings-schema file=\"portal-settings.xml\"/>",
                "  <settings-schema file=\"portal-settings.xml\"/>\n  <abi min=\"1.0\" max=\"1.0\"/>",
                Kind::invalid, 8, "abi"},
        BadCase{"Twice", "  <vendor>portal-messaging</vendor>\n",
                "  <vendor>portal-messaging</vendor>\n  <vendor>again</vendor>\n", Kind::invalid, 5,
                "vendor"},
        BadCase{"DuplicateRole", "id=\"available_for_portal_messages\"", "id=\"manage_portal_settings\"",
                Kind::invalid, 11, "roles/role/@id"},
        BadCase{"RoleWithoutLabel", " label=\"Manage Portal Settings\"", "", Kind::invalid, 10,
                "roles/role/@label"},
        BadCase{"UnknownHookPoint", "point=\"on_read\"", "point=\"on_delete\"", Kind::invalid, 13,
                "hooks/hook/@point"},
        BadCase{"TextWhereNoneBelongs", "<abi min=\"1.0\" max=\"1.0\"/>",
                "<abi min=\"1.0\" max=\"1.0\">x</abi>", Kind::invalid, 7, "abi"}),
    [](const ::testing::TestParamInfo<BadCase>& info) { return info.param.name; });

// The same files xmllint refuses against manifests/plugin-manifest.xsd (see CMakeLists.txt).
TEST(Manifest, RefusesEveryBadFixtureManifestAsTheXsdDoes) {
  const auto folder = testing::fixture_manifest("");
  int checked = 0;
  for (const auto& file : std::filesystem::directory_iterator(folder)) {
    const ManifestResult result = load_manifest(file.path());
    EXPECT_FALSE(result) << file.path() << " was accepted";
    if (!result) {
      EXPECT_GT(result.problem().line, 0u) << result.status();
    }
    ++checked;
  }
  EXPECT_GE(checked, 4);
}

TEST(Manifest, AMissingFileIsNotFound) {
  const ManifestResult result = load_manifest("/nonexistent/x.plugin.xml");
  ASSERT_FALSE(result);
  EXPECT_EQ(result.problem().kind, ManifestProblem::Kind::missing);
  EXPECT_EQ(result.status().code(), EHR_STATUS_NOT_FOUND);
}

TEST(Manifest, OversizedInputIsRefusedBeforeParsing) {
  const std::string huge = "<plugin>" + std::string(2 << 20, ' ') + "</plugin>";
  const ManifestResult result = parse_manifest(huge, kFile);
  ASSERT_FALSE(result);
  EXPECT_NE(result.problem().what.find("larger than"), std::string::npos);
}

TEST(Manifest, AbiVersionsParseAndPrint) {
  EXPECT_EQ(parse_abi_version("1.0"), EHR_MAKE_VERSION(1, 0));
  EXPECT_EQ(parse_abi_version("2.15"), EHR_MAKE_VERSION(2, 15));
  EXPECT_FALSE(parse_abi_version("1"));
  EXPECT_FALSE(parse_abi_version("1."));
  EXPECT_FALSE(parse_abi_version(".1"));
  EXPECT_FALSE(parse_abi_version("1.0.0"));
  EXPECT_FALSE(parse_abi_version("70000.0"));
  EXPECT_EQ(format_abi_version(EHR_MAKE_VERSION(1, 5)), "1.5");
}

}  // namespace
}  // namespace ehr::host

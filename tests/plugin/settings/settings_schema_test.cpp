#include "settings/settings_schema.hpp"

#include <gtest/gtest.h>

#include <string>

#include "common/error.hpp"

namespace ehr::portal {
namespace {

SettingsSchema shipped() {
  return SettingsSchema::load_file(PORTAL_SETTINGS_SCHEMA);
}

std::string refusal(const std::string& xml) {
  try {
    (void)SettingsSchema::parse(xml, "bad.xml");
  } catch (const Error& e) {
    EXPECT_EQ(e.code(), EHR_STATUS_INVALID_ARGUMENT);
    return e.what();
  }
  ADD_FAILURE() << "the schema was accepted";
  return {};
}

constexpr const char* kHead = R"(<?xml version="1.0"?>
<settings-schema id="portal" version="1" title="Portal Settings" required-role="manage_portal_settings">
  <section id="general" scope="general" title="General"/>
)";
constexpr const char* kTail = R"(
  <limit key="message_body_max_chars" value="10000"><label>Limit</label></limit>
</settings-schema>
)";

std::string with_fields(const std::string& fields) {
  return kHead + fields + kTail;
}

TEST(SettingsSchema, ShippedGeneralSectionHasMyMessagesAndAudience) {  // R-SET-2
  const auto schema = shipped();
  EXPECT_EQ(schema.section(SettingScope::general).title, "General");
  std::vector<const FieldSpec*> fields;
  for (const FieldSpec* field : schema.fields(SettingScope::general)) {
    if (schema.section_of(*field, SettingScope::general).id == "general") fields.push_back(field);
  }
  ASSERT_EQ(fields.size(), 2u);
  EXPECT_EQ(fields[0]->key, "my_messages");
  EXPECT_EQ(fields[0]->type, FieldType::boolean);
  EXPECT_EQ(fields[0]->label, "My Messages");
  EXPECT_EQ(fields[0]->default_value, "off");
  EXPECT_EQ(fields[1]->key, "audience");
  EXPECT_EQ(fields[1]->type, FieldType::choice);
  EXPECT_EQ(fields[1]->default_value, "care_team_only");
  ASSERT_EQ(fields[1]->choices.size(), 2u);
  EXPECT_EQ(fields[1]->choices[0].value, "care_team_only");
  EXPECT_EQ(fields[1]->choices[0].label, "Care Team only");
  EXPECT_EQ(fields[1]->choices[1].value, "selected_users");
  EXPECT_EQ(fields[1]->choices[1].label, "Selected users");
  for (const FieldSpec* field : fields) {
    EXPECT_FALSE(field->help.empty()) << field->key;
    EXPECT_EQ(field->required_role, "manage_portal_settings");
  }
}

TEST(SettingsSchema, ShippedLocationSectionAddsUseLocationInformation) {  // R-SET-4
  const auto schema = shipped();
  EXPECT_EQ(schema.section(SettingScope::location).title, "Location Settings");
  auto fields = schema.fields(SettingScope::location);
  ASSERT_EQ(fields.size(), 3u);
  EXPECT_EQ(fields[2]->key, "use_location_information");
  EXPECT_EQ(fields[2]->label, "Use Location Information");
  EXPECT_EQ(fields[2]->default_value, "off");
  EXPECT_FALSE(fields[2]->in(SettingScope::general));
}

TEST(SettingsSchema, ShippedMessageBodyLimitIsTenThousandCharacters) {
  EXPECT_EQ(shipped().message_body_max_chars(), 10000);
}

TEST(SettingsSchema, BooleansAreWrittenOnOffTrueFalse) {  // R-SET-2
  const auto schema = shipped();
  const FieldSpec* field = schema.find_field("my_messages");
  ASSERT_NE(field, nullptr);
  EXPECT_EQ(field->normalize("on"), "on");
  EXPECT_EQ(field->normalize("TRUE"), "on");
  EXPECT_EQ(field->normalize("Off"), "off");
  EXPECT_EQ(field->normalize("false"), "off");
  EXPECT_THROW((void)field->normalize("yes please"), Error);
  EXPECT_THROW((void)field->normalize(""), Error);
}

TEST(SettingsSchema, NotWellFormedNamesFileAndLine) {
  const auto message =
      refusal(with_fields("<field key=\"a\" type=\"bool\" scope=\"general\" default=\"off\">\n"));
  EXPECT_NE(message.find("bad.xml:"), std::string::npos) << message;
  EXPECT_NE(message.find("not well-formed"), std::string::npos) << message;
}

TEST(SettingsSchema, UnknownElementIsNamedWithItsLine) {
  const auto message = refusal(with_fields(
      "<field key=\"a\" type=\"bool\" scope=\"general\" default=\"off\"><label>A</label></field>\n"
      "  <colour/>"));
  EXPECT_NE(message.find("bad.xml:5"), std::string::npos) << message;
  EXPECT_NE(message.find("<colour>"), std::string::npos) << message;
}

TEST(SettingsSchema, MissingFieldPartsAreNamed) {
  EXPECT_NE(
      refusal(with_fields("<field type=\"bool\" scope=\"general\" default=\"off\"><label>A</label></field>"))
          .find("'key'"),
      std::string::npos);
  EXPECT_NE(refusal(with_fields("<field key=\"a\" type=\"bool\" scope=\"general\" default=\"off\"/>"))
                .find("<label>"),
            std::string::npos);
  EXPECT_NE(refusal(with_fields("<field key=\"a\" type=\"choice\" scope=\"general\" default=\"x\">"
                                "<label>A</label></field>"))
                .find("no <choice>"),
            std::string::npos);
}

TEST(SettingsSchema, WrongTypesAndValuesAreNamed) {
  EXPECT_NE(refusal(with_fields("<field key=\"a\" type=\"colour\" scope=\"general\" default=\"off\">"
                                "<label>A</label></field>"))
                .find("unknown field type 'colour'"),
            std::string::npos);
  EXPECT_NE(refusal(with_fields("<field key=\"a\" type=\"bool\" scope=\"general\" default=\"maybe\">"
                                "<label>A</label></field>"))
                .find("invalid default"),
            std::string::npos);
  EXPECT_NE(refusal(with_fields("<field key=\"a\" type=\"bool\" scope=\"planet\" default=\"on\">"
                                "<label>A</label></field>"))
                .find("unknown scope 'planet'"),
            std::string::npos);
  EXPECT_NE(refusal(with_fields("<field key=\"a\" type=\"int\" scope=\"general\" default=\"5\" max=\"lots\">"
                                "<label>A</label></field>"))
                .find("integer"),
            std::string::npos);
}

TEST(SettingsSchema, DuplicateKeyIsRefused) {
  const std::string field =
      "<field key=\"a\" type=\"bool\" scope=\"general\" default=\"off\"><label>A</label></field>";
  EXPECT_NE(refusal(with_fields(field + field)).find("declared twice"), std::string::npos);
}

TEST(SettingsSchema, IntAndStringFieldsAreBounded) {
  const auto schema = SettingsSchema::parse(
      with_fields("<field key=\"days\" type=\"int\" scope=\"general\" default=\"7\" min=\"1\" max=\"30\">"
                  "<label>Days</label></field>"
                  "<field key=\"greeting\" type=\"string\" scope=\"general\" default=\"Hi\" max=\"5\">"
                  "<label>Greeting</label></field>"),
      "ok.xml");
  const FieldSpec* days = schema.find_field("days");
  EXPECT_EQ(days->normalize("30"), "30");
  EXPECT_THROW((void)days->normalize("31"), Error);
  EXPECT_THROW((void)days->normalize("7 days"), Error);
  const FieldSpec* greeting = schema.find_field("greeting");
  EXPECT_EQ(greeting->normalize("Hallo"), "Hallo");
  EXPECT_EQ(greeting->normalize("Grüße"), "Grüße");  // five characters, seven bytes
  EXPECT_THROW((void)greeting->normalize("Hello!"), Error);
  EXPECT_THROW((void)greeting->normalize("\xff"), Error);
}

TEST(SettingsSchema, ShippedNotificationTemplatesAreGeneralTextWithPlaceholders) {  // R-BRAND-*
  const auto schema = shipped();
  EXPECT_EQ(schema.section_of(*schema.find_field("my_messages"), SettingScope::general).id, "general");
  for (const char* key : {"new_message_subject", "new_message_text", "new_message_html", "invitation_subject",
                          "invitation_text", "invitation_html"}) {
    SCOPED_TRACE(key);
    const FieldSpec* field = schema.find_field(key);
    ASSERT_NE(field, nullptr);
    EXPECT_EQ(schema.section_of(*field, SettingScope::general).title, "Notifications");
    EXPECT_FALSE(field->in(SettingScope::location));
    EXPECT_TRUE(field->uses_placeholders);
    EXPECT_NE(field->default_value.find("{{brand_name}}"), std::string::npos);
  }
}

TEST(SettingsSchema, TemplatePlaceholdersComeFromTheAllowListOnly) {  // R-BRAND-4
  const auto schema = shipped();
  const FieldSpec* text = schema.find_field("new_message_text");
  EXPECT_EQ(text->normalize("{{brand_name}} at {{brand_phone}}: {{sign_in_link}}"),
            "{{brand_name}} at {{brand_phone}}: {{sign_in_link}}");
  try {
    (void)text->normalize("Dear {{patient_name}}, {{message_body}}");
    FAIL() << "an unknown placeholder must be refused";
  } catch (const Error& e) {
    EXPECT_EQ(e.field(), "new_message_text");
    EXPECT_NE(std::string(e.what()).find("{{patient_name}}"), std::string::npos) << e.what();
  }
  EXPECT_THROW((void)text->normalize("Hello {{brand_name"), Error);
  // A field without placeholders takes braces as plain text.
  const auto plain =
      SettingsSchema::parse(with_fields("<field key=\"motto\" type=\"string\" scope=\"general\" "
                                        "default=\"{{x}}\"><label>M</label></field>"),
                            "ok.xml");
  EXPECT_EQ(plain.find_field("motto")->normalize("{{anything}}"), "{{anything}}");
}

TEST(SettingsSchema, MissingFileIsNamed) {
  try {
    (void)SettingsSchema::load_file("/nonexistent/portal-settings.xml");
    FAIL();
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("/nonexistent/portal-settings.xml"), std::string::npos);
  }
}

}  // namespace
}  // namespace ehr::portal

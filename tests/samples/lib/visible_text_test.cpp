// What the reference host prints of untrusted text (R-SEC-1).
#include "visible_text.hpp"

#include <gtest/gtest.h>

namespace ehr::sample {
namespace {

TEST(VisibleText, R_SEC_1_ControlsAreShownAsEscapesAndPlainTextIsUnchanged) {
  EXPECT_EQ(visible_controls("Grüße,\n\tMaria"), "Grüße,\n\tMaria");
  EXPECT_EQ(visible_controls("a\rb\x1b[2J\x7f"), "a\\rb\\x1b[2J\\x7f");
  EXPECT_EQ(visible_controls("a\xc2\x9b"
                             "b\xe2\x80\xae"
                             "c\xe2\x81\xa9"),
            "a\\u009bb\\u202ec\\u2069");
  EXPECT_EQ(visible_controls("bad \xff byte"), "bad \\xff byte");
}

TEST(VisibleText, R_SEC_1_JsonKeepsItsValueWithoutRawControls) {
  EXPECT_EQ(json_without_raw_controls("{\"s\": \"a\xc2\x9b"
                                      "b\xe2\x80\xae\"}"),
            "{\"s\": \"a\\u009bb\\u202e\"}");
  EXPECT_EQ(json_without_raw_controls("{\"s\": \"Grüße\"}"), "{\"s\": \"Grüße\"}");
}

TEST(VisibleText, R_SEC_1_FirstControlFindsLineBreaksInSingleLineText) {
  EXPECT_EQ(first_control("Maria Alvarez"), std::string_view::npos);
  EXPECT_EQ(first_control("Maria\nAlvarez"), 5u);
  EXPECT_EQ(first_control("ab\xe2\x80\xae"), 2u);
}

}  // namespace
}  // namespace ehr::sample

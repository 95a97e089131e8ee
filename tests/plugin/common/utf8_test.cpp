#include "common/utf8.hpp"
#include "ehr/abi_support/text.hpp"

#include <gtest/gtest.h>

namespace ehr::portal {
namespace {

TEST(Utf8, CountsCharactersNotBytes) {
  EXPECT_EQ(ehr::abi_support::utf8_length(""), 0u);
  EXPECT_EQ(ehr::abi_support::utf8_length("abc"), 3u);
  EXPECT_EQ(ehr::abi_support::utf8_length("Grüße"), 5u);
  EXPECT_EQ(ehr::abi_support::utf8_length("\xF0\x9F\x98\x80"), 1u);  // an emoji, four bytes
}

TEST(Utf8, RefusesInvalidText) {
  EXPECT_FALSE(ehr::abi_support::utf8_length("\xff"));
  EXPECT_FALSE(ehr::abi_support::utf8_length("\xC3"));              // truncated
  EXPECT_FALSE(ehr::abi_support::utf8_length("\xC0\xAF"));          // overlong '/'
  EXPECT_FALSE(ehr::abi_support::utf8_length("\xED\xA0\x80"));      // a surrogate
  EXPECT_FALSE(ehr::abi_support::utf8_length("\xF4\x90\x80\x80"));  // above U+10FFFF
  EXPECT_FALSE(ehr::abi_support::utf8_length(std::string_view("a\x80", 2)));
}

TEST(InertText, R_SEC_1_BodiesHoldPrintableTextLineBreaksAndTabsOnly) {
  EXPECT_FALSE(find_text_fault("Dear Maria,\n\tGrüße \xF0\x9F\x98\x80", TextLines::multi));
  for (const std::string_view refused :
       {"a\rb", "a\x1b[2Jb", "a\x7f",
        "a\xc2\x9b"
        "b",
        "a\xc2\x85", "\xe2\x80\xaa", "\xe2\x80\xae", "\xe2\x81\xa6", "\xe2\x81\xa9"}) {
    const std::optional<TextFault> fault = find_text_fault(refused, TextLines::multi);
    ASSERT_TRUE(fault) << refused;
    EXPECT_EQ(fault->byte, refused.find_first_not_of("ab")) << refused;
    EXPECT_NE(fault->what.find("control character U+"), std::string::npos) << fault->what;
  }
  EXPECT_TRUE(find_text_fault(std::string_view("a\0b", 3), TextLines::multi));
  EXPECT_EQ(find_text_fault("\xc3", TextLines::multi)->what, "is not valid UTF-8 text");
}

TEST(InertText, R_SEC_1_SingleLineTextHoldsNoControlAtAll) {
  EXPECT_FALSE(find_text_fault("Your lab results \xe2\x80\x94 Grüße", TextLines::single));
  for (const std::string_view refused : {"a\nb", "a\tb", "a\rb"}) {
    const std::optional<TextFault> fault = find_text_fault(refused, TextLines::single);
    ASSERT_TRUE(fault) << refused;
    EXPECT_EQ(fault->byte, 1u);
    EXPECT_NE(fault->what.find("a single line of plain text"), std::string::npos) << fault->what;
  }
  EXPECT_NE(
      find_text_fault("\xe2\x80\xae", TextLines::single)->what.find("bidirectional control character U+202E"),
      std::string::npos);
}

}  // namespace
}  // namespace ehr::portal

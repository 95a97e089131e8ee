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

}  // namespace
}  // namespace ehr::portal

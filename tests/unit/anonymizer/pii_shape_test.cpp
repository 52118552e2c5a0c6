// pii_shape_test: which single values the leak scan searches outside their column: PII-shaped ones,
// by the init sniffers, and never short or common words, IPv4 addresses or plain numbers.
#include <gtest/gtest.h>

#include "understudy/anonymizer/pii_shape.hpp"

namespace understudy::anonymizer {
namespace {

TEST(PiiShape, PersonalDataByShape) {
    EXPECT_EQ(pii_shape_of("ann.lee@mail.example"), "email");
    EXPECT_EQ(pii_shape_of("  ann.lee@mail.example "), "email");
    EXPECT_EQ(pii_shape_of("+1-202-555-0147"), "phone");
    EXPECT_EQ(pii_shape_of("4111 1111 1111 1111"), "card_number");
    EXPECT_EQ(pii_shape_of("DE89 3704 0044 0532 0130 00"), "iban");
    EXPECT_EQ(pii_shape_of("2001:db8::1"), "ipv6");
}

TEST(PiiShape, CommonValuesAreNot) {
    for (const char* value : {"US", "1", "active", "Ann", "London", "Annabelle", "123456", "10.0.0.1", "127.0.0.1",
                              "2024-01-01", "true", "Ann from London was active in the US"}) {
        EXPECT_FALSE(pii_shape_of(value).has_value()) << value;
    }
}

}  // namespace
}  // namespace understudy::anonymizer

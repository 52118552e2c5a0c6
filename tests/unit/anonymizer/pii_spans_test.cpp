// Unit tests for the PII span finder behind `scrub`: each kind found inside prose with its word
// boundaries, and the dates, times, versions, ids and amounts it must leave alone.
#include <gtest/gtest.h>

#include <random>
#include <string>
#include <string_view>
#include <vector>

#include "understudy/anonymizer/pii_spans.hpp"

namespace understudy::anonymizer {
namespace {

/// `text` with each span shown as `[kind:substring]`: one readable string per example.
std::string marked(std::string_view text, ScrubKinds kinds = ScrubKinds::all()) {
    std::string out;
    std::size_t pos = 0;
    for (const PiiSpan& span : find_pii_spans(text, kinds)) {
        EXPECT_GE(span.begin, pos) << "spans overlap or go backwards in: " << text;
        out.append(text.substr(pos, span.begin - pos));
        out += '[';
        out += scrub_kind_name(span.kind);
        out += ':';
        out.append(text.substr(span.begin, span.length));
        out += ']';
        pos = span.begin + span.length;
    }
    out.append(text.substr(pos));
    return out;
}

/// No span at all in `text`.
void expect_nothing(std::string_view text) {
    EXPECT_EQ(marked(text), std::string(text));
}

TEST(PiiSpanKinds, NamesRoundTripAndSetsHoldTheirKinds) {
    for (ScrubKind kind : k_scrub_kinds) EXPECT_EQ(parse_scrub_kind(scrub_kind_name(kind)), kind);
    EXPECT_EQ(parse_scrub_kind("emails"), std::nullopt);
    EXPECT_EQ(parse_scrub_kind("all"), std::nullopt);
    EXPECT_EQ(scrub_kind_names(), "email, phone, ipv4, ipv6, credit_card, iban, url");
    ScrubKinds some = ScrubKinds().with(ScrubKind::email).with(ScrubKind::iban);
    EXPECT_TRUE(some.contains(ScrubKind::email));
    EXPECT_TRUE(some.contains(ScrubKind::iban));
    EXPECT_FALSE(some.contains(ScrubKind::phone));
    EXPECT_TRUE(ScrubKinds().empty());
    for (ScrubKind kind : k_scrub_kinds) EXPECT_TRUE(ScrubKinds::all().contains(kind));
}

TEST(PiiSpans, EmptyTextAndNoKindsFindNothing) {
    EXPECT_TRUE(find_pii_spans("", ScrubKinds::all()).empty());
    EXPECT_TRUE(find_pii_spans("mail john@example.com", ScrubKinds()).empty());
}

TEST(PiiSpans, EmailsInsideProse) {
    EXPECT_EQ(marked("write to john.doe@example.com for details"), "write to [email:john.doe@example.com] for details");
    EXPECT_EQ(marked("john@example.com"), "[email:john@example.com]");
    EXPECT_EQ(marked("mail me: a.b+tag@mail.example.co.uk."), "mail me: [email:a.b+tag@mail.example.co.uk].");
    EXPECT_EQ(marked("(jane_doe@example.org)"), "([email:jane_doe@example.org])");
    EXPECT_EQ(marked("<jane@example.org>, 'bob@example.net'"), "<[email:jane@example.org]>, '[email:bob@example.net]'");
    EXPECT_EQ(marked("mailto:jane@example.org?subject=hi"), "mailto:[email:jane@example.org]?subject=hi");
    EXPECT_EQ(marked("email=jane@example.org&x=1"), "email=[email:jane@example.org]&x=1");
    EXPECT_EQ(marked("a@example.com,b@example.com;c@example.com"),
              "[email:a@example.com],[email:b@example.com];[email:c@example.com]");
    EXPECT_EQ(marked("«josé@exemple.fr»"), "«[email:josé@exemple.fr]»");
    EXPECT_EQ(marked("“anna@bücher.de”"), "“[email:anna@bücher.de]”");
    EXPECT_EQ(marked("..john@example.com"), "..[email:john@example.com]");
    EXPECT_EQ(marked("LATIN1 \xABjane@example.org\xBB"), "LATIN1 \xAB[email:jane@example.org]\xBB");
    EXPECT_EQ(marked("Contact: Support@Example.COM!"), "Contact: [email:Support@Example.COM]!");
}

TEST(PiiSpans, NotEmails) {
    expect_nothing("@john said hi");
    expect_nothing("meet @ noon");
    expect_nothing("john@localhost");
    expect_nothing("user@host.c");
    expect_nothing("price: 3 @ $4.50");
    expect_nothing("a@b@c");
    expect_nothing("foo@bar.123");
}

TEST(PiiSpans, Phones) {
    EXPECT_EQ(marked("call +1 555 123 4567 today"), "call [phone:+1 555 123 4567] today");
    EXPECT_EQ(marked("call +33 6 12 34 56 78."), "call [phone:+33 6 12 34 56 78].");
    EXPECT_EQ(marked("tel (555) 123-4567, ask for Jo"), "tel [phone:(555) 123-4567], ask for Jo");
    EXPECT_EQ(marked("US: 555-123-4567 or 555.123.4568"), "US: [phone:555-123-4567] or [phone:555.123.4568]");
    EXPECT_EQ(marked("mobile 06.12.34.56.78"), "mobile [phone:06.12.34.56.78]");
    EXPECT_EQ(marked("Tel:0612345678"), "Tel:[phone:0612345678]");
    EXPECT_EQ(marked("Büro 030 1234567, Handy 0171/1234567"), "Büro [phone:030 1234567], Handy [phone:0171/1234567]");
    EXPECT_EQ(marked("numbers 0612345678 0698765432"), "numbers [phone:0612345678] [phone:0698765432]");
    EXPECT_EQ(marked("+49 (0) 30 1234567"), "[phone:+49 (0) 30 1234567]");
    EXPECT_EQ(marked("UK 020 7946 0958"), "UK [phone:020 7946 0958]");
    EXPECT_EQ(marked("1 555 123 4567"), "[phone:1 555 123 4567]");
    EXPECT_EQ(marked("\"+447911123456\""), "\"[phone:+447911123456]\"");
    EXPECT_EQ(marked("(0612345678)"), "([phone:0612345678])");
    EXPECT_EQ(marked("phone:+33612345678,fax:+33698765432"), "phone:[phone:+33612345678],fax:[phone:+33698765432]");
}

TEST(PiiSpans, DatesTimesVersionsIdsAndAmountsAreNotPhones) {
    expect_nothing("on 2024-01-15 at 10:30");
    expect_nothing("from 2024-01-15 - 2024-02-15");
    expect_nothing("2024-01-15T10:30:00Z");
    expect_nothing("due 15/01/2024 or 15.01.2024");
    expect_nothing("01/02/24 12:00");
    expect_nothing("version 1.2.3 and 10.0.19045.2965 and 0.9.12.345");
    expect_nothing("order #12345678901 and ?id=0612345678");
    expect_nothing("v0612345678 and ref-0612345678 and x_0612345678");
    expect_nothing("uuid 550e8400-e29b-41d4-a716-446655440000");
    expect_nothing("total 12.345.678 EUR, or 12 345 678 EUR, or 1,234,567.89 USD");
    expect_nothing("0.12345678 and 3.14159265");
    expect_nothing("rooms 101 102 103 and pages 12 13 14 15");
    expect_nothing("1 2 3 4 5 6 7 8 9 10");
    expect_nothing("0 1 2 3 4 5 6 7 8 9");
    expect_nothing("timestamp 20240115103000 and id 1234567890");
    expect_nothing("ISBN 978-3-16-148410-0");
    expect_nothing("12345678px wide");
    expect_nothing("sha 3f5a9c0e12345678");
    expect_nothing("98765 43210");  // a documented limit: no +, 0 or (area), not 3-3-4
}

TEST(PiiSpans, IpAddresses) {
    EXPECT_EQ(marked("login from 192.168.1.20 failed"), "login from [ipv4:192.168.1.20] failed");
    EXPECT_EQ(marked("db at 10.0.0.1:5432."), "db at [ipv4:10.0.0.1]:5432.");
    EXPECT_EQ(marked("range 10.0.0.1-10.0.0.255"), "range [ipv4:10.0.0.1]-[ipv4:10.0.0.255]");
    EXPECT_EQ(marked("client 2001:db8::8a2e:370:7334 connected"), "client [ipv6:2001:db8::8a2e:370:7334] connected");
    EXPECT_EQ(marked("[2001:0db8:85a3:0000:0000:8a2e:0370:7334]:443"),
              "[[ipv6:2001:0db8:85a3:0000:0000:8a2e:0370:7334]]:443");
    EXPECT_EQ(marked("mapped ::ffff:192.0.2.128 here"), "mapped [ipv6:::ffff:192.0.2.128] here");
    EXPECT_EQ(marked("link fe80::1ff:fe23:4567:890a: down"), "link [ipv6:fe80::1ff:fe23:4567:890a]: down");
}

TEST(PiiSpans, NotIpAddresses) {
    expect_nothing("version 1.2.3.4.5");
    expect_nothing("v1.2.3.4");
    expect_nothing("300.1.2.3 and 1.2.3");
    expect_nothing("std::string and std::vector<int>");
    expect_nothing("a::b and :: alone and ::1");
    expect_nothing("at 10:30:00 and 12:30");
    expect_nothing("mac 00:1a:2b:3c:4d:5e");
    expect_nothing("Note: deadbeef:cafe");
}

TEST(PiiSpans, CardNumbersPassingLuhn) {
    EXPECT_EQ(marked("card 4111 1111 1111 1111 exp 12/27"), "card [credit_card:4111 1111 1111 1111] exp 12/27");
    EXPECT_EQ(marked("card 4111-1111-1111-1111."), "card [credit_card:4111-1111-1111-1111].");
    EXPECT_EQ(marked("amex 378282246310005"), "amex [credit_card:378282246310005]");
    EXPECT_EQ(marked("paid with 5555555555554444, thanks"), "paid with [credit_card:5555555555554444], thanks");
    expect_nothing("card 4111 1111 1111 1112");  // Luhn fails
    expect_nothing("id 9111111111111111");       // no card network starts with 9
}

TEST(PiiSpans, Ibans) {
    EXPECT_EQ(marked("IBAN DE89 3704 0044 0532 0130 00 please"), "IBAN [iban:DE89 3704 0044 0532 0130 00] please");
    EXPECT_EQ(marked("iban: DE89370400440532013000."), "iban: [iban:DE89370400440532013000].");
    EXPECT_EQ(marked("to GB82 WEST 1234 5698 7654 32 by Friday"), "to [iban:GB82 WEST 1234 5698 7654 32] by Friday");
    EXPECT_EQ(marked("AT61 1904 3002 3457 3201 and more"), "[iban:AT61 1904 3002 3457 3201] and more");
    EXPECT_EQ(marked("fr7630006000011234567890189"), "[iban:fr7630006000011234567890189]");
    expect_nothing("DE89 3704 0044 0532 0130 01");  // mod-97 fails
    expect_nothing("AB12 is a code, so is XY99");
    expect_nothing("xDE89370400440532013000");
}

TEST(PiiSpans, Urls) {
    EXPECT_EQ(marked("see https://example.org/users/42?ref=mail."), "see [url:https://example.org/users/42?ref=mail].");
    EXPECT_EQ(marked("(see http://example.org/a_(b))."), "(see [url:http://example.org/a_(b)]).");
    EXPECT_EQ(marked("(docs: https://example.org/x)"), "(docs: [url:https://example.org/x])");
    EXPECT_EQ(marked("visit www.example.com, or WWW.Example.org!"),
              "visit [url:www.example.com], or [url:WWW.Example.org]!");
    EXPECT_EQ(marked("<https://example.org/a>"), "<[url:https://example.org/a]>");
    EXPECT_EQ(marked("ftp://files.example.org/f.txt"), "[url:ftp://files.example.org/f.txt]");
    EXPECT_EQ(marked("https://x.org/?u=jane@example.org&ip=10.0.0.1"),
              "[url:https://x.org/?u=jane@example.org&ip=10.0.0.1]");
    expect_nothing("http:// alone, www. alone, www.example and thehttp://x");
    expect_nothing("the www is big");
}

TEST(PiiSpans, OnlyTheChosenKinds) {
    const std::string text = "jane@example.org +1 555 123 4567 10.0.0.1 https://example.org/?u=bob@example.net";
    const ScrubKinds emails = ScrubKinds().with(ScrubKind::email);
    EXPECT_EQ(marked(text, emails),
              "[email:jane@example.org] +1 555 123 4567 10.0.0.1 https://example.org/?u=[email:bob@example.net]");
    const ScrubKinds phones_and_ips = ScrubKinds().with(ScrubKind::phone).with(ScrubKind::ipv4);
    EXPECT_EQ(marked(text, phones_and_ips),
              "jane@example.org [phone:+1 555 123 4567] [ipv4:10.0.0.1] https://example.org/?u=bob@example.net");
    // Each kind alone finds what all kinds find of it, when no span of another kind holds it.
    const std::string comment =
        "Customer jane.doe@example.com called from +44 20 7946 0958 (ip 10.1.2.3, 2001:db8::1:7) on 2024-03-01; "
        "refund to DE89 3704 0044 0532 0130 00 or card 4111 1111 1111 1111, see www.example.com/o/10023 now";
    const std::vector<PiiSpan> every = find_pii_spans(comment, ScrubKinds::all());
    EXPECT_EQ(every.size(), 7u) << marked(comment);
    for (ScrubKind kind : k_scrub_kinds) {
        std::vector<PiiSpan> expected;
        for (const PiiSpan& span : every) {
            if (span.kind == kind) expected.push_back(span);
        }
        EXPECT_EQ(find_pii_spans(comment, ScrubKinds().with(kind)), expected) << scrub_kind_name(kind);
    }
    // Without phones, the digits of a phone are no card either.
    EXPECT_EQ(marked("+1 555 123 4567", ScrubKinds().with(ScrubKind::credit_card)), "+1 555 123 4567");
}

TEST(PiiSpans, MixedCommentKeepsEverythingElse) {
    EXPECT_EQ(
        marked("Customer jane.doe@example.com called from +44 20 7946 0958 on 2024-03-01 about order "
               "#10023 (v2.4.1); refund to DE89 3704 0044 0532 0130 00, see https://shop.example.com/o/10023"),
        "Customer [email:jane.doe@example.com] called from [phone:+44 20 7946 0958] on 2024-03-01 about order "
        "#10023 (v2.4.1); refund to [iban:DE89 3704 0044 0532 0130 00], see [url:https://shop.example.com/o/10023]");
    expect_nothing("Thanks for the quick fix! The export works again; closing this.");
    expect_nothing("tab\tand\nnewline and back\\slash");
}

// Random texts made of the pieces candidates are built from: spans stay inside the text, in order,
// apart, never cut a UTF-8 character, and the scan ends (no piece makes it go back).
TEST(PiiSpans, RandomTextsGiveOrderedSpansOnCharacterBoundaries) {
    const std::vector<std::string> pieces = {
        "a",  "Z", "0", "7", "4111", "1111", " ", "  ", ".", "-", "+", "(", ")", ":", "::", "/", "@",  "_", "#",
        "\n", "\t", "é", "«", "»", "—", "www.", "http://", "https://", "DE89", "3704", "example.com", "jane",
        "10.0.0.1", "2001:db8", "+1 555 123 4567", "jane@example.org", "ff", "ü", "\xE3\x80\x81"};
    std::mt19937 random(13);
    std::size_t found = 0;
    for (int text_idx = 0; text_idx < 20000; ++text_idx) {
        std::string text;
        const std::size_t count = random() % 24;
        for (std::size_t piece_idx = 0; piece_idx < count; ++piece_idx) text += pieces[random() % pieces.size()];
        std::size_t previous_end = 0;
        for (const PiiSpan& span : find_pii_spans(text, ScrubKinds::all())) {
            ++found;
            ASSERT_GE(span.begin, previous_end) << text;
            ASSERT_GT(span.length, 0u) << text;
            ASSERT_LE(span.begin + span.length, text.size()) << text;
            const auto continuation = [&](std::size_t pos) {
                return pos < text.size() && (static_cast<unsigned char>(text[pos]) & 0xC0) == 0x80;
            };
            EXPECT_FALSE(continuation(span.begin)) << marked(text);
            EXPECT_FALSE(continuation(span.begin + span.length)) << marked(text);
            previous_end = span.begin + span.length;
        }
    }
    EXPECT_GT(found, 1000u);  // the pieces do make candidates
}

}  // namespace
}  // namespace understudy::anonymizer

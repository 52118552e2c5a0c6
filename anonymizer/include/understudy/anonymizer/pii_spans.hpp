// Personal data inside free text: where emails, phones, IPs, cards, IBANs and URLs sit in a string.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace understudy::anonymizer {

/// A kind of PII-shaped substring that `scrub` finds and replaces.
enum class ScrubKind : std::uint8_t { email, phone, ipv4, ipv6, credit_card, iban, url };

/// Every kind, in the order rules and messages list them.
inline constexpr std::array<ScrubKind, 7> k_scrub_kinds = {ScrubKind::email, ScrubKind::phone,       ScrubKind::ipv4,
                                                           ScrubKind::ipv6,  ScrubKind::credit_card, ScrubKind::iban,
                                                           ScrubKind::url};

/// The kind named `name` in a rule (`email`, `credit_card`…), or nullopt.
std::optional<ScrubKind> parse_scrub_kind(std::string_view name);
/// The name of a kind as rules write it; also the fake kind and pseudonym class its replacement uses.
std::string_view scrub_kind_name(ScrubKind kind);
/// Every kind's name, comma separated, for error messages.
std::string scrub_kind_names();

/// A set of kinds (a bitset: copied by value, no allocation).
class ScrubKinds {
public:
    constexpr ScrubKinds() = default;
    /// All seven kinds.
    static constexpr ScrubKinds all() {
        return ScrubKinds(static_cast<std::uint8_t>((1u << k_scrub_kinds.size()) - 1));
    }
    /// This set and `kind`.
    constexpr ScrubKinds with(ScrubKind kind) const {
        return ScrubKinds(static_cast<std::uint8_t>(m_bits | bit(kind)));
    }
    /// Whether `kind` is in the set.
    constexpr bool contains(ScrubKind kind) const { return (m_bits & bit(kind)) != 0; }
    /// Whether the set has no kind.
    constexpr bool empty() const { return m_bits == 0; }
    constexpr bool operator==(ScrubKinds other) const { return m_bits == other.m_bits; }
    constexpr bool operator!=(ScrubKinds other) const { return m_bits != other.m_bits; }

private:
    constexpr explicit ScrubKinds(std::uint8_t bits) : m_bits(bits) {}
    static constexpr std::uint8_t bit(ScrubKind kind) {
        return static_cast<std::uint8_t>(1u << static_cast<unsigned>(kind));
    }
    std::uint8_t m_bits = 0;
};

/// One PII-shaped substring: text.substr(begin, length) is of `kind`.
struct PiiSpan {
    ScrubKind kind;
    std::size_t begin;
    std::size_t length;
    bool operator==(const PiiSpan& other) const {
        return kind == other.kind && begin == other.begin && length == other.length;
    }
};

/// Every non-overlapping PII-shaped substring of `text`, left to right, of the kinds in `kinds`.
/// What counts as each kind, and the word boundaries around it, are in docs/anonymization.md
/// ("scrub"); the whole-value recognizers of init's sniffing decide each candidate.
std::vector<PiiSpan> find_pii_spans(std::string_view text, ScrubKinds kinds);
/// The same, appended to `spans` (which keeps its capacity): the copy path calls this per value.
void find_pii_spans(std::string_view text, ScrubKinds kinds, std::vector<PiiSpan>& spans);

}  // namespace understudy::anonymizer

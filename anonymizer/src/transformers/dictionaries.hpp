// The word lists fake values are drawn from (written for understudy, not copied from a data set).
#pragma once

#include <cstddef>
#include <cstdint>
#include <string_view>

namespace understudy::anonymizer {

/// A fixed list of words; entries never change order once released (golden vectors pin them).
struct Dictionary {
    const std::string_view* words;
    std::size_t size;
    /// `hash % size`, compiled for this list's size: a multiplication, where a remainder by a size
    /// known only at run time is a 64-bit division (tens of cycles, five of them in a row of
    /// fake email, name and phone). Same index, so the same word.
    std::size_t (*index_of)(std::uint64_t hash);

    /// The entry a 64-bit hash picks.
    std::string_view pick(std::uint64_t hash) const { return words[index_of(hash)]; }
};

/// Given names from many languages, ASCII only (they also build email local parts).
const Dictionary& first_names();
/// Family names from many languages, ASCII only.
const Dictionary& last_names();
/// The name part of a street: `Maple` in `12 Maple Lane`.
const Dictionary& street_names();
/// Street kinds: Street, Lane, Avenue...
const Dictionary& street_suffixes();
/// Invented town names, so a fake address never points at a real place by design.
const Dictionary& cities();
/// The first word of a company name.
const Dictionary& company_stems();
/// The second word of a company name: Labs, Systems...
const Dictionary& company_suffixes();
/// Country names in English.
const Dictionary& countries();
/// Lowercase nouns for usernames and URLs.
const Dictionary& words();

}  // namespace understudy::anonymizer

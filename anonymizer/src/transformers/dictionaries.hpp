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

    /// The entry a 64-bit hash picks.
    std::string_view pick(std::uint64_t hash) const { return words[hash % size]; }
};

const Dictionary& first_names();
const Dictionary& last_names();
const Dictionary& street_names();
const Dictionary& street_suffixes();
const Dictionary& cities();
const Dictionary& company_stems();
const Dictionary& company_suffixes();
const Dictionary& countries();
const Dictionary& words();

}  // namespace understudy::anonymizer

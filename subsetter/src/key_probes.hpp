// Deterministic probes into a key's range: how seeds are found in O(target · log n) through the
// key's btree index instead of by hashing every key of the table.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace understudy::subsetter::detail {

/// The key types whose range can be probed uniformly by arithmetic on their values.
enum class ProbeDomain { integer, uuid };

/// The probe domain of a column of (base) type `type`, or nullopt when its values cannot be
/// interpolated (text, timestamps, numeric...: those tables are block-sampled instead).
std::optional<ProbeDomain> probe_domain(const std::string& type);

/// Probes number `first` .. `first + count - 1` for keys between `min` and `max` (their text forms,
/// min <= max), uniform in that range and derived only from `seed` and the probe's number: the same
/// arguments always give the same probes, and a later round continues the sequence. Throws
/// Error(internal) when `min` or `max` is not a value of `domain`.
std::vector<std::string> key_probes(ProbeDomain domain, const std::string& min, const std::string& max,
                                    std::uint64_t seed, std::size_t first, std::size_t count);

}  // namespace understudy::subsetter::detail

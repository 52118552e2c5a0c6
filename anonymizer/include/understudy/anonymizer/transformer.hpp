// A column rule's behaviour: how one value becomes its pseudonym.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace understudy::anonymizer {

/// A decoded column value; std::nullopt is SQL NULL.
using Value = std::optional<std::string>;

/// The other columns of the row being rewritten, for rules that read them (template, date_shift's
/// entity): a column with a rule of its own shows its new value (so `{first_name}` in a template is
/// the fake first name), any other column its original value.
class RowView {
public:
    virtual ~RowView() = default;
    /// The value of `column` in this row; throws if the column is not one the rule declared.
    virtual const Value& column(std::string_view name) const = 0;
};

/// Which PostgreSQL values a transformer accepts (checked against the catalog before any row moves).
enum class TypeClass { any, text, numeric, temporal, json, array };

/// Rewrites one column's values. Deterministic: the output depends only on the secret, the
/// pseudonym class, the input value and (for some) other columns of the same row.
class Transformer {
public:
    virtual ~Transformer() = default;
    /// The new value for `input` (NULL stays NULL unless the rule says otherwise).
    Value apply(const Value& input, const RowView& row) const {
        std::string out;
        if (!write(input, row, out)) return std::nullopt;
        return out;
    }
    /// The same into `out`, which is replaced but keeps its capacity: the copy path calls this once
    /// per value, and a string returned by value would be one allocation per value. Returns false
    /// for NULL (then `out` holds nothing useful). `out` must not be `input` nor a column of `row`.
    virtual bool write(const Value& input, const RowView& row, std::string& out) const = 0;
    /// Distinct non-NULL inputs always give distinct outputs (safe under a unique index).
    virtual bool injective() const = 0;
    /// The values it accepts.
    virtual TypeClass accepts() const = 0;
    /// The fewest characters of any non-NULL output, whatever the input; nullopt when the output
    /// can be as short as the input (keep, mask) or NULL. The guard compares it with a varchar(n):
    /// a rule whose every pseudonym is longer than n would fail only after the whole copy.
    virtual std::optional<std::size_t> min_length() const { return std::nullopt; }
    /// The most characters of any output when that does not depend on the input (fake city, hash
    /// with a length, fixed); nullopt when it grows with the input (keep, mask, hash, fake email).
    /// A varchar(n) shorter than it fails on some rows only, again after the whole copy.
    virtual std::optional<std::size_t> max_length() const { return std::nullopt; }
    /// Other columns of the row it reads.
    virtual std::vector<std::string> referenced_columns() const { return {}; }
    /// For plans and errors: `fake email (unique)`, `mask keep_last 2`.
    virtual std::string describe() const = 0;
};

}  // namespace understudy::anonymizer

// One table's COPY rows rewritten in flight: only columns with rules (and those they read) are decoded.
#include "understudy/anonymizer/table_rewriter.hpp"

#include <algorithm>
#include <cstring>
#include <functional>
#include <map>
#include <utility>

#include "understudy/anonymizer/copy_text.hpp"
#include "understudy/error.hpp"

namespace understudy::anonymizer {
namespace {

const Value k_null_value;

std::string quoted(const std::string& name) { return "\"" + name + "\""; }

}  // namespace

struct TableRewriter::Impl final : RowView {
    /// One column's rule, in the order the rules run.
    struct Step {
        std::size_t column = 0;
        std::unique_ptr<Transformer> transformer;
        std::string description;
    };

    std::string table;
    std::vector<std::string> columns;
    std::map<std::string, std::size_t, std::less<>> column_index;
    std::vector<Step> steps;
    std::vector<std::size_t> decoded_columns;  ///< ruled columns and the columns rules read
    std::vector<char> ruled;
    std::vector<char> readable;                ///< columns a rule may read through RowView
    std::vector<char> done;                    ///< ruled columns already rewritten in this row

    // Per-row state, kept between rows so that steady state does not allocate: values and outputs
    // stay engaged (transformers write into them, keeping their capacity) and `null` and
    // `output_null` say which are NULL this row.
    std::vector<std::string_view> fields;
    std::vector<Value> values;
    std::vector<char> null;
    std::vector<Value> outputs;
    std::vector<char> output_null;
    std::uint64_t row_number = 0;

    const Value& original(std::size_t column_idx) const {
        return null[column_idx] ? k_null_value : values[column_idx];
    }

    const Value& output(std::size_t column_idx) const {
        return output_null[column_idx] ? k_null_value : outputs[column_idx];
    }

    const Value& column(std::string_view name) const override {
        const auto found = column_index.find(name);
        if (found == column_index.end() || !readable[found->second]) {
            throw Error(ExitCode::internal, "a rule of table " + quoted(table) + " read column " +
                                                quoted(std::string(name)) + ", which it did not declare");
        }
        const std::size_t column_idx = found->second;
        return ruled[column_idx] && done[column_idx] ? output(column_idx) : original(column_idx);
    }

    [[noreturn]] void fail_step(const Step& step, const std::exception& cause) const {
        std::string message = "table " + quoted(table) + " column " + quoted(columns[step.column]) + " rule " +
                              quoted(step.description) + " row " + std::to_string(row_number) + ": " +
                              cause.what();
        if (const auto* error = dynamic_cast<const Error*>(&cause)) {
            throw Error(error->code(), std::move(message), error->hint());
        }
        throw Error(ExitCode::internal, std::move(message));
    }

    /// Orders the rules so that a rule reading another ruled column (a template) runs after it.
    void order_steps(std::vector<Step> unordered, const std::vector<std::string>& origins) {
        std::vector<std::vector<std::size_t>> reads(unordered.size());
        std::vector<std::size_t> step_of_column(columns.size(), unordered.size());
        for (std::size_t step_idx = 0; step_idx < unordered.size(); ++step_idx) {
            step_of_column[unordered[step_idx].column] = step_idx;
        }
        for (std::size_t step_idx = 0; step_idx < unordered.size(); ++step_idx) {
            const Step& step = unordered[step_idx];
            for (const std::string& name : step.transformer->referenced_columns()) {
                const auto found = column_index.find(name);
                if (found == column_index.end()) {
                    throw ConfigError(origins[step_idx] + ": rule of " + quoted(table) + "." +
                                      quoted(columns[step.column]) + " reads column " + quoted(name) +
                                      ", which the table does not have");
                }
                readable[found->second] = 1;
                if (step_of_column[found->second] < unordered.size()) {
                    reads[step_idx].push_back(step_of_column[found->second]);
                }
            }
        }
        // Depth-first in column order, so the order is deterministic; a cycle is a config error.
        enum class Mark : char { none, active, placed };
        std::vector<Mark> marks(unordered.size(), Mark::none);
        std::vector<std::size_t> order;
        std::function<void(std::size_t)> visit = [&](std::size_t step_idx) {
            if (marks[step_idx] == Mark::placed) return;
            if (marks[step_idx] == Mark::active) {
                throw ConfigError(origins[step_idx] + ": rules of table " + quoted(table) +
                                  " read each other in a cycle through column " +
                                  quoted(columns[unordered[step_idx].column]));
            }
            marks[step_idx] = Mark::active;
            for (std::size_t read : reads[step_idx]) visit(read);
            marks[step_idx] = Mark::placed;
            order.push_back(step_idx);
        };
        for (std::size_t step_idx = 0; step_idx < unordered.size(); ++step_idx) visit(step_idx);
        for (std::size_t step_idx : order) steps.push_back(std::move(unordered[step_idx]));
    }
};

TableRewriter::TableRewriter(const RuleSet& rules, const Secret& secret, const std::string& table,
                             const std::vector<std::string>& columns)
    : m_impl(std::make_unique<Impl>()) {
    Impl& impl = *m_impl;
    impl.table = table;
    impl.columns = columns;
    const std::size_t count = columns.size();
    for (std::size_t column_idx = 0; column_idx < count; ++column_idx) {
        impl.column_index.emplace(columns[column_idx], column_idx);
    }
    impl.ruled.assign(count, 0);
    impl.readable.assign(count, 0);
    impl.done.assign(count, 0);

    std::vector<Impl::Step> unordered;
    std::vector<std::string> origins;
    for (std::size_t column_idx = 0; column_idx < count; ++column_idx) {
        const ColumnRule* rule = rules.find(table, columns[column_idx]);
        // `keep` needs no decoding: the raw field is already the output.
        if (rule == nullptr || rule->kind == "keep") continue;
        Impl::Step step;
        step.column = column_idx;
        step.transformer = rules.make_transformer(*rule, secret);
        step.description = step.transformer->describe();
        impl.ruled[column_idx] = 1;
        impl.readable[column_idx] = 1;
        unordered.push_back(std::move(step));
        origins.push_back(rule->origin);
    }
    impl.order_steps(std::move(unordered), origins);
    for (std::size_t column_idx = 0; column_idx < count; ++column_idx) {
        if (impl.readable[column_idx]) impl.decoded_columns.push_back(column_idx);
    }
    impl.values.assign(count, std::string());
    impl.null.assign(count, 0);
    impl.outputs.assign(count, std::string());
    impl.output_null.assign(count, 0);
    impl.fields.reserve(count);
}

TableRewriter::~TableRewriter() = default;
TableRewriter::TableRewriter(TableRewriter&&) noexcept = default;

bool TableRewriter::passthrough() const { return m_impl->steps.empty(); }

void TableRewriter::rewrite(std::string_view row, std::string& out) {
    Impl& impl = *m_impl;
    ++impl.row_number;
    if (impl.steps.empty()) {
        out.append(row);
        return;
    }
    split_fields(row, impl.fields);
    if (impl.fields.size() != impl.columns.size()) {
        throw Error(ExitCode::internal, "table " + quoted(impl.table) + " row " + std::to_string(impl.row_number) +
                                            " has " + std::to_string(impl.fields.size()) + " fields, expected " +
                                            std::to_string(impl.columns.size()));
    }
    for (std::size_t column_idx : impl.decoded_columns) {
        const std::string_view raw = impl.fields[column_idx];
        impl.null[column_idx] = is_null_field(raw);
        if (!impl.null[column_idx]) decode_field(raw, *impl.values[column_idx]);
        impl.done[column_idx] = 0;
    }
    for (const Impl::Step& step : impl.steps) {
        try {
            impl.output_null[step.column] =
                !step.transformer->write(impl.original(step.column), impl, *impl.outputs[step.column]);
        } catch (const std::exception& cause) {
            impl.fail_step(step, cause);
        }
        impl.done[step.column] = 1;
    }
    // Untouched columns go out as one raw run each (their tabs included), the last run with the
    // row's own line end (none, \n or \r\n). `out` is sized once for the longest this row can be
    // (every rewritten byte escaped) and cut to what was written: appending piece by piece checked
    // the capacity a dozen times a row.
    const std::size_t count = impl.columns.size();
    std::size_t longest = row.size();
    for (const Impl::Step& step : impl.steps) longest += 2 * impl.outputs[step.column]->size() + 2;
    const std::size_t start = out.size();
    out.resize(start + longest);
    char* write = out.data() + start;
    auto copy = [&write](const char* from, std::size_t size) {
        std::memcpy(write, from, size);
        write += size;
    };
    const char* run = nullptr;
    for (std::size_t column_idx = 0; column_idx < count; ++column_idx) {
        const std::string_view field = impl.fields[column_idx];
        if (!impl.ruled[column_idx]) {
            if (run == nullptr) run = column_idx == 0 ? field.data() : field.data() - 1;
            continue;
        }
        if (run != nullptr) {
            copy(run, static_cast<std::size_t>(field.data() - 1 - run));
            run = nullptr;
        }
        if (column_idx > 0) *write++ = '\t';
        if (impl.output_null[column_idx]) {
            copy("\\N", 2);
        } else {
            write = encode_field(*impl.outputs[column_idx], write);
        }
    }
    if (run == nullptr) {
        const std::string_view last = impl.fields.back();
        run = last.data() + last.size();
    }
    copy(run, static_cast<std::size_t>(row.data() + row.size() - run));
    out.resize(static_cast<std::size_t>(write - out.data()));
}

}  // namespace understudy::anonymizer

// The rows a statement returned, read in place: Result, Row and Field views over libpqxx's result.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

namespace understudy::pg {

namespace detail {
struct ResultData;  // holds the libpqxx result (pg/src)
}

/// One value of a row: a view into the result's memory, valid while its Result (or a Row of it)
/// lives. Reading it copies nothing; `as<T>()` parses it as libpqxx does.
class Field {
public:
    bool is_null() const { return m_null; }
    /// The value as text ("" for NULL), NUL-terminated.
    const char* c_str() const { return m_value; }
    std::string_view view() const { return {m_value, m_size}; }
    /// Bytes of the text form.
    std::size_t size() const { return m_size; }

    /// The value converted as libpqxx converts it (bool, int, std::int64_t, std::uint32_t,
    /// std::uint64_t, double, std::string); throws on NULL.
    template <typename T> T as() const;
    /// The value converted, or `fallback` when it is NULL.
    template <typename T> T as(const T& fallback) const { return m_null ? fallback : as<T>(); }
    /// The value converted, or nullopt when it is NULL.
    template <typename T> std::optional<T> get() const {
        return m_null ? std::nullopt : std::optional<T>(as<T>());
    }

private:
    friend class Row;
    Field(const char* value, std::size_t size, bool null) : m_value(value), m_size(size), m_null(null) {}

    const char* m_value;
    std::size_t m_size;
    bool m_null;
};

template <> bool Field::as<bool>() const;
template <> int Field::as<int>() const;
template <> long Field::as<long>() const;
template <> long long Field::as<long long>() const;
template <> unsigned Field::as<unsigned>() const;
template <> unsigned long Field::as<unsigned long>() const;
template <> unsigned long long Field::as<unsigned long long>() const;
template <> double Field::as<double>() const;
template <> std::string Field::as<std::string>() const;

/// One row of a Result. It keeps the result alive, so `auto row = tx.exec1(...)` is safe.
class Row {
public:
    Row(const Row& other);
    Row& operator=(const Row& other);
    ~Row();

    /// Number of columns.
    std::size_t size() const;
    Field operator[](std::size_t column) const;
    Field operator[](int column) const { return (*this)[static_cast<std::size_t>(column)]; }
    /// The column named `name` (throws if there is none).
    Field operator[](const char* name) const;
    Field operator[](const std::string& name) const { return (*this)[name.c_str()]; }
    /// Like operator[], but throws std::out_of_range past the last column.
    Field at(std::size_t column) const;

private:
    friend class Result;
    Row(const detail::ResultData& data, std::size_t row);
    /// Moves this row to the next one of its result (iteration reuses one Row).
    void advance();
    std::size_t number() const;

    // Holds libpqxx's own row iterator in place (its size is checked in pg/src), so that walking a
    // result and reading its fields cost what they cost with libpqxx: no allocation, no copy of
    // the result per row, one reference count per field read.
    alignas(8) unsigned char m_storage[64];
};

/// What a statement returned: rows of text values, shared cheaply (copies share one result).
class Result {
public:
    Result();
    explicit Result(std::shared_ptr<const detail::ResultData> data);

    std::size_t size() const;
    bool empty() const { return size() == 0; }
    /// Number of columns.
    std::size_t columns() const;
    /// Rows changed by an INSERT, UPDATE, DELETE (or returned by a SELECT).
    std::size_t affected_rows() const;
    Row operator[](std::size_t row) const { return Row(*m_data, row); }
    /// Like operator[], but throws std::out_of_range past the last row.
    Row at(std::size_t row) const;
    Row front() const { return at(0); }

    /// Iterates rows in order; `*it` is valid until the iterator moves.
    class const_iterator {
    public:
        const Row& operator*() const { return m_row; }
        const Row* operator->() const { return &m_row; }
        const_iterator& operator++() {
            m_row.advance();
            return *this;
        }
        bool operator!=(const const_iterator& other) const { return m_row.number() != other.m_row.number(); }
        bool operator==(const const_iterator& other) const { return m_row.number() == other.m_row.number(); }

    private:
        friend class Result;
        const_iterator(const detail::ResultData& data, std::size_t row) : m_row(data, row) {}
        Row m_row;
    };
    const_iterator begin() const { return {*m_data, 0}; }
    const_iterator end() const { return {*m_data, size()}; }

private:
    std::shared_ptr<const detail::ResultData> m_data;
};

}  // namespace understudy::pg

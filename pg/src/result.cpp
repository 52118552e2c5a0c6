// Result, Row and Field over libpqxx's result: fields are read in place, as libpqxx reads them.
#include "understudy/pg/result.hpp"

#include <new>

#include <pqxx/result>
#include <pqxx/row>
#include <pqxx/strconv>

#include "pqxx_state.hpp"

namespace understudy::pg {
namespace {

using StoredRow = pqxx::const_result_iterator;  // a pqxx::row that can move to the next row
static_assert(sizeof(StoredRow) <= 64, "pg::Row's storage is too small for libpqxx's row iterator");
static_assert(alignof(StoredRow) <= 8, "pg::Row's storage is not aligned for libpqxx's row iterator");

template <typename T> T convert(const char* value, bool null) {
    if (null) pqxx::internal::throw_null_conversion(pqxx::string_traits<T>::name());
    T out;
    pqxx::from_string(value, out);
    return out;
}

}  // namespace

template <> bool Field::as<bool>() const { return convert<bool>(m_value, m_null); }
template <> int Field::as<int>() const { return convert<int>(m_value, m_null); }
template <> long Field::as<long>() const { return convert<long>(m_value, m_null); }
template <> long long Field::as<long long>() const { return convert<long long>(m_value, m_null); }
template <> unsigned Field::as<unsigned>() const { return convert<unsigned>(m_value, m_null); }
template <> unsigned long Field::as<unsigned long>() const { return convert<unsigned long>(m_value, m_null); }
template <> unsigned long long Field::as<unsigned long long>() const {
    return convert<unsigned long long>(m_value, m_null);
}
template <> double Field::as<double>() const { return convert<double>(m_value, m_null); }
template <> std::string Field::as<std::string>() const {
    if (m_null) pqxx::internal::throw_null_conversion(pqxx::string_traits<std::string>::name());
    return std::string(m_value, m_size);
}

namespace {
const StoredRow& stored(const unsigned char* storage) {
    return *std::launder(reinterpret_cast<const StoredRow*>(storage));
}
StoredRow& stored(unsigned char* storage) { return *std::launder(reinterpret_cast<StoredRow*>(storage)); }
}  // namespace

Row::Row(const detail::ResultData& data, std::size_t row) { new (m_storage) StoredRow(data.result[row]); }
Row::Row(const Row& other) { new (m_storage) StoredRow(stored(other.m_storage)); }
Row& Row::operator=(const Row& other) {
    if (this != &other) stored(m_storage) = stored(other.m_storage);
    return *this;
}
Row::~Row() { stored(m_storage).~StoredRow(); }

void Row::advance() { ++stored(m_storage); }
std::size_t Row::number() const { return stored(m_storage).rownumber(); }

std::size_t Row::size() const { return stored(m_storage).size(); }

Field Row::operator[](std::size_t column) const {
    const pqxx::field field = stored(m_storage)[static_cast<pqxx::row::size_type>(column)];
    return Field(field.c_str(), field.size(), field.is_null());
}

Field Row::operator[](const char* name) const {
    const pqxx::field field = stored(m_storage)[name];
    return Field(field.c_str(), field.size(), field.is_null());
}

Field Row::at(std::size_t column) const {
    const pqxx::field field = stored(m_storage).at(static_cast<pqxx::row::size_type>(column));
    return Field(field.c_str(), field.size(), field.is_null());
}

Result::Result() : m_data(std::make_shared<const detail::ResultData>()) {}
Result::Result(std::shared_ptr<const detail::ResultData> data) : m_data(std::move(data)) {}

std::size_t Result::size() const { return m_data->result.size(); }
std::size_t Result::columns() const { return m_data->result.columns(); }
std::size_t Result::affected_rows() const { return m_data->result.affected_rows(); }

Row Result::at(std::size_t row) const {
    (void)m_data->result.at(row);  // libpqxx's range check and message
    return Row(*m_data, row);
}

}  // namespace understudy::pg

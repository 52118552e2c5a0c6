// libFuzzer target for the COPY text codec: any bytes, read as a row and as a value, must round-trip.
//
// Build: cmake -S . -B build-fuzz -G Ninja -DCMAKE_CXX_COMPILER=clang++ -DUNDERSTUDY_FUZZ=ON
//        ninja -C build-fuzz copy_text_fuzzer && build-fuzz/copy_text_fuzzer -max_total_time=60
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>
#include <vector>

#include "understudy/anonymizer/copy_text.hpp"

namespace {

namespace an = understudy::anonymizer;

// Not assert(): the check must hold in release builds too.
void require(bool condition) {
    if (!condition) std::abort();
}

// The bytes as one value: its encoding is one field that decodes back to the bytes.
void value_round_trip(std::string_view value) {
    std::string encoded;
    an::encode_field(value, encoded);
    const std::string row = encoded + "\n";
    std::vector<std::string_view> fields;
    an::split_fields(row, fields);
    require(fields.size() == 1);
    require(fields[0] == encoded);
    require(!an::is_null_field(fields[0]));
    std::string decoded;
    an::decode_field(fields[0], decoded);
    require(decoded == value);
}

// The bytes as a row: whatever the server would accept splits into fields that decode to values;
// writing those values back gives the server's canonical row, and that row reads back the same.
void row_round_trip(std::string_view row) {
    std::vector<std::string_view> fields;
    an::split_fields(row, fields);
    require(!fields.empty());
    std::vector<std::string> values(fields.size());
    std::vector<bool> nulls(fields.size());
    std::string canonical;
    for (std::size_t idx = 0; idx < fields.size(); ++idx) {
        require(fields[idx].data() >= row.data() && fields[idx].data() + fields[idx].size() <= row.data() + row.size());
        if (idx > 0) canonical += '\t';
        nulls[idx] = an::is_null_field(fields[idx]);
        if (nulls[idx]) {
            an::encode_null(canonical);
        } else {
            an::decode_field(fields[idx], values[idx]);
            an::encode_field(values[idx], canonical);
        }
    }
    canonical += '\n';

    std::vector<std::string_view> again;
    an::split_fields(canonical, again);
    require(again.size() == fields.size());
    std::string rebuilt;
    std::string value;
    for (std::size_t idx = 0; idx < again.size(); ++idx) {
        require(an::is_null_field(again[idx]) == nulls[idx]);
        if (idx > 0) rebuilt += '\t';
        if (nulls[idx]) {
            an::encode_null(rebuilt);
            continue;
        }
        an::decode_field(again[idx], value);
        require(value == values[idx]);
        an::encode_field(value, rebuilt);
    }
    rebuilt += '\n';
    require(rebuilt == canonical);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const std::string_view bytes(reinterpret_cast<const char*>(data), size);
    value_round_trip(bytes);
    row_round_trip(bytes);
    return 0;
}

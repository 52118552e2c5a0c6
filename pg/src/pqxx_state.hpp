// The libpqxx objects behind pg::Result, pg::Transaction and pg::QuerySession (pg/src only).
#pragma once

#include <memory>

#include <pqxx/connection>
#include <pqxx/result>
#include <pqxx/transaction_base>

#include "understudy/pg/database_error.hpp"

namespace understudy::pg::detail {

struct ResultData {
    pqxx::result result;
};

struct TransactionState {
    std::unique_ptr<pqxx::transaction_base> transaction;
};

struct SessionState {
    std::unique_ptr<pqxx::connection> connection;
    Side side = Side::source;
};

/// A pg::Result sharing `result`.
inline Result make_result(pqxx::result result) {
    return Result(std::make_shared<const ResultData>(ResultData{std::move(result)}));
}

}  // namespace understudy::pg::detail

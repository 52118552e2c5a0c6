// Temporary (issue 11): lets the files still on libpqxx hand their own transactions to code that now takes pg::Transaction.
#pragma once

// Force-included (CMakeLists.txt) into those files only, so no header of the product mentions
// libpqxx for them. Delete it with the force-include once they are moved onto pg:: types.
#include <pqxx/transaction_base>

#include "understudy/pg/transaction.hpp"
#include "understudy/subsetter/catalog.hpp"

namespace understudy::subsetter {

/// load_catalog in a libpqxx transaction owned by the caller.
inline Catalog load_catalog(pqxx::transaction_base& tx, const CatalogFilter& filter = {}) {
    pg::Transaction borrowed = pg::Transaction::borrow(tx);
    return load_catalog(borrowed, filter);
}

}  // namespace understudy::subsetter

// Forward declarations of the two libpqxx types that files not yet moved onto pg:: types still use.
#pragma once

// Issue 11 moves every Postgres access behind pg::QuerySession / pg::Transaction. The files being
// rewritten in parallel (the transfer folder, the subset, dump and sync pipelines, the source model
// and verification) still run their own libpqxx statements on the sessions they get from pg/, so
// QuerySession and Transaction convert to these types. No libpqxx header is included here: only
// those files (which include libpqxx themselves) can use the conversions. Delete this header, and
// the two conversion operators, once they are converted.
namespace pqxx {
class connect_direct;
template <typename CONNECTPOLICY> class basic_connection_base;
using connection = basic_connection_base<connect_direct>;
class connection_base;
class transaction_base;
}  // namespace pqxx

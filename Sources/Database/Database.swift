// Database: MariaDB and MySQL through libmariadb.
//
// `DatabaseConnection` and `PreparedStatement` are the only owners of `MYSQL` and `MYSQL_STMT`;
// `DatabaseError` carries the server's code, SQLSTATE and message and what to do about it
// (`disposition`: retry as it is, or a refusal of the rows); `DatabaseClient` is the pool the programs
// use; `CountSchema` is the read side of the schema contract; `DatabaseSettings` is `DB_*`.
// The sessions are `package`, not public: outside this package only the pool reaches one; inside it
// the Consumer's schema tools and bench/WriteBenchmark open their own. No C pointer leaves this
// package's C facades (`liveHandle()` lends the handle to the benchmark's LOAD DATA for one statement).

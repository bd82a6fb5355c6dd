// Resilience: surviving slow and failing servers, whatever the server is.
//
// `Deadline` (every call that waits has one), `RetryPolicy` (exponential backoff with jitter,
// bounded by the deadline) and `BlockingConnectionPool` (blocking C calls on threads of their own,
// never on an event loop; a cancelled caller stops waiting while the call finishes on its thread),
// `resultUnlessCancelled` (a caller stops waiting for a task that goes on: a shared connect, a fetch
// left to its timeout at shutdown). Knows no protocol: Redis and Database build on it.

// Queue: the work queue on Redis, as DESIGN.md specifies it.
//
// `QueueSettings` (which queue, how many shards, replica confirmations), `QueueKeys` (every key of
// one queue), `QueueScripts` (the Lua scripts), `WorkQueue` (push, fetch, acknowledge, heartbeat,
// reclaim, depths of one list), `QueueShards` (the queue over its lists), `DeadLetter`, and the
// operator's side: `Operations/` (dead letters: list, replay, purge; pause and resume) and
// `History/` (the per-minute tallies behind the dashboard). Speaks to Redis only through `RedisClient`.

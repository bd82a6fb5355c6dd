// Redis: a Redis client over SwiftNIO, hiredis only for encoding and parsing.
//
// `Transport/` is one connection: `RedisConnection` (one channel, commands pipelined),
// `RedisChannelHandler` (replies answer requests in order; deadlines), `RedisReplyReader` (the only
// owner of a hiredis `redisReader`), `RedisCommandEncoder`, `RedisTLS` (swift-nio-ssl).
// `RedisNodeConnections` keeps the shared connections of one node, `RedisClient` routes commands
// (and follows `MOVED`/`ASK` with `Cluster/`), `LoginBackoff` holds back logins Redis refused.
// `RedisSettings` is how to reach Redis (`REDIS_*` but the queue's). No C pointer leaves this module.

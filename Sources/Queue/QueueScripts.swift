import Redis

/// The Lua scripts that make the queue's multi-step moves atomic. Every key a script touches is
/// passed in KEYS, and all of them share the queue's hash tag (see `QueueKeys`). Each is a
/// `RedisScript`: called by its SHA-1, its text sent only where a node has not loaded it yet.
enum QueueScripts {
    /// Moves up to ARGV[1] entries from the queue to the processing list and returns them. The first
    /// ARGV[2] entries of the processing list are the batch the consumer already has in hand (it
    /// fetches the next one while that one is in its transaction); they are skipped.
    /// Bare integers from older producers are wrapped in an envelope with a stable id on the way,
    /// so a redelivered legacy value is recognised as the same message.
    /// Repeatable: while the processing list holds entries beyond those in hand (the reply to an
    /// earlier fetch was lost, or the consumer restarted under the same id), it returns those instead
    /// of taking more, so the batches a consumer commits are always the head of its list, in order.
    /// While the queue is paused (KEYS[4] exists) it takes nothing new and answers the status PAUSED;
    /// a batch already in the processing list is still returned, so it gets finished.
    /// KEYS: queue, processing list, legacy sequence, pause flag. ARGV: limit, entries in hand.
    static let fetchBatch = RedisScript(
        """
            local limit, held = tonumber(ARGV[1]), tonumber(ARGV[2])
            local pending = redis.call('LRANGE', KEYS[2], held, held + limit - 1)
            if #pending > 0 then return pending end
            if redis.call('EXISTS', KEYS[4]) == 1 then return redis.status_reply('PAUSED') end
            local items = redis.call('LPOP', KEYS[1], ARGV[1])
            if not items then return {} end
            local now = redis.call('TIME')
            local ms = now[1] * 1000 + math.floor(now[2] / 1000)
            for i, item in ipairs(items) do
              if item == '0' or string.find(item, '^%-?[1-9]%d*$') then
                local seq = redis.call('INCR', KEYS[3])
                items[i] = '{"v":1,"id":"legacy-' .. now[1] .. '.' .. now[2] .. '-' .. seq ..
                  '","count":' .. item .. ',"ts":' .. string.format('%d', ms) .. '}'
              end
            end
            redis.call('RPUSH', KEYS[2], unpack(items))
            return items
            """)

    /// The id of a queue entry: its message id where it has one, else a stable digest of it.
    private static let messageID = """
        local function messageID(raw)
          local ok, decoded = pcall(cjson.decode, raw)
          if ok and type(decoded) == 'table' and type(decoded.id) == 'string' then return decoded.id end
          return 'sha1:' .. redis.sha1hex(raw)
        end

        """

    /// Builds a dead-letter record (DESIGN.md, "Queue message") and appends it to the list KEYS[dead],
    /// evicting the oldest records beyond `max` and counting them in KEYS[evicted]; returns how many
    /// it evicted. The server's clock stamps records (`nowMs`).
    private static let pushDeadLetter = messageID + """
        local function pushDeadLetter(dead, evicted, max, kind, reason, raw, consumer, deliveries, ts)
          local record = cjson.encode({kind = kind, reason = reason, id = messageID(raw), raw = raw, consumer = consumer,
            deliveries = deliveries, ts = ts})
          local excess = redis.call('RPUSH', dead, record) - max
          if excess <= 0 then return 0 end
          redis.call('LPOP', dead, excess)
          redis.call('INCRBY', evicted, excess)
          return excess
        end
        local function nowMs()
          local now = redis.call('TIME')
          return now[1] * 1000 + math.floor(now[2] / 1000)
        end

        """

    /// After a batch is committed: appends its dead letters, drops the batch from the head of the
    /// processing list and forgets its redelivery counts. Repeatable: it acts only while the list
    /// still starts with the batch's first entry (ARGV[2]), so a retry after a lost reply neither
    /// trims the next batch nor stores the dead letters twice.
    /// KEYS: processing list, dead-letter list, delivery attempts, evicted counter.
    /// ARGV: batch size, the batch's first entry, consumer id, DEAD_LETTER_MAX, then kind, reason, raw
    /// of each dead letter. Returns {1 if it acted else 0, dead letters evicted, evicted in total}.
    static let acknowledge = RedisScript(
        pushDeadLetter + """
            local size = tonumber(ARGV[1])
            if redis.call('LINDEX', KEYS[1], 0) ~= ARGV[2] then return {0, 0, 0} end
            local ts = nowMs()
            local evicted = 0
            for i = 5, #ARGV, 3 do
              local raw = ARGV[i + 2]
              local deliveries = (tonumber(redis.call('HGET', KEYS[3], raw)) or 0) + 1
              evicted = evicted + pushDeadLetter(KEYS[2], KEYS[4], tonumber(ARGV[4]), ARGV[i], ARGV[i + 1], raw, ARGV[3], deliveries, ts)
            end
            if redis.call('HLEN', KEYS[3]) > 0 then
              redis.call('HDEL', KEYS[3], unpack(redis.call('LRANGE', KEYS[1], 0, size - 1)))
            end
            redis.call('LTRIM', KEYS[1], size, -1)
            return {1, evicted, tonumber(redis.call('GET', KEYS[4]) or '0')}
            """)

    /// Records a consumer as alive at the server's clock (so consumers' clocks need not agree), and
    /// since when its batch has been stuck (ARGV[2], Unix ms), or that it is not ("").
    /// KEYS: consumers, stuck batches. ARGV: consumer id, stuck since.
    static let heartbeat = RedisScript(
        """
            local now = redis.call('TIME')
            redis.call('ZADD', KEYS[1], now[1] * 1000 + math.floor(now[2] / 1000), ARGV[1])
            if ARGV[2] == '' then redis.call('HDEL', KEYS[2], ARGV[1]) else redis.call('HSET', KEYS[2], ARGV[1], ARGV[2]) end
            return 1
            """)

    /// Ids of consumers whose last heartbeat is older than ARGV[1] ms. KEYS: consumers.
    static let staleConsumers = RedisScript(
        """
            local now = redis.call('TIME')
            local cutoff = now[1] * 1000 + math.floor(now[2] / 1000) - tonumber(ARGV[1])
            return redis.call('ZRANGEBYSCORE', KEYS[1], '-inf', string.format('%d', cutoff))
            """)

    /// Returns a silent consumer's in-flight entries to the head of the queue, oldest first, unless
    /// it sent a heartbeat meanwhile. An entry delivered ARGV[3] times already goes to the dead-letter
    /// list instead, so a message that kills its consumer cannot loop forever.
    /// KEYS: consumers, dead consumer's processing list, queue, delivery attempts, dead-letter list,
    /// stuck batches, evicted counter. ARGV: consumer id, silence in ms that counts as dead, max
    /// deliveries, DEAD_LETTER_MAX. Returns {requeued, dead-lettered, evicted, evicted in total},
    /// or {-1, 0, 0, 0} when the consumer is alive after all.
    static let reclaim = RedisScript(
        pushDeadLetter + """
            local ts = nowMs()
            local seen = redis.call('ZSCORE', KEYS[1], ARGV[1])
            if seen and tonumber(seen) > ts - tonumber(ARGV[2]) then return {-1, 0, 0, 0} end
            local requeued, dead, evicted = 0, 0, 0
            while true do
              local item = redis.call('RPOP', KEYS[2])
              if not item then break end
              local attempts = redis.call('HINCRBY', KEYS[4], item, 1)
              if attempts >= tonumber(ARGV[3]) then
                redis.call('HDEL', KEYS[4], item)
                evicted = evicted + pushDeadLetter(KEYS[5], KEYS[7], tonumber(ARGV[4]), 'max_deliveries', 'delivered ' .. attempts ..
                  ' times without being committed (its consumers kept dying)', item, ARGV[1], attempts, ts)
                dead = dead + 1
              else
                redis.call('LPUSH', KEYS[3], item)
                requeued = requeued + 1
              end
            end
            redis.call('ZREM', KEYS[1], ARGV[1])
            redis.call('HDEL', KEYS[6], ARGV[1])
            return {requeued, dead, evicted, tonumber(redis.call('GET', KEYS[7]) or '0')}
            """)

    /// One chunk of a replay, a purge or a count of the dead letters a selector picks: looks at up to
    /// ARGV[6] records from position ARGV[4] on and takes at most ARGV[7] of the chosen ones. Replay
    /// pushes each chosen record's raw entry onto the queue and removes the record in the same script,
    /// so an entry is never in both lists and never in neither; purge only removes; count changes
    /// nothing. Records written before `kind` and `id` existed get them inferred, as `DeadLetterRecord`
    /// does. Positions are kept stable across chunks while new records evict old ones: the caller
    /// passes the evicted counter it saw (ARGV[5]), and the start moves back by what was evicted since.
    /// KEYS: dead-letter list, queue, evicted counter.
    /// ARGV: count|replay|purge, all|kind|id, the kind or id, start, evicted counter seen, scan size, most to take.
    /// Returns {taken, looked at, next start, evicted counter now, ids taken...}.
    static let takeDeadLetters = RedisScript(
        messageID + """
            local mode, selector, wanted = ARGV[1], ARGV[2], ARGV[3]
            local evicted = tonumber(redis.call('GET', KEYS[3]) or '0')
            local start = math.max(0, tonumber(ARGV[4]) - (evicted - tonumber(ARGV[5])))
            local limit = tonumber(ARGV[7])
            local records = redis.call('LRANGE', KEYS[1], start, start + tonumber(ARGV[6]) - 1)
            -- No record is this: records are JSON objects.
            local tombstone = '\\0taken'
            local taken, looked, ids = 0, 0, {}
            for i, text in ipairs(records) do
              if taken >= limit then break end
              looked = i
              local ok, record = pcall(cjson.decode, text)
              if not ok or type(record) ~= 'table' then record = {reason = 'not a dead-letter record', raw = text} end
              if type(record.raw) ~= 'string' then record.raw = text end
              local kind = record.kind
              if type(kind) ~= 'string' then
                local reason = type(record.reason) == 'string' and record.reason or ''
                kind = string.find(reason, '^delivered %d+ times') and 'max_deliveries' or 'undecodable'
              end
              local id = type(record.id) == 'string' and record.id or messageID(record.raw)
              if selector == 'all' or (selector == 'kind' and kind == wanted) or (selector == 'id' and id == wanted) then
                taken = taken + 1
                ids[#ids + 1] = id
                if mode ~= 'count' then
                  if mode == 'replay' then redis.call('RPUSH', KEYS[2], record.raw) end
                  redis.call('LSET', KEYS[1], start + i - 1, tombstone)
                end
              end
            end
            local removed = 0
            if mode ~= 'count' and taken > 0 then removed = redis.call('LREM', KEYS[1], taken, tombstone) end
            local result = {taken, looked, start + looked - removed, evicted}
            for _, id in ipairs(ids) do result[#result + 1] = id end
            return result
            """)
}

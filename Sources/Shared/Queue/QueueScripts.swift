/// The Lua scripts that make the queue's multi-step moves atomic. Every key a script touches is
/// passed in KEYS, and all of them share the queue's hash tag (see `QueueKeys`).
enum QueueScripts {
    /// Moves up to ARGV[1] entries from the queue to the processing list and returns them. The first
    /// ARGV[2] entries of the processing list are the batch the consumer already has in hand (it
    /// fetches the next one while that one is in its transaction); they are skipped.
    /// Bare integers from older producers are wrapped in an envelope with a stable id on the way,
    /// so a redelivered legacy value is recognised as the same message.
    /// Repeatable: while the processing list holds entries beyond those in hand (the reply to an
    /// earlier fetch was lost, or the consumer restarted under the same id), it returns those instead
    /// of taking more, so the batches a consumer commits are always the head of its list, in order.
    /// KEYS: queue, processing list, legacy sequence. ARGV: limit, entries in hand.
    static let fetchBatch = """
        local limit, held = tonumber(ARGV[1]), tonumber(ARGV[2])
        local pending = redis.call('LRANGE', KEYS[2], held, held + limit - 1)
        if #pending > 0 then return pending end
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
        """

    /// Builds a dead-letter record (DESIGN.md, "Queue message"): `id` is the message id where the raw
    /// entry has one, else a stable digest of it. The server's clock stamps it.
    private static let deadLetterRecord = """
        local function deadLetterRecord(kind, reason, raw, consumer, deliveries, ts)
          local ok, decoded = pcall(cjson.decode, raw)
          local id = 'sha1:' .. redis.sha1hex(raw)
          if ok and type(decoded) == 'table' and type(decoded.id) == 'string' then id = decoded.id end
          return cjson.encode({kind = kind, reason = reason, id = id, raw = raw, consumer = consumer,
            deliveries = deliveries, ts = ts})
        end
        local function nowMs()
          local now = redis.call('TIME')
          return now[1] * 1000 + math.floor(now[2] / 1000)
        end

        """

    /// After a batch is committed: appends its dead letters, drops the batch from the head of the
    /// processing list and forgets its redelivery counts. Repeatable: it acts only while the list
    /// still starts with the batch's first entry (ARGV[2]), so a retry after a lost reply neither
    /// trims the next batch nor stores the dead letters twice. Returns 1 if it acted, 0 if not.
    /// KEYS: processing list, dead-letter list, delivery attempts.
    /// ARGV: batch size, the batch's first entry, consumer id, then kind, reason, raw of each dead letter.
    static let acknowledge = deadLetterRecord + """
        local size = tonumber(ARGV[1])
        if redis.call('LINDEX', KEYS[1], 0) ~= ARGV[2] then return 0 end
        local ts = nowMs()
        for i = 4, #ARGV, 3 do
          local raw = ARGV[i + 2]
          local deliveries = (tonumber(redis.call('HGET', KEYS[3], raw)) or 0) + 1
          redis.call('RPUSH', KEYS[2], deadLetterRecord(ARGV[i], ARGV[i + 1], raw, ARGV[3], deliveries, ts))
        end
        if redis.call('HLEN', KEYS[3]) > 0 then
          redis.call('HDEL', KEYS[3], unpack(redis.call('LRANGE', KEYS[1], 0, size - 1)))
        end
        redis.call('LTRIM', KEYS[1], size, -1)
        return 1
        """

    /// Records a consumer as alive at the server's clock (so consumers' clocks need not agree), and
    /// since when its batch has been stuck (ARGV[2], Unix ms), or that it is not ("").
    /// KEYS: consumers, stuck batches. ARGV: consumer id, stuck since.
    static let heartbeat = """
        local now = redis.call('TIME')
        redis.call('ZADD', KEYS[1], now[1] * 1000 + math.floor(now[2] / 1000), ARGV[1])
        if ARGV[2] == '' then redis.call('HDEL', KEYS[2], ARGV[1]) else redis.call('HSET', KEYS[2], ARGV[1], ARGV[2]) end
        return 1
        """

    /// Ids of consumers whose last heartbeat is older than ARGV[1] ms. KEYS: consumers.
    static let staleConsumers = """
        local now = redis.call('TIME')
        local cutoff = now[1] * 1000 + math.floor(now[2] / 1000) - tonumber(ARGV[1])
        return redis.call('ZRANGEBYSCORE', KEYS[1], '-inf', string.format('%d', cutoff))
        """

    /// Returns a silent consumer's in-flight entries to the head of the queue, oldest first, unless
    /// it sent a heartbeat meanwhile. An entry delivered ARGV[3] times already goes to the dead-letter
    /// list instead, so a message that kills its consumer cannot loop forever.
    /// KEYS: consumers, dead consumer's processing list, queue, delivery attempts, dead-letter list,
    /// stuck batches. ARGV: consumer id, silence in ms that counts as dead, max deliveries.
    /// Returns {requeued, dead-lettered}, or {-1, 0} when the consumer is alive after all.
    static let reclaim = deadLetterRecord + """
        local ts = nowMs()
        local seen = redis.call('ZSCORE', KEYS[1], ARGV[1])
        if seen and tonumber(seen) > ts - tonumber(ARGV[2]) then return {-1, 0} end
        local requeued, dead = 0, 0
        while true do
          local item = redis.call('RPOP', KEYS[2])
          if not item then break end
          local attempts = redis.call('HINCRBY', KEYS[4], item, 1)
          if attempts >= tonumber(ARGV[3]) then
            redis.call('HDEL', KEYS[4], item)
            redis.call('RPUSH', KEYS[5], deadLetterRecord('max_deliveries', 'delivered ' .. attempts ..
              ' times without being committed (its consumers kept dying)', item, ARGV[1], attempts, ts))
            dead = dead + 1
          else
            redis.call('LPUSH', KEYS[3], item)
            requeued = requeued + 1
          end
        end
        redis.call('ZREM', KEYS[1], ARGV[1])
        redis.call('HDEL', KEYS[6], ARGV[1])
        return {requeued, dead}
        """
}

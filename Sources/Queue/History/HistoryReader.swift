import Message
import Redis
import Resilience

/// Reads the history buckets back as series for `GET /history?window=...`.
public struct HistoryReader: Sendable {
    private let redis: RedisClient
    private let keys: QueueKeys
    /// HGETALLs per round trip: the 7-day window reads 10 080 minute buckets.
    static let bucketsPerPipeline = 1440

    public init(queue: QueueShards) {
        self.redis = queue.redis
        self.keys = queue.shards[0].keys
    }

    public func series(window: HistoryWindow, nowSeconds: Int64 = Int64(UnixTime.milliseconds() / 1000), deadline: Deadline) async throws -> HistorySeries {
        let step = window.stepSeconds
        let end = (nowSeconds / step + 1) * step
        let start = end - window.seconds
        let grain = window.resolution.seconds
        let buckets = Array(stride(from: window.resolution.bucket(containing: start), to: end, by: Int(grain)))
        var series = HistorySeries(window: window, startSeconds: start, points: Int(window.seconds / step))
        for part in stride(from: 0, to: buckets.count, by: Self.bucketsPerPipeline) {
            let chunk = buckets[part..<min(part + Self.bucketsPerPipeline, buckets.count)]
            let replies = try await redis.pipeline(
                chunk.map { ["HGETALL", keys.history(window.resolution, startingAt: $0)] }, routingKey: keys.queue, deadline: deadline)
            for (bucket, reply) in zip(chunk, replies) {
                let fields = try reply.check().array ?? []
                for index in stride(from: 0, to: fields.count - 1, by: 2) {
                    guard let field = fields[index].string, let value = fields[index + 1].string.flatMap({ Int64($0) }) else { continue }
                    series.add(field, value, atSeconds: bucket)
                }
            }
        }
        return series
    }
}

/// Counters over a window, one point per step from `startSeconds` on.
public struct HistorySeries: Sendable, Equatable {
    public let window: HistoryWindow
    public let startSeconds: Int64
    public private(set) var values: [String: [Int64]]
    private let points: Int

    init(window: HistoryWindow, startSeconds: Int64, points: Int) {
        self.window = window
        self.startSeconds = startSeconds
        self.points = points
        self.values = Dictionary(uniqueKeysWithValues: HistoryField.fixed.map { ($0, Array(repeating: 0, count: points)) })
    }

    mutating func add(_ field: String, _ value: Int64, atSeconds: Int64) {
        let point = Int((atSeconds - startSeconds) / window.stepSeconds)
        guard point >= 0, point < points else { return }
        values[field, default: Array(repeating: 0, count: points)][point] += value
    }

    /// `{"window", "step_seconds", "start_ms", "series": {accepted: [...], ..., rejected: [...]},
    /// "rejected_by_reason": {reason: [...]}}`; `rejected` sums the reasons.
    public var json: String {
        let rejections = values.filter { $0.key.hasPrefix(HistoryField.rejectedPrefix) }.sorted { $0.key < $1.key }
        var rejected = Array(repeating: Int64(0), count: points)
        for (_, counts) in rejections { rejected = zip(rejected, counts).map(+) }
        let array = { (counts: [Int64]) in "[" + counts.map(String.init).joined(separator: ",") + "]" }
        return JSONText.object([
            "window": JSONText.quoted(window.rawValue),
            "step_seconds": String(window.stepSeconds),
            "start_ms": String(startSeconds * 1000),
            "series": JSONText.object(HistoryField.fixed.map { ($0, array(values[$0] ?? [])) } + [("rejected", array(rejected))]),
            "rejected_by_reason": JSONText.object(rejections.map { (String($0.key.dropFirst(HistoryField.rejectedPrefix.count)), array($0.value)) }),
        ])
    }
}

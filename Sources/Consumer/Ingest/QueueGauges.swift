import Logging
import Metrics
import ServiceLifecycle
import Message
import Observability
import Queue

/// Samples the queue's depths every few seconds into gauges for `/metrics`, and, when a CloudWatch
/// namespace is configured, prints them as Embedded Metric Format lines on stdout, which CloudWatch
/// Logs turns into metrics: the deployment scales Consumers and raises alarms on them.
struct QueueGauges: Service {
    let queue: QueueShards
    let interval: Duration
    let cloudWatch: CloudWatchMetrics?
    let logger: Logger

    private let queued = Gauge(label: MetricName.queueDepth)
    private let processing = Gauge(label: MetricName.processingDepth)
    private let dead = Gauge(label: MetricName.deadLetterDepth)
    private let oldestAge = Gauge(label: MetricName.oldestMessageAge)
    private let consumers = Gauge(label: MetricName.liveConsumers)
    private let paused = Gauge(label: MetricName.queuePaused)

    init(queue: QueueShards, interval: Duration, cloudWatch: CloudWatchMetrics?, logger: Logger) {
        self.queue = queue
        self.interval = interval
        self.cloudWatch = cloudWatch
        self.logger = logger
        self.warnings = RepeatedWarnings(logger: logger)
    }

    private let warnings: RepeatedWarnings

    func run() async throws {
        // Cancelled as a whole when its turn to shut down comes: a sample in flight needs no finishing.
        await cancelWhenGracefulShutdown { [self] in await sample() }
    }

    private func sample() async {
        while !Task.isCancelled {
            do {
                let depths = try await queue.depths(deadline: .after(.seconds(2)))
                let now = UnixTime.milliseconds()
                let age = depths.oldestEnqueuedAtMilliseconds.map { Double(now.saturatingSubtract($0)) / 1000 } ?? 0
                queued.record(depths.queued)
                processing.record(depths.processing)
                dead.record(depths.deadLettered)
                oldestAge.record(age)
                consumers.record(depths.consumers)
                paused.record(depths.pausedSinceMilliseconds == nil ? 0 : 1)
                if let cloudWatch { print(cloudWatch.line(depths: depths, oldestAgeSeconds: age, now: now)) }
            } catch where !Task.isCancelled {
                warnings.warning("sampling queue depths failed", metadata: ["error": "\(error)"])
            } catch {
                return
            }
            guard (try? await Task.sleep(for: interval)) != nil else { return }
        }
    }
}

/// One CloudWatch Embedded Metric Format record (a JSON log line that CloudWatch Logs extracts
/// metrics from), with the dimensions the alarms and the autoscaling policy use.
struct CloudWatchMetrics: Sendable {
    let namespace: String
    let environment: String
    let queue: String

    func line(depths: QueueDepths, oldestAgeSeconds: Double, now: UInt64) -> String {
        let metrics = [("QueueDepth", "Count"), ("ProcessingDepth", "Count"), ("DeadLetterDepth", "Count"), ("OldestMessageAgeSeconds", "Seconds")]
        let definitions = metrics.map { JSONText.object(["Name": JSONText.quoted($0.0), "Unit": JSONText.quoted($0.1)]) }
        let directive = JSONText.object([
            "Namespace": JSONText.quoted(namespace),
            "Dimensions": "[[\"Environment\",\"Queue\"]]",
            "Metrics": "[" + definitions.joined(separator: ",") + "]",
        ])
        return JSONText.object([
            "_aws": JSONText.object(["Timestamp": String(now), "CloudWatchMetrics": "[" + directive + "]"]),
            "Environment": JSONText.quoted(environment), "Queue": JSONText.quoted(queue),
            "QueueDepth": String(depths.queued), "ProcessingDepth": String(depths.processing),
            "DeadLetterDepth": String(depths.deadLettered), "OldestMessageAgeSeconds": String(oldestAgeSeconds),
        ])
    }
}

extension UInt64 {
    func saturatingSubtract(_ other: UInt64) -> UInt64 { self > other ? self - other : 0 }
}

import HTTPTypes
import Hummingbird
import Shared
import SharedHTTP

/// `POST /count` queues a value; `GET /count` reports the table.
struct CountController<Context: RequestContext>: Sendable {
    let queue: any CountQueueing
    let counts: any CountReading
    let hostname: String
    let requestTimeout: Duration
    let maxBodyBytes: Int

    func addRoutes(to group: RouterGroup<Context>) {
        group.post("count", use: create)
        group.get("count", use: read)
    }

    @Sendable func create(request: Request, context: Context) async throws -> Response {
        try Self.requireJSON(request)
        var request = request
        let body = try await request.collectBody(upTo: maxBodyBytes)
        let count = try CountRequest.parse(body.readableBytesView)
        let message = QueueMessage(
            id: try Self.messageID(request), count: count, enqueuedAtMilliseconds: UnixTime.milliseconds())
        do {
            try await queue.enqueue(message, deadline: .after(requestTimeout))
        } catch let rejection as QueueRejection where rejection.kind == .backpressure {
            throw APIError(status: .tooManyRequests, code: "queue_full", message: rejection.reason, retryAfterSeconds: 1)
        } catch let rejection as QueueRejection {
            throw APIError.unavailable("shutting_down", rejection.reason)
        } catch let error as RedisError where error.isRefusal {
            throw APIError.unavailable("queue_refused", "Redis refused the Producer (\(error.message)); nothing was stored; an operator must fix the setting")
        } catch {
            throw APIError.unavailable("queue_unavailable", "the queue (Redis) did not acknowledge the value in time (\(error)); nothing was stored, retry later")
        }
        let body201 = JSONText.object([
            "message": "\"Value added to Redis queue\"", "value": String(count), "id": JSONText.quoted(message.id),
        ])
        return .json(body201, status: .created)
    }

    @Sendable func read(request: Request, context: Context) async throws -> Response {
        let summary: CountSummary
        do {
            summary = try await counts.summary(deadline: .after(requestTimeout))
        } catch {
            throw APIError.unavailable("database_unavailable", "the database did not answer in time (\(error)); retry later")
        }
        return .json(JSONText.object([
            "rows_count": String(summary.rowsCount), "latest_value": JSONText.integer(summary.latestValue),
            "hostname": JSONText.quoted(hostname),
        ]))
    }

    private static func requireJSON(_ request: Request) throws(APIError) {
        let contentType = request.headers[.contentType] ?? ""
        let mediaType = contentType.split(separator: ";").first.map { String($0).trimmingSpaces() } ?? ""
        guard mediaType.lowercased() == "application/json" else {
            throw APIError(
                status: .unsupportedMediaType, code: "unsupported_media_type",
                message: "Content-Type must be application/json, got \(contentType.isEmpty ? "none" : "\"\(contentType)\"")")
        }
    }

    /// A client may name its message with `Idempotency-Key`: sending the same key again cannot add a second row.
    private static func messageID(_ request: Request) throws(APIError) -> String {
        guard let key = request.headers[HTTPField.Name("Idempotency-Key")!] else { return MessageID.make() }
        guard MessageID.isValid(key) else {
            throw .badRequest(
                "invalid_idempotency_key",
                "Idempotency-Key must be 1 to \(MessageID.maxLength) characters of letters, digits, '-', '_', ':' or '.'")
        }
        return key
    }
}


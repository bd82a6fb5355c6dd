import HTTPTypes
import Hummingbird
import Database
import HTTPService
import Message
import Redis
import Settings

/// `POST /count` queues a value; `GET /count` reports the table.
struct CountController<Context: RequestContext>: Sendable {
    let queue: any CountQueueing
    let counts: any CountReading
    /// The name public answers give for this instance (not the machine's host name).
    let instanceName: String
    let requestTimeout: Duration
    let maxBodyBytes: Int

    /// `writes` carries the guards of POST (write token, rate limit); `reads` the rest.
    func addRoutes(reads: RouterGroup<Context>, writes: RouterGroup<Context>) {
        writes.post("count", use: create)
        reads.get("count", use: read)
    }

    @Sendable func create(request: Request, context: Context) async throws -> Response {
        try Self.requireJSON(request)
        // An announced body that is too large is refused before anything is read (the client may
        // be waiting on Expect: 100-continue).
        if let announced = request.headers[.contentLength].flatMap(Int.init), announced > maxBodyBytes {
            throw JSONErrorMiddleware<Context>.translate(.contentTooLarge, request: request)
        }
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
            throw APIError.unavailable("shutting_down", rejection.reason, detail: rejection.reason)
        } catch let error as RedisError where error.isRefusal {
            throw APIError.unavailable(
                "queue_refused", "the queue refused this server's credentials; nothing was stored; an operator must fix the setting",
                detail: "Redis refused the Producer: \(error.message)")
        } catch {
            throw APIError.unavailable(
                "queue_unavailable", "the queue did not acknowledge the value in time; nothing was stored, retry later", detail: "\(error)")
        }
        // Written directly: an id is only characters that JSON takes unescaped (MessageID.isValid).
        return .json(#"{"message":"Value added to Redis queue","value":\#(count),"id":"\#(message.id)"}"#, status: .created)
    }

    @Sendable func read(request: Request, context: Context) async throws -> Response {
        let summary: CountSummary
        do {
            summary = try await counts.summary(deadline: .after(requestTimeout))
        } catch {
            throw APIError.unavailable("database_unavailable", "the database did not answer in time; retry later", detail: "\(error)")
        }
        return .json(JSONText.object([
            "rows_count": String(summary.rowsCount), "latest_value": JSONText.integer(summary.latestValue),
            "hostname": JSONText.quoted(instanceName),
        ]))
    }

    private static func requireJSON(_ request: Request) throws(APIError) {
        let contentType = request.headers[.contentType] ?? ""
        // What nearly every client sends, compared without splitting or copying the header.
        if contentType == "application/json" { return }
        let mediaType = contentType.split(separator: ";").first.map { String($0).trimmingSpaces() } ?? ""
        guard mediaType.lowercased() == "application/json" else {
            throw APIError(
                status: .unsupportedMediaType, code: "unsupported_media_type",
                message: "Content-Type must be application/json, got \(contentType.isEmpty ? "none" : "\"\(contentType)\"")")
        }
    }

    /// A client may name its message with `Idempotency-Key`: sending the same key again cannot add a second row.
    private static func messageID(_ request: Request) throws(APIError) -> String {
        guard let key = request.headers[.idempotencyKey] else { return MessageID.make() }
        guard MessageID.isValid(key) else {
            throw .badRequest(
                "invalid_idempotency_key",
                "Idempotency-Key must be 1 to \(MessageID.maxLength) characters of letters, digits, '-', '_', ':' or '.'")
        }
        return key
    }
}


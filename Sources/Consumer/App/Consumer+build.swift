import Hummingbird
import Logging
import ServiceLifecycle
import Shared

/// Builds the Consumer: the ingest loop, its heartbeat/reaper, and a small HTTP server for probes.
func buildConsumer(_ configuration: ConsumerConfiguration, logger: Logger) -> some ApplicationProtocol {
    // Threads: one for the ingest loop's blocking wait, one for heartbeats, one for probes.
    let redis = RedisClient(settings: configuration.redis, poolSize: 3)
    let queue = WorkQueue(redis: redis)
    let database = DatabaseClient(settings: configuration.database, poolSize: 2, ioTimeout: configuration.databaseTimeout)
    let writer = RowWriter(
        batchSize: configuration.batchSize, statsShard: Int.random(in: 0..<CountSchema.statsShards))
    var app = Application(
        router: buildProbeRouter(queue: queue, database: database),
        configuration: .init(address: .hostname(configuration.httpHost, port: configuration.httpPort), serverName: "count-pipeline-consumer"),
        logger: logger)
    app.addServices(
        Liveness(configuration: configuration, queue: queue, logger: logger),
        IngestLoop(configuration: configuration, queue: queue, database: database, writer: writer, logger: logger))
    return app
}

/// `/health` (alive, no I/O) and `/ready` (Redis and MariaDB answer), for orchestrators.
func buildProbeRouter(queue: WorkQueue, database: DatabaseClient) -> Router<BasicRequestContext> {
    let router = Router()
    let hostname = JSONText.quoted(Host.name)
    router.get("health") { _, _ in
        Response.json(JSONText.object(["status": "\"healthy\"", "message": "\"Consumer is running\"", "hostname": hostname]))
    }
    router.get("ready") { _, _ in
        let deadline = Deadline.after(.seconds(1))
        async let redisProblem = problem { try await queue.redis.run(["PING"], deadline: deadline) }
        async let databaseProblem = problem {
            try await database.withConnection(deadline: deadline) { connection in _ = try connection.query("SELECT 1") }
        }
        let (redis, db) = await (redisProblem, databaseProblem)
        let ready = redis == nil && db == nil
        return Response.json(JSONText.object([
            "status": ready ? "\"ready\"" : "\"unavailable\"",
            "checks": JSONText.object(["redis": JSONText.quoted(redis ?? "ok"), "database": JSONText.quoted(db ?? "ok")]),
            "hostname": hostname,
        ]), status: ready ? .ok : .serviceUnavailable)
    }
    return router
}

private func problem(_ check: () async throws -> Void) async -> String? {
    do {
        try await check()
        return nil
    } catch {
        return "\(error)"
    }
}

extension Response {
    static func json(_ body: String, status: HTTPResponse.Status = .ok) -> Response {
        Response(status: status, headers: [.contentType: "application/json"], body: .init(byteBuffer: ByteBuffer(string: body)))
    }
}

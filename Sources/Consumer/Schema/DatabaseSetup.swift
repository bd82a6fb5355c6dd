import ArgumentParser
import Database
import Settings

/// `Consumer db-setup`: the one-off task a deployment runs with the administrator's credentials.
/// Creates the database and the schema, and a least-privilege user for each program, so that
/// neither program ever runs with the master password.
struct DatabaseSetupCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "db-setup",
        abstract: "Create the database, the schema and the programs' own users (run once per deployment, as the DB admin).",
        discussion: """
            Reads DB_HOST, DB_PORT, DB_NAME, DB_TLS, DB_TLS_CA_FILE, DB_ADMIN_USER, DB_ADMIN_PASSWORD, PRODUCER_DB_USER, PRODUCER_DB_PASSWORD, \
            CONSUMER_DB_USER, CONSUMER_DB_PASSWORD. Idempotent: passwords are updated, grants re-applied.
            """)

    func run() async throws {
        let plan = try loadConfiguration(DatabaseSetupPlan.init(environment:))
        if let warning = plan.admin.plainTextWarning { print("warning: \(warning)") }
        let connection = try DatabaseConnection.connect(
            settings: plan.admin, database: nil, connectTimeout: .seconds(10), ioTimeout: .seconds(120))
        defer { connection.close() }
        for statement in plan.statements(quote: connection.quoted) {
            try connection.query(statement)
        }
        try connection.query("USE `\(plan.admin.name)`")
        let report = try SchemaMigrator.migrate(connection)
        print("database \(plan.admin.name) ready; users \(plan.producer.user) (read) and \(plan.consumer.user) (write) granted;"
            + " schema changes: \(report.changes.isEmpty ? "none" : report.changes.joined(separator: "; "))")
    }
}

/// What `db-setup` will do, built from the environment; separate from the I/O so it can be tested.
struct DatabaseSetupPlan {
    var admin: DatabaseSettings
    var producer: (user: String, password: String)
    var consumer: (user: String, password: String)

    init(environment env: EnvironmentReader) throws(ConfigurationError) {
        admin = DatabaseSettings(
            host: try env.required("DB_HOST"), port: try env.port("DB_PORT", default: 3306),
            user: try env.required("DB_ADMIN_USER"), password: try env.required("DB_ADMIN_PASSWORD"),
            name: try env.identifier("DB_NAME", default: "count"),
            tls: try env.boolean("DB_TLS", default: false), tlsCAFile: env.optional("DB_TLS_CA_FILE"))
        producer = (try env.identifier("PRODUCER_DB_USER", default: "count_producer", maxLength: 32), try env.required("PRODUCER_DB_PASSWORD"))
        consumer = (try env.identifier("CONSUMER_DB_USER", default: "count_consumer", maxLength: 32), try env.required("CONSUMER_DB_PASSWORD"))
    }

    /// The statements, with passwords quoted by the server's own escaping (CREATE USER takes no placeholders).
    func statements(quote: (String) -> String) -> [String] {
        let database = "`\(admin.name)`"
        return [
            "CREATE DATABASE IF NOT EXISTS \(database)",
            "CREATE USER IF NOT EXISTS '\(producer.user)'@'%' IDENTIFIED BY \(quote(producer.password))",
            "ALTER USER '\(producer.user)'@'%' IDENTIFIED BY \(quote(producer.password))",
            "GRANT SELECT ON \(database).* TO '\(producer.user)'@'%'",
            "CREATE USER IF NOT EXISTS '\(consumer.user)'@'%' IDENTIFIED BY \(quote(consumer.password))",
            "ALTER USER '\(consumer.user)'@'%' IDENTIFIED BY \(quote(consumer.password))",
            "GRANT SELECT, INSERT, UPDATE, CREATE, ALTER, INDEX ON \(database).* TO '\(consumer.user)'@'%'",
        ]
    }
}

// swift-tools-version:6.2
import PackageDescription

let swiftSettings: [SwiftSetting] = [
    .enableUpcomingFeature("ExistentialAny"),
]

let package = Package(
    name: "count-pipeline",
    platforms: [.macOS(.v15)],
    products: [
        .executable(name: "Producer", targets: ["Producer"]),
        .executable(name: "Consumer", targets: ["Consumer"]),
    ],
    dependencies: [
        .package(url: "https://github.com/hummingbird-project/hummingbird.git", from: "2.28.1", traits: []),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle.git", from: "2.13.0"),
        .package(url: "https://github.com/apple/swift-log.git", from: "1.16.2"),
        .package(url: "https://github.com/apple/swift-argument-parser.git", from: "1.8.2"),
        .package(url: "https://github.com/apple/swift-nio.git", from: "2.101.2"),
        .package(url: "https://github.com/apple/swift-nio-ssl.git", from: "2.37.6"),
        .package(url: "https://github.com/apple/swift-collections.git", from: "1.6.0"),
        .package(url: "https://github.com/apple/swift-http-types.git", from: "1.8.0"),
        .package(url: "https://github.com/apple/swift-metrics.git", from: "2.13.0"),
        .package(url: "https://github.com/swift-server/swift-prometheus.git", from: "2.4.1"),
        // SHA-1 of the Lua scripts (EVALSHA names them so) and of dead letters without a message id.
        .package(url: "https://github.com/apple/swift-crypto.git", from: "4.5.2"),
    ],
    targets: [
        // C libraries, reached through pkg-config; Debian/Ubuntu package names in `providers`.
        .systemLibrary(name: "CHiredis", pkgConfig: "hiredis", providers: [.apt(["libhiredis-dev"])]),
        .systemLibrary(name: "CMariaDB", pkgConfig: "libmariadb", providers: [.apt(["libmariadb-dev"])]),
        .systemLibrary(name: "CCurl", pkgConfig: "libcurl", providers: [.apt(["libcurl4-openssl-dev"])]),
        // The libraries, one responsibility each; a module uses another only through its public or package API.
        .target(name: "Settings", swiftSettings: swiftSettings),
        .target(
            name: "Observability",
            dependencies: [
                "Settings", "Message",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "Prometheus", package: "swift-prometheus"),
            ],
            swiftSettings: swiftSettings
        ),
        .target(
            name: "Resilience",
            dependencies: [
                "Observability",
                .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "NIOPosix", package: "swift-nio"),
            ],
            swiftSettings: swiftSettings
        ),
        .target(name: "Message", swiftSettings: swiftSettings),
        .target(
            name: "Redis",
            dependencies: [
                "CHiredis", "Settings", "Observability", "Resilience",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
                .product(name: "DequeModule", package: "swift-collections"),
                .product(name: "Crypto", package: "swift-crypto"),
            ],
            swiftSettings: swiftSettings
        ),
        .target(
            name: "Queue",
            dependencies: [
                "Settings", "Message", "Observability", "Redis", "Resilience",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ],
            swiftSettings: swiftSettings
        ),
        .target(
            name: "Database",
            dependencies: [
                "CMariaDB", "Settings", "Observability", "Resilience",
            ],
            swiftSettings: swiftSettings
        ),
        .target(
            name: "Curl",
            dependencies: [
                "CCurl",
                .product(name: "NIOPosix", package: "swift-nio"),
            ],
            swiftSettings: swiftSettings
        ),
        .target(
            name: "Secrets",
            dependencies: [
                "Curl", "Settings", "Message", "Observability", "Resilience", "Database", "Redis",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ],
            swiftSettings: swiftSettings
        ),
        .target(
            name: "HTTPService",
            dependencies: [
                "Curl", "Settings", "Message", "Observability", "Resilience",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "Prometheus", package: "swift-prometheus"),
            ],
            swiftSettings: swiftSettings
        ),
        .executableTarget(
            name: "Producer",
            dependencies: [
                "Settings", "Observability", "Resilience", "Message", "Redis", "Queue", "Database", "Secrets", "HTTPService",
                .product(name: "DequeModule", package: "swift-collections"),
                .product(name: "HTTPTypes", package: "swift-http-types"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "Prometheus", package: "swift-prometheus"),
                .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ],
            swiftSettings: swiftSettings
        ),
        .executableTarget(
            name: "Consumer",
            dependencies: [
                "Settings", "Observability", "Resilience", "Message", "Redis", "Queue", "Database", "Secrets", "HTTPService",
                .product(name: "Prometheus", package: "swift-prometheus"),
                .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ],
            swiftSettings: swiftSettings
        ),
        // bench/run.sh's measurement of the database's bulk write paths; not part of either program.
        .executableTarget(
            name: "WriteBenchmark",
            dependencies: [
                "CMariaDB", "Settings", "Message", "Database",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ],
            path: "bench/WriteBenchmark",
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "LibraryTests",
            dependencies: [
                "Settings", "Observability", "Resilience", "Message", "Redis", "Queue", "Database",
                .product(name: "NIOEmbedded", package: "swift-nio"),
            ],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "SecretsTests",
            dependencies: ["Secrets", "Curl", "Settings", "Message", "Database", "Redis"],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "ConsumerTests",
            dependencies: [
                "Consumer", "Settings", "Message", "Database", "Queue", "Resilience",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycleTestKit", package: "swift-service-lifecycle"),
            ],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "ProducerTests",
            dependencies: [
                "Producer", "Settings", "Observability", "Resilience", "Message", "Redis", "Queue", "Database", "HTTPService",
                .product(name: "HummingbirdTesting", package: "hummingbird"),
                .product(name: "NIOEmbedded", package: "swift-nio"),
            ],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "IntegrationTests",
            dependencies: [
                "Producer", "Consumer", "WriteBenchmark", "Settings", "Observability", "Resilience", "Message", "Redis", "Queue", "Database",
                "Secrets", "HTTPService",
                .product(name: "HummingbirdTesting", package: "hummingbird"),
            ],
            swiftSettings: swiftSettings
        ),
    ]
)

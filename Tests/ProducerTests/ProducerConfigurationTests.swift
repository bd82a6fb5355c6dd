import Settings
import Testing

@testable import Producer

/// The public-surface settings: documented defaults, ranges, and one clear line naming the variable.
@Suite struct ProducerConfigurationTests {
    private let minimal = ["REDIS_HOST": "redis", "DB_HOST": "db", "DB_USER": "u", "DB_PASSWORD": "p"]

    private func read(_ extra: [String: String]) throws(ConfigurationError) -> ProducerConfiguration {
        try ProducerConfiguration(environment: EnvironmentReader(minimal.merging(extra) { $1 }))
    }

    @Test func defaultsKeepThePublicSurfaceClosedAndBounded() throws {
        let configuration = try read([:])
        #expect(configuration.httpPort == 5080 && configuration.opsHttpPort == 5082)
        #expect(configuration.limits == ServerLimits())
        #expect(configuration.limits.requestReadTimeout == .seconds(10) && configuration.limits.idleTimeout == .seconds(75))
        #expect(configuration.limits.maxConnections == 4096 && configuration.limits.maxHeaderBytes == 16_384)
        #expect(configuration.rateLimit == nil && configuration.trustedProxyHops == 0 && configuration.writeToken == nil)
    }

    @Test func readsEveryLimit() throws {
        let configuration = try read([
            "OPS_HTTP_PORT": "9100", "REQUEST_READ_TIMEOUT_MS": "2500", "MAX_CONNECTIONS": "100", "MAX_HEADER_BYTES": "4096",
            "RATE_LIMIT_PER_SECOND": "5", "TRUSTED_PROXY_HOPS": "2", "WRITE_TOKEN": "a-long-enough-secret",
        ])
        #expect(configuration.opsHttpPort == 9100)
        #expect(configuration.limits.requestReadTimeout == .milliseconds(2500))
        #expect(configuration.limits.maxConnections == 100 && configuration.limits.maxHeaderBytes == 4096)
        #expect(configuration.rateLimit == RateLimitSettings(perSecond: 5, burst: 10), "burst defaults to twice the rate")
        #expect(configuration.trustedProxyHops == 2 && configuration.writeToken == "a-long-enough-secret")
    }

    @Test(arguments: [
        (["OPS_HTTP_PORT": "5080"], "OPS_HTTP_PORT must differ from HTTP_PORT"),
        (["REQUEST_READ_TIMEOUT_MS": "50"], "REQUEST_READ_TIMEOUT_MS must be between 100 and 300000"),
        (["MAX_CONNECTIONS": "0"], "MAX_CONNECTIONS must be between 1 and 1000000"),
        (["MAX_HEADER_BYTES": "100000"], "MAX_HEADER_BYTES must be between 1024 and 65536"),
        (["RATE_LIMIT_PER_SECOND": "-1"], "RATE_LIMIT_PER_SECOND must be between 0 and 100000"),
        (["RATE_LIMIT_BURST": "5"], "RATE_LIMIT_BURST needs RATE_LIMIT_PER_SECOND"),
        (["TRUSTED_PROXY_HOPS": "11"], "TRUSTED_PROXY_HOPS must be between 0 and 10"),
        (["WRITE_TOKEN": "short"], "WRITE_TOKEN must be 16 to 256 printable ASCII characters"),
    ])
    func badSettingsStopTheProgramNamingTheVariable(settings: [String: String], line: String) {
        #expect {
            _ = try read(settings)
        } throws: { error in
            "\(error)".contains(line)
        }
    }

    @Test func aRefusedWriteTokenIsNotEchoed() {
        #expect {
            _ = try read(["WRITE_TOKEN": "secret with a blank q9x7"])
        } throws: { error in
            !"\(error)".contains("q9x7")
        }
    }
}

extension ProducerConfigurationTests {
    @Test func theConnectionCapMustFitUnderTheOpenFileLimit() throws {
        try OpenFileLimit.check(maxConnections: 4096, openFiles: 65_536)
        #expect {
            try OpenFileLimit.check(maxConnections: 4096, openFiles: 1024)
        } throws: { error in
            "\(error)".contains("MAX_CONNECTIONS is 4096, but the open-file limit is 1024")
        }
    }
}

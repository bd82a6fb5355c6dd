/// The name public answers give for this Producer (`hostname` in /count, /stats, /health): random
/// per process, so a client behind a load balancer can tell instances apart without learning the
/// machine's host name (on ECS an internal address). The start-up log line pairs the two.
enum InstanceName {
    static let current = "producer-" + String(UInt64.random(in: 1 << 40..<1 << 44), radix: 16)
}

import HTTPTypes

/// Header names the Producer sets or reads that HTTPTypes does not name.
extension HTTPField.Name {
    static let requestID = HTTPField.Name("X-Request-Id")!
    static let xForwardedFor = HTTPField.Name("X-Forwarded-For")!
    static let referrerPolicy = HTTPField.Name("Referrer-Policy")!
    static let xFrameOptions = HTTPField.Name("X-Frame-Options")!
    static let idempotencyKey = HTTPField.Name("Idempotency-Key")!
}

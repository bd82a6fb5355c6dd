import HTTPTypes
import Hummingbird

/// The browser protections of the page (and every other answer of the public port): scripts,
/// styles, images and API calls from the page's own origin only, no inline script, no framing,
/// no content-type guessing, no full URL in the Referer. CloudFront's response-headers policy
/// (terraform/modules/frontend) sends the same policy, plus HSTS, which plain HTTP cannot.
struct SecurityHeadersMiddleware<Context: RequestContext>: RouterMiddleware {
    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        var response = try await next(request, context)
        response.headers.append(contentsOf: BrowserPolicy.headers)
        return response
    }
}

/// The policy values, shared with the tests (CloudFront's copy is in terraform/modules/frontend).
enum BrowserPolicy {
    static let referrerPolicy = "strict-origin-when-cross-origin"
    static let contentSecurityPolicy = [
        "default-src 'self'", "script-src 'self'", "style-src 'self'", "img-src 'self' data:", "connect-src 'self'",
        "object-src 'none'", "base-uri 'none'", "form-action 'self'", "frame-ancestors 'none'",
    ].joined(separator: "; ")

    /// Built once: every answer appends the same fields, with no lookup or validation per request.
    static let headers: [HTTPField] = [
        HTTPField(name: .contentSecurityPolicy, value: contentSecurityPolicy),
        HTTPField(name: .xContentTypeOptions, value: "nosniff"),
        HTTPField(name: .referrerPolicy, value: referrerPolicy),
        HTTPField(name: .xFrameOptions, value: "DENY"),
    ]
}

// CloudFront Function (cloudfront-js-2.0, viewer request) of the /api/* catch-all behaviour: the
// public API routes have behaviours of their own, so whatever arrives here is not one of them and
// gets the API's JSON 404 without ever reaching the origin.
function handler(event) {
  return {
    statusCode: 404,
    statusDescription: "Not Found",
    headers: {
      "content-type": { value: "application/json" },
      "cache-control": { value: "no-store" },
    },
    body: {
      encoding: "text",
      data: JSON.stringify({
        error: "not_found",
        message: "no route for " + event.request.method + " " + event.request.uri
          + "; routes: POST /api/count, GET /api/count, GET /api/stats, GET /api/health",
      }),
    },
  };
}

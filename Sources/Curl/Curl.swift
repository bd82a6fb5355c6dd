// Curl: HTTP requests through libcurl, the one Swift owner of `CURL *` handles.
//
// `CurlEasy` owns one easy handle and performs one request at a time on the calling thread;
// `HTTPClient` runs those blocking calls on a thread of its own (never an event loop, never the
// cooperative pool). `HTTPRequest` / `HTTPResponse` are plain Swift values; an AWS SigV4 signature
// is one field of the request, computed by libcurl (`CURLOPT_AWS_SIGV4`). No C pointer leaves this
// module. Used by the `healthcheck` probe and by Secrets. Depends on nothing of ours.

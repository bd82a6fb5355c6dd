#ifndef COUNT_PIPELINE_CCURL_SHIM_H
#define COUNT_PIPELINE_CCURL_SHIM_H
#include <curl/curl.h>

// curl_easy_setopt and curl_easy_getinfo are variadic, which Swift cannot call:
// these typed wrappers pass exactly one argument of the type each option expects.
static inline CURLcode cp_curl_setopt_string(CURL *handle, CURLoption option, const char *value) {
    return curl_easy_setopt(handle, option, value);
}

static inline CURLcode cp_curl_setopt_long(CURL *handle, CURLoption option, long value) {
    return curl_easy_setopt(handle, option, value);
}

static inline CURLcode cp_curl_getinfo_long(CURL *handle, CURLINFO info, long *value) {
    return curl_easy_getinfo(handle, info, value);
}

// A health probe only needs the status code: this write callback drops the body
// (the default would print it to stdout).
static size_t cp_curl_discard_body(char *data, size_t size, size_t count, void *context) {
    (void)data; (void)context;
    return size * count;
}

static inline CURLcode cp_curl_discard_response_body(CURL *handle) {
    return curl_easy_setopt(handle, CURLOPT_WRITEFUNCTION, cp_curl_discard_body);
}
#endif

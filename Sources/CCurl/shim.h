#ifndef COUNT_PIPELINE_CCURL_SHIM_H
#define COUNT_PIPELINE_CCURL_SHIM_H
#include <curl/curl.h>
#include <dlfcn.h>

// libcurl is loaded at run time, by the `healthcheck` subcommand only: linking it would map libcurl
// and its twenty-odd dependencies (Kerberos, LDAP, SSH, GnuTLS, ...) into the long-running daemons,
// about 3.5 MB of resident code they never use.
typedef struct {
    void *library;
    CURLcode (*global_init)(long flags);
    CURL *(*easy_init)(void);
    CURLcode (*easy_setopt)(CURL *handle, CURLoption option, ...);
    CURLcode (*easy_perform)(CURL *handle);
    CURLcode (*easy_getinfo)(CURL *handle, CURLINFO info, ...);
    void (*easy_cleanup)(CURL *handle);
    const char *(*easy_strerror)(CURLcode code);
} cp_curl_api;

// Fills `api` from libcurl.so.4; returns 0 when the library or a function is missing.
static inline int cp_curl_load(cp_curl_api *api) {
    api->library = dlopen("libcurl.so.4", RTLD_NOW | RTLD_LOCAL);
    if (!api->library) return 0;
    api->global_init = (CURLcode (*)(long))dlsym(api->library, "curl_global_init");
    api->easy_init = (CURL *(*)(void))dlsym(api->library, "curl_easy_init");
    api->easy_setopt = (CURLcode (*)(CURL *, CURLoption, ...))dlsym(api->library, "curl_easy_setopt");
    api->easy_perform = (CURLcode (*)(CURL *))dlsym(api->library, "curl_easy_perform");
    api->easy_getinfo = (CURLcode (*)(CURL *, CURLINFO, ...))dlsym(api->library, "curl_easy_getinfo");
    api->easy_cleanup = (void (*)(CURL *))dlsym(api->library, "curl_easy_cleanup");
    api->easy_strerror = (const char *(*)(CURLcode))dlsym(api->library, "curl_easy_strerror");
    return api->global_init && api->easy_init && api->easy_setopt && api->easy_perform && api->easy_getinfo
        && api->easy_cleanup && api->easy_strerror;
}

// curl_easy_setopt and curl_easy_getinfo are variadic, which Swift cannot call: these typed
// wrappers pass exactly one argument of the type each option expects.
static inline CURLcode cp_curl_setopt_string(const cp_curl_api *api, CURL *handle, CURLoption option, const char *value) {
    return api->easy_setopt(handle, option, value);
}

static inline CURLcode cp_curl_setopt_long(const cp_curl_api *api, CURL *handle, CURLoption option, long value) {
    return api->easy_setopt(handle, option, value);
}

static inline CURLcode cp_curl_getinfo_long(const cp_curl_api *api, CURL *handle, CURLINFO info, long *value) {
    return api->easy_getinfo(handle, info, value);
}

// A health probe only needs the status code: this write callback drops the body
// (the default would print it to stdout).
static size_t cp_curl_discard_body(char *data, size_t size, size_t count, void *context) {
    (void)data; (void)context;
    return size * count;
}

static inline CURLcode cp_curl_discard_response_body(const cp_curl_api *api, CURL *handle) {
    return api->easy_setopt(handle, CURLOPT_WRITEFUNCTION, cp_curl_discard_body);
}
#endif

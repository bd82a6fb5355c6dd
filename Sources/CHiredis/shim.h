#ifndef COUNT_PIPELINE_CHIREDIS_SHIM_H
#define COUNT_PIPELINE_CHIREDIS_SHIM_H
#include <hiredis/hiredis.h>
#include <arpa/inet.h>
#include <dlfcn.h>
#include <stdio.h>

// TLS for Redis. hiredis 1.x keeps it in a second library, libhiredis_ssl, which bookworm's
// hiredis 0.14 does not have at all. Both it and OpenSSL are loaded at run time, only when
// REDIS_TLS=true, so one source tree builds and links against either hiredis.
//
// The OpenSSL context is made here rather than with hiredis' redisCreateSSLContext, because
// hiredis verifies the certificate chain but never the host name: SSL_set1_host (or the IP
// address check) makes a certificate issued for another name fail the handshake too.
#define CP_STRINGIFY_(x) #x
#define CP_STRINGIFY(x) CP_STRINGIFY_(x)

typedef struct cp_ssl_ctx cp_ssl_ctx;
typedef struct cp_ssl cp_ssl;

typedef struct {
    void *hiredis_ssl;
    void *openssl;
    cp_ssl_ctx *context;
    int (*initiate)(redisContext *c, cp_ssl *ssl);
    cp_ssl *(*ssl_new)(cp_ssl_ctx *context);
    void (*ssl_free)(cp_ssl *ssl);
    long (*ssl_ctrl)(cp_ssl *ssl, int command, long number, void *pointer);
    int (*ssl_set1_host)(cp_ssl *ssl, const char *host);
    void *(*ssl_get0_param)(cp_ssl *ssl);
    int (*param_set1_ip_asc)(void *param, const char *address);
    void (*ctx_free)(cp_ssl_ctx *context);
} cp_redis_tls;

// OpenSSL's macros, spelled out because its headers are not needed to build.
enum {
    CP_SSL_VERIFY_PEER = 1,
    CP_SSL_CTRL_SET_TLSEXT_HOSTNAME = 55,
    CP_TLSEXT_NAMETYPE_HOST_NAME = 0,
    CP_SSL_CTRL_SET_MIN_PROTO_VERSION = 123,
    CP_TLS1_2_VERSION = 0x0303,
};

static inline void cp_redis_tls_free(cp_redis_tls *tls) {
    if (tls->context && tls->ctx_free) tls->ctx_free(tls->context);
    if (tls->hiredis_ssl) dlclose(tls->hiredis_ssl);
    if (tls->openssl) dlclose(tls->openssl);
    *tls = (cp_redis_tls){0};
}

enum { CP_TLS_READY = 1, CP_TLS_UNAVAILABLE = 0, CP_TLS_BAD_CA = -1 };

// Loads libhiredis_ssl and OpenSSL and makes a client context that requires TLS 1.2 or newer and
// verifies the server against `ca_file` (NULL: the system's trust store). Returns CP_TLS_READY, or
// CP_TLS_UNAVAILABLE / CP_TLS_BAD_CA with the reason in `error`.
static inline int cp_redis_tls_create(cp_redis_tls *tls, const char *ca_file, char *error, size_t error_size) {
    *tls = (cp_redis_tls){0};
#if HIREDIS_MAJOR < 1
    (void)ca_file;
    snprintf(error, error_size, "this build links hiredis %d.%d, which has no TLS support (hiredis 1.x with libhiredis_ssl has it)",
             HIREDIS_MAJOR, HIREDIS_MINOR);
    return CP_TLS_UNAVAILABLE;
#else
    tls->hiredis_ssl = dlopen("libhiredis_ssl.so." CP_STRINGIFY(HIREDIS_SONAME), RTLD_NOW | RTLD_LOCAL);
    if (!tls->hiredis_ssl) tls->hiredis_ssl = dlopen("libhiredis_ssl.so", RTLD_NOW | RTLD_LOCAL);
    if (!tls->hiredis_ssl) {
        snprintf(error, error_size, "cannot load libhiredis_ssl.so." CP_STRINGIFY(HIREDIS_SONAME) " (install the hiredis %d.%d runtime package with TLS): %s",
                 HIREDIS_MAJOR, HIREDIS_MINOR, dlerror());
        return CP_TLS_UNAVAILABLE;
    }
    tls->openssl = dlopen("libssl.so.3", RTLD_NOW | RTLD_LOCAL);
    if (!tls->openssl) {
        snprintf(error, error_size, "cannot load OpenSSL (libssl.so.3): %s", dlerror());
        cp_redis_tls_free(tls);
        return CP_TLS_UNAVAILABLE;
    }
    const void *(*client_method)(void) = (const void *(*)(void))dlsym(tls->openssl, "TLS_client_method");
    cp_ssl_ctx *(*ctx_new)(const void *) = (cp_ssl_ctx *(*)(const void *))dlsym(tls->openssl, "SSL_CTX_new");
    long (*ctx_ctrl)(cp_ssl_ctx *, int, long, void *) = (long (*)(cp_ssl_ctx *, int, long, void *))dlsym(tls->openssl, "SSL_CTX_ctrl");
    void (*ctx_set_verify)(cp_ssl_ctx *, int, void *) = (void (*)(cp_ssl_ctx *, int, void *))dlsym(tls->openssl, "SSL_CTX_set_verify");
    int (*load_locations)(cp_ssl_ctx *, const char *, const char *) =
        (int (*)(cp_ssl_ctx *, const char *, const char *))dlsym(tls->openssl, "SSL_CTX_load_verify_locations");
    int (*default_paths)(cp_ssl_ctx *) = (int (*)(cp_ssl_ctx *))dlsym(tls->openssl, "SSL_CTX_set_default_verify_paths");
    tls->initiate = (int (*)(redisContext *, cp_ssl *))dlsym(tls->hiredis_ssl, "redisInitiateSSL");
    tls->ssl_new = (cp_ssl *(*)(cp_ssl_ctx *))dlsym(tls->openssl, "SSL_new");
    tls->ssl_free = (void (*)(cp_ssl *))dlsym(tls->openssl, "SSL_free");
    tls->ssl_ctrl = (long (*)(cp_ssl *, int, long, void *))dlsym(tls->openssl, "SSL_ctrl");
    tls->ssl_set1_host = (int (*)(cp_ssl *, const char *))dlsym(tls->openssl, "SSL_set1_host");
    tls->ssl_get0_param = (void *(*)(cp_ssl *))dlsym(tls->openssl, "SSL_get0_param");
    tls->param_set1_ip_asc = (int (*)(void *, const char *))dlsym(tls->openssl, "X509_VERIFY_PARAM_set1_ip_asc");
    tls->ctx_free = (void (*)(cp_ssl_ctx *))dlsym(tls->openssl, "SSL_CTX_free");
    if (!(client_method && ctx_new && ctx_ctrl && ctx_set_verify && load_locations && default_paths && tls->initiate
          && tls->ssl_new && tls->ssl_free && tls->ssl_ctrl && tls->ssl_set1_host && tls->ssl_get0_param
          && tls->param_set1_ip_asc && tls->ctx_free)) {
        snprintf(error, error_size, "libhiredis_ssl or OpenSSL lacks a function this program needs");
        cp_redis_tls_free(tls);
        return CP_TLS_UNAVAILABLE;
    }
    tls->context = ctx_new(client_method());
    if (!tls->context) {
        snprintf(error, error_size, "OpenSSL could not make a TLS client context");
        cp_redis_tls_free(tls);
        return CP_TLS_UNAVAILABLE;
    }
    ctx_ctrl(tls->context, CP_SSL_CTRL_SET_MIN_PROTO_VERSION, CP_TLS1_2_VERSION, NULL);
    ctx_set_verify(tls->context, CP_SSL_VERIFY_PEER, NULL);
    int loaded = ca_file ? load_locations(tls->context, ca_file, NULL) : default_paths(tls->context);
    if (loaded != 1) {
        snprintf(error, error_size, "OpenSSL found no CA certificates to load in %s", ca_file ? ca_file : "the system's trust store");
        cp_redis_tls_free(tls);
        return CP_TLS_BAD_CA;
    }
    return CP_TLS_READY;
#endif
}

// Runs the TLS handshake on a connected context, verifying the certificate against `server_name`
// (a DNS name, which is also sent as SNI, or an IP address). On failure the context's errstr says why.
static inline int cp_redis_tls_connect(const cp_redis_tls *tls, redisContext *c, const char *server_name) {
    cp_ssl *ssl = tls->ssl_new(tls->context);
    if (!ssl) {
        snprintf(c->errstr, sizeof(c->errstr), "OpenSSL could not make a TLS session");
        return REDIS_ERR;
    }
    unsigned char address[16];
    int is_address = inet_pton(AF_INET, server_name, address) == 1 || inet_pton(AF_INET6, server_name, address) == 1;
    int named = is_address
        ? tls->param_set1_ip_asc(tls->ssl_get0_param(ssl), server_name)
        : tls->ssl_ctrl(ssl, CP_SSL_CTRL_SET_TLSEXT_HOSTNAME, CP_TLSEXT_NAMETYPE_HOST_NAME, (void *)server_name) == 1
              && tls->ssl_set1_host(ssl, server_name) == 1;
    if (!named) {
        tls->ssl_free(ssl);
        snprintf(c->errstr, sizeof(c->errstr), "OpenSSL refused the server name \"%s\"", server_name);
        return REDIS_ERR;
    }
    // On success hiredis owns the session and frees it with the context; on failure it is ours.
    if (tls->initiate(c, ssl) != REDIS_OK) {
        tls->ssl_free(ssl);
        return REDIS_ERR;
    }
    return REDIS_OK;
}
#endif

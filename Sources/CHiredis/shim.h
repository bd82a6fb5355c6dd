#ifndef COUNT_PIPELINE_CHIREDIS_SHIM_H
#define COUNT_PIPELINE_CHIREDIS_SHIM_H
#include <hiredis/hiredis.h>
#include <stdlib.h>

// hiredis is only the protocol here: redisFormatCommandArgv encodes commands, and one redisReader
// per connection parses the bytes SwiftNIO reads. The reader builds replies through callbacks, so
// Swift makes its own values straight from the read buffer instead of copying hiredis' redisReply
// objects. What this shim hides is where hiredis 0.14 (Debian 12) and 1.x differ in those
// callbacks: 0.14 passes an array's length as int, 1.x as size_t, and 1.x adds RESP3's doubles
// and booleans, which a RESP2 server never sends but which must not reach a NULL callback.

/// The callbacks Swift provides, with one signature whichever hiredis is linked. Each returns the
/// object it made (never NULL, which hiredis takes for "out of memory"); `release` frees a reply
/// that was never handed out (hiredis calls it on the root object only).
typedef struct {
    void *(*string)(const redisReadTask *task, char *text, size_t length);
    void *(*array)(const redisReadTask *task, long long count);
    void *(*integer)(const redisReadTask *task, long long value);
    void *(*nil)(const redisReadTask *task);
    void (*release)(void *object);
} cp_reply_builders;

// hiredis keeps a pointer to its function table, so the table lives beside the reader (in its
// privdata, which hiredis also passes to every read task: that is how the adapters find Swift's).
typedef struct {
    redisReplyObjectFunctions hiredis;
    cp_reply_builders swift;
} cp_reader_functions;

#if HIREDIS_MAJOR >= 1
typedef size_t cp_array_length;
#else
typedef int cp_array_length;
#endif

static inline const cp_reply_builders *cp_builders(const redisReadTask *task) {
    return &((const cp_reader_functions *)task->privdata)->swift;
}

static inline void *cp_create_array(const redisReadTask *task, cp_array_length count) {
    return cp_builders(task)->array(task, (long long)count);
}

#if HIREDIS_MAJOR >= 1
static inline void *cp_create_double(const redisReadTask *task, double value, char *text, size_t length) {
    (void)value;  // kept as the server wrote it, like a status reply
    return cp_builders(task)->string(task, text, length);
}

static inline void *cp_create_bool(const redisReadTask *task, int value) {
    return cp_builders(task)->integer(task, value);
}
#endif

/// A reader whose replies are built by `builders`; free it with cp_reader_free. NULL: out of memory.
static inline redisReader *cp_reader_create(cp_reply_builders builders) {
    cp_reader_functions *functions = calloc(1, sizeof *functions);
    if (!functions) return NULL;
    functions->swift = builders;
    functions->hiredis.createString = builders.string;
    functions->hiredis.createArray = cp_create_array;
    functions->hiredis.createInteger = builders.integer;
    functions->hiredis.createNil = builders.nil;
    functions->hiredis.freeObject = builders.release;
#if HIREDIS_MAJOR >= 1
    functions->hiredis.createDouble = cp_create_double;
    functions->hiredis.createBool = cp_create_bool;
#endif
    redisReader *reader = redisReaderCreateWithFunctions(&functions->hiredis);
    if (!reader) {
        free(functions);
        return NULL;
    }
    reader->privdata = functions;
    return reader;
}

static inline void cp_reader_free(redisReader *reader) {
    void *functions = reader->privdata;
    redisReaderFree(reader);  // may still call `release` on a half-read reply
    free(functions);
}
#endif

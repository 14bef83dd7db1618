/*
 * crmsync plugin ABI: the whole contract between the crmsync engine and a plugin shared library.
 *
 * Rules that keep this contract stable:
 *  - Only C types cross the boundary. No C++ types, no exceptions, no allocator sharing.
 *  - A plugin exports exactly one symbol, CRMSYNC_PLUGIN_ENTRY_SYMBOL, returning its descriptor.
 *  - Structs start with struct_size so either side can tell which fields the other one knows.
 *  - The host function table is append-only: a slot never moves once released. New slots bump the minor
 *    version; a plugin must check host->struct_size (or abi_minor) before calling a slot newer than 1.0.
 *  - Any incompatible change bumps the major version. The engine refuses plugins built against another major
 *    or a newer minor than its own.
 *
 * Ownership:
 *  - Strings and arrays passed host -> plugin are borrowed for the duration of the call unless stated otherwise.
 *  - Records passed to host->emit are copied by the host before emit returns; the plugin keeps ownership.
 *  - An instance created by open() belongs to the plugin and is released only by close().
 *  - Error text returned by last_error() is owned by the plugin and stays valid until the next call on the
 *    same instance (or, for a NULL instance, on the same thread).
 */
#ifndef CRMSYNC_PLUGIN_ABI_H
#define CRMSYNC_PLUGIN_ABI_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#define CRMSYNC_ABI_MAJOR 1
#define CRMSYNC_ABI_MINOR 1

/* The one exported symbol of every plugin. */
#define CRMSYNC_PLUGIN_ENTRY_SYMBOL "crmsync_plugin_entry"

#if defined(_WIN32)
#define CRMSYNC_PLUGIN_EXPORT __declspec(dllexport)
#else
#define CRMSYNC_PLUGIN_EXPORT __attribute__((visibility("default")))
#endif

/* Result of every fallible call. Details are in the matching last_error() text. */
typedef enum crmsync_status {
  CRMSYNC_OK = 0,
  CRMSYNC_ERR_CONFIG = 1,    /* configuration is wrong: fix the pipeline YAML */
  CRMSYNC_ERR_IO = 2,        /* a file, network or peer failed */
  CRMSYNC_ERR_DATA = 3,      /* input could not be understood as a whole */
  CRMSYNC_ERR_CANCELLED = 4, /* the host asked to stop */
  CRMSYNC_ERR_AUTH = 5,      /* credentials were refused */
  CRMSYNC_ERR_INTERNAL = 6,  /* a bug; the text says where */
  CRMSYNC_ERR_UNSUPPORTED = 7
} crmsync_status;

typedef enum crmsync_plugin_kind {
  CRMSYNC_KIND_SOURCE = 1, /* reads an outside system and emits records */
  CRMSYNC_KIND_STAGE = 2,  /* transforms batches of records */
  CRMSYNC_KIND_SINK = 3    /* writes records to an outside system */
} crmsync_plugin_kind;

/* Type of a declared configuration key; the engine validates YAML values against it before open(). */
typedef enum crmsync_config_type {
  CRMSYNC_CONFIG_STRING = 1,
  CRMSYNC_CONFIG_INT = 2,
  CRMSYNC_CONFIG_BOOL = 3,
  CRMSYNC_CONFIG_DOUBLE = 4,
  CRMSYNC_CONFIG_STRING_LIST = 5, /* passed to open() as a JSON array of strings */
  CRMSYNC_CONFIG_MAP = 6,         /* string -> string map, passed to open() as a JSON object */
  CRMSYNC_CONFIG_SECRET = 7,      /* a string that must never be logged; usually ${env:...} or ${file:...} */
  CRMSYNC_CONFIG_PATH = 8         /* a file or directory; relative paths are resolved against the pipeline file */
} crmsync_config_type;

typedef enum crmsync_log_level {
  CRMSYNC_LOG_DEBUG = 0,
  CRMSYNC_LOG_INFO = 1,
  CRMSYNC_LOG_WARN = 2,
  CRMSYNC_LOG_ERROR = 3
} crmsync_log_level;

/* One declared configuration key. default_value is NULL when the key has no default. */
typedef struct crmsync_config_key {
  const char* name;
  int32_t type; /* crmsync_config_type */
  const char* default_value;
  int32_t required; /* non-zero: the pipeline must set it */
  const char* description;
} crmsync_config_key;

/* A configuration entry handed to open(): every declared key, with defaults applied and secrets resolved.
 * Scalars are in their YAML text form; lists and maps are JSON. */
typedef struct crmsync_config_entry {
  const char* name;
  const char* value;
} crmsync_config_entry;

/* A field of a record. A NULL value is a null field, distinct from an empty string. Values are UTF-8. */
typedef struct crmsync_field {
  const char* name;
  const char* value;
} crmsync_field;

/* A canonical record: entity (customer, interaction, order, order_line, feedback, opportunity), the key the
 * source gives it, its last change time (ISO 8601, may be NULL) and its fields. origin says where it came from
 * (for example "contacts.csv:12") and appears in errors and in quarantine. */
typedef struct crmsync_record {
  uint32_t struct_size;
  const char* entity;
  const char* source_key;
  const char* updated_at;
  const char* origin;
  const crmsync_field* fields;
  size_t field_count;
} crmsync_record;

/* A record the plugin could not turn into a canonical record. raw holds what was read (may be NULL), as UTF-8:
 * bytes that are not valid UTF-8 must be escaped (for example as \xNN) so quarantine can store and show them. */
typedef struct crmsync_rejected {
  uint32_t struct_size;
  const char* source_key; /* may be NULL when no key could be read */
  const char* origin;
  const char* reason;
  const char* raw;
} crmsync_rejected;

/* Opaque per-instance context the host passes back into every host function. */
typedef struct crmsync_host_ctx crmsync_host_ctx;

/* ABI 1.1: one HTTP header. */
typedef struct crmsync_http_header {
  const char* name;
  const char* value;
} crmsync_http_header;

/* ABI 1.1: a request for host->http_request. Everything in it is borrowed by the host for the call only.
 * The host retries timeouts, connection failures, 408, 429 and 5xx with backoff (honouring Retry-After and
 * X-RateLimit-Remaining/Reset), keeps TLS verification on, and keeps credentials out of its logs and errors. */
typedef struct crmsync_http_request {
  uint32_t struct_size; /* sizeof(crmsync_http_request) */
  const char* method;   /* "GET", "POST", ...; NULL means GET */
  const char* url;      /* http:// or https:// */
  const crmsync_http_header* headers;
  size_t header_count;
  const char* body; /* may be NULL when body_size is 0; need not be NUL-terminated */
  size_t body_size;
  uint32_t timeout_ms; /* total time for one attempt; 0 uses the host's default */
  /* Optional: receives a successful response body in chunks as it arrives (a large download then never sits in
   * memory); the response's body stays empty. Return 0 to go on; non-zero stops the transfer and the call
   * returns CRMSYNC_ERR_CANCELLED. data is valid only during the call. */
  int32_t (*on_body)(void* user, const char* data, size_t size);
  void* user; /* passed to on_body */
} crmsync_http_request;

/* ABI 1.1: what host->http_request filled in. The plugin provides the struct (zeroed, struct_size set); the host
 * owns everything it points to until the plugin calls response->release(response), which it must do exactly once
 * whenever release is non-NULL after the call, whatever the status. */
typedef struct crmsync_http_response {
  uint32_t struct_size; /* set by the plugin: sizeof(crmsync_http_response) */
  int32_t status;       /* HTTP status of the last attempt; 0 when no response arrived */
  const crmsync_http_header* headers;
  size_t header_count;
  const char* body; /* NUL-terminated for convenience; body_size excludes the NUL */
  size_t body_size;
  const char* error; /* on a non-OK call: what went wrong, with the URL's secrets removed; NULL otherwise */
  void (*release)(struct crmsync_http_response* response);
  void* host_private; /* the host's, do not touch */
} crmsync_http_response;

/* Functions the engine offers a plugin. Append-only: slots never move, new ones go at the end. */
typedef struct crmsync_host_api {
  uint32_t struct_size;
  uint16_t abi_major;
  uint16_t abi_minor;

  /* Hands a batch of records to the engine, which copies them before returning. A non-OK status (for example
   * CRMSYNC_ERR_CANCELLED) means the plugin should stop reading and return that status. */
  crmsync_status (*emit)(crmsync_host_ctx* ctx, const crmsync_record* records, size_t count);

  /* Sends one unusable input item to quarantine with its reason; the run goes on. */
  crmsync_status (*reject)(crmsync_host_ctx* ctx, const crmsync_rejected* rejected);

  /* The cursor this source committed in its last successful run, or NULL on the first run. The string is owned
   * by the host and valid until the next call of get_cursor or set_cursor. */
  const char* (*get_cursor)(crmsync_host_ctx* ctx);

  /* Stages the cursor to commit with this run. It is only persisted if the whole run commits. */
  crmsync_status (*set_cursor)(crmsync_host_ctx* ctx, const char* cursor);

  void (*log)(crmsync_host_ctx* ctx, int32_t level, const char* message);

  /* Resolves a secret reference such as "${env:NAME}" or "${file:PATH}" into buf (NUL-terminated).
   * *needed receives the length without the NUL; when it is >= capacity, call again with a larger buffer. */
  crmsync_status (*get_secret)(crmsync_host_ctx* ctx, const char* reference, char* buf, size_t capacity,
                               size_t* needed);

  /* Non-zero when the run is being cancelled; long reads should check it between batches. */
  int32_t (*is_cancelled)(crmsync_host_ctx* ctx);

  /* ABI 1.1. Sends an HTTP request through the engine's HTTP service. An HTTP error status such as 404 or 401
   * is an answer, not a failure: the call returns CRMSYNC_OK with response->status set. It fails with
   * CRMSYNC_ERR_IO when every attempt failed, CRMSYNC_ERR_CANCELLED when the run is cancelled or on_body
   * stopped, CRMSYNC_ERR_CONFIG for a malformed request; response->error then says why. */
  crmsync_status (*http_request)(crmsync_host_ctx* ctx, const crmsync_http_request* request,
                                 crmsync_http_response* response);

  /* Minor 2 and later append here. */
} crmsync_host_api;

/* What a plugin is and how to drive it. Returned by the entry point; static storage owned by the plugin. */
typedef struct crmsync_plugin_descriptor {
  uint32_t struct_size;
  uint16_t abi_major;
  uint16_t abi_minor;
  const char* name; /* unique among loaded plugins: [a-z0-9_]+ */
  const char* version;
  int32_t kind; /* crmsync_plugin_kind */
  const char* description;
  const crmsync_config_key* config_keys;
  size_t config_key_count;

  /* Called once after loading, before any open(). May be NULL. Non-OK refuses the plugin. */
  crmsync_status (*init)(const crmsync_host_api* host);

  /* Creates an instance for one configured use of the plugin. On failure *instance stays NULL and
   * last_error(NULL) explains. */
  crmsync_status (*open)(const crmsync_host_api* host, crmsync_host_ctx* ctx, const crmsync_config_entry* config,
                         size_t config_count, void** instance);

  /* Sources: read everything new since the cursor, emitting batches through host->emit, then return. */
  crmsync_status (*read)(void* instance);

  /* Stages and sinks: take one batch. A stage emits its output through host->emit. May be NULL for sources. */
  crmsync_status (*process)(void* instance, const crmsync_record* records, size_t count);

  /* Releases the instance and everything it owns. */
  void (*close)(void* instance);

  /* Text of the last error on this instance (NULL instance: the last open/init error on this thread). */
  const char* (*last_error)(void* instance);

  /* Called once before unloading. May be NULL. */
  void (*shutdown)(void);

  void* reserved[8];
} crmsync_plugin_descriptor;

/* Signature of the exported entry point. host_abi_major/minor tell the plugin which host it runs in. */
typedef const crmsync_plugin_descriptor* (*crmsync_plugin_entry_fn)(uint16_t host_abi_major,
                                                                    uint16_t host_abi_minor);

#ifdef __cplusplus
}
#endif

#endif /* CRMSYNC_PLUGIN_ABI_H */

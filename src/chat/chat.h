/* chat/chat.h - live chat: sites, the visitor and agent WebSockets, conversations.
 * The protocol is docs/chat-protocol.md. */
#ifndef KF_CHAT_CHAT_H
#define KF_CHAT_CHAT_H

#include <stddef.h>

struct app;
struct http_server;
struct http_req;

/* Adds the chat routes (REST, /ws/visitor, /ws/agent, /widget.js, /widget-extras.js, /demo). */
void chat_register(struct http_server *s);
/* Stops the chat's timers, so the loop can end (graceful shutdown). */
void chat_shutdown(void);

/* The content-addressed file store under DATA/files/ab/cdef… (SHA-256), which chat files and
 * ticket attachments share. keep: hashes the finished upload at tmp_path and moves it there
 * (or drops it when the bytes are kept already): 0, KF_EINVAL unreadable, KF_EIO. put: the same
 * for bytes in memory. sha gets the hex hash. Disk work: keep runs in worker jobs. serve:
 * replies with the blob as a download called name (images inline), read off the loop. */
int chat_blob_keep(struct app *a, const char *tmp_path, char sha[65]);
int chat_blob_put(struct app *a, const void *data, size_t len, char sha[65]);
void chat_blob_serve(struct http_req *r, const char *sha, const char *name, const char *content_type);

#endif

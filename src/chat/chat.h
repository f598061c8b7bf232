/* chat/chat.h - live chat: sites, the visitor and agent WebSockets, conversations.
 * The protocol is docs/chat-protocol.md. */
#ifndef KF_CHAT_CHAT_H
#define KF_CHAT_CHAT_H

struct http_server;

/* Adds the chat routes (REST, /ws/visitor, /ws/agent, /widget.js, /demo). */
void chat_register(struct http_server *s);
/* Stops the chat's timers, so the loop can end (graceful shutdown). */
void chat_shutdown(void);

#endif

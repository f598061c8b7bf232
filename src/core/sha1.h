/* core/sha1.h - SHA-1, only for the WebSocket handshake (RFC 6455 requires it;
 * libsodium has no SHA-1). Never use it for anything that needs collision resistance. */
#ifndef KF_CORE_SHA1_H
#define KF_CORE_SHA1_H
#include <stddef.h>
#include <stdint.h>

void sha1(const void *data, size_t len, uint8_t out[20]);

#endif

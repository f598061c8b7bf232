/* core/util.h - small helpers with no product knowledge: UTF-8 checks, time,
 * random tokens, hashing, number parsing, URL decoding. */
#ifndef KF_CORE_UTIL_H
#define KF_CORE_UTIL_H
#include <stddef.h>
#include <stdint.h>

/* 1 when s[0..n) is well-formed UTF-8 (no overlongs, surrogates or > U+10FFFF). */
int utf8_valid(const char *s, size_t n);

int64_t time_now_ms(void);      /* wall clock, ms since the epoch */
int64_t time_now_s(void);
uint64_t time_mono_ns(void);    /* monotonic, for durations */

/* Random token: 32 random bytes as base64url without padding, into out (>= 44 bytes). */
void token_new(char *out, size_t outsz);
/* Hex of BLAKE2b-256 of s, into out (>= 65 bytes). Only hashes of tokens are stored. */
void token_hash_hex(const char *s, size_t n, char out[65]);

/* Strict decimal parse of s[0..n): optional '-', digits only, in range. 0 or KF_EINVAL. */
int parse_i64(const char *s, size_t n, int64_t *out);

/* Decodes %XX and (when plus_space) '+' in place; returns the new length, or -1 on a bad escape. */
long url_decode(char *s, size_t n, int plus_space);

/* Copies s into out (outsz bytes, NUL-terminated), cutting at a character boundary so a
 * long UTF-8 string never ends in half a character. Returns the bytes copied. */
size_t utf8_copy(char *out, size_t outsz, const char *s);

/* Case-insensitive ASCII compare of two counted strings. */
int ascii_casecmp_n(const char *a, size_t an, const char *b);

#endif

/* store/store_bot.h - the FAQ bot's settings per site, each conversation's bot state, and the
 * events the deflection figures count. Conventions as store.h. */
#ifndef KF_STORE_STORE_BOT_H
#define KF_STORE_STORE_BOT_H
#include <stdint.h>

struct store;

struct store_bot_settings {
	char mode[12];            /* off, offline, always */
	double threshold;         /* 0..1: the least confidence the bot answers with */
	char name[128];           /* shown as the author; "" = the widget's default */
};
int store_bot_settings_get(struct store *st, int64_t site_id, struct store_bot_settings *out);
int store_bot_settings_set(struct store *st, int64_t site_id, const struct store_bot_settings *s);

/* A conversation's bot state: "", held, handover, resolved. */
int store_bot_state_get(struct store *st, int64_t conv_id, char out[12]);
int store_bot_state_set(struct store *st, int64_t conv_id, const char *state);

/* Every held chat becomes handed over (start-up: the hold deadlines were in memory). */
int store_bot_release_all(struct store *st);

int store_bot_event(struct store *st, int64_t site_id, int64_t conv_id, int64_t article_id, double confidence,
		    const char *outcome, const char *question, int64_t at);

struct store_bot_stats {
	int64_t answered, unanswered, resolved, handover;   /* events */
	int64_t conversations;                              /* conversations the bot answered in */
	int64_t deflected;                                  /* of those, resolved and never handed to people */
};
int store_bot_stats(struct store *st, int64_t site_id, int64_t from, int64_t to, struct store_bot_stats *out);

#endif

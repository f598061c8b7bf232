/* app/demo.h - the demo's data (make demo): departments, an invitation rule and a month of
 * traffic and chats on the first site, so every screen has something true to show. */
#ifndef KF_APP_DEMO_H
#define KF_APP_DEMO_H

struct store;

/* Seeds the first site (made by `kefu site add`); 0, 1 when already seeded, or an error. */
int demo_seed(struct store *st);

#endif

/* chat/notify.c - e-mail around offline conversations: the site's agents hear of a message
 * left while nobody was online, and a visitor who is gone gets the agent's reply by mail
 * (and in the widget on the next visit). Nothing happens when SMTP is not set up. */
#include "chat/chat_int.h"
#include "app/app.h"
#include "core/buf.h"
#include "core/kf.h"
#include "mail/mail.h"
#include <stdio.h>
#include <string.h>

void chat_notify_offline(struct app *a, const struct store_conv *c, const char *text)
{
	struct mail_settings m;
	struct store_site site;
	int64_t ids[256];
	size_t n = 0;
	if (app_mail_settings(a, &m) != 0 || store_site_get(a->st, c->site_id, &site) != 0 ||
	    store_site_members(a->st, c->site_id, ids, KF_ARRAY_LEN(ids), &n) != 0)
		return;
	char subject[600];
	struct buf b;
	buf_init(&b, 0);
	snprintf(subject, sizeof(subject), "[%s] 离线留言 / offline message #%lld", site.name, (long long)c->id);
	buf_addf(&b, "A visitor left a message on %s while no agent was online:\n\n%s\n\n"
		 "Answer it in the console; the visitor sees the reply on their next visit%s.\n",
		 site.name, text, c->visitor_email[0] ? " and by e-mail" : "");
	for (size_t i = 0; i < n; i++) {
		struct store_user u;
		if (store_user_get(a->st, ids[i], &u) == 0 && !u.disabled)
			mail_send_async(a->loop, &m, u.email, subject, b.ptr);
	}
	buf_release(&b);
}

void chat_notify_visitor(struct app *a, const struct store_conv *c, const char *agent, const char *text)
{
	struct mail_settings m;
	struct store_conv s;
	if (store_conv_summary(a->st, c->id, &s) != 0 || !mail_valid_address(s.visitor_email) ||
	    hub_visitor_online(s.visitor_id) || app_mail_settings(a, &m) != 0)
		return;
	char subject[600];
	struct buf b;
	buf_init(&b, 0);
	snprintf(subject, sizeof(subject), "%s 回复了您的留言 / %s replied", s.site_name, s.site_name);
	buf_addf(&b, "%s (%s):\n\n%s\n\n—\n%s\n", agent, s.site_name, text,
		 "You can also read and answer this on our website's chat. / 您也可以在网站的在线客服中查看和回复。");
	mail_send_async(a->loop, &m, s.visitor_email, subject, b.ptr);
	buf_release(&b);
}

/* ticket/demo.c - the tickets part of `kefu demo-seed` (app/demo.c calls it after the CRM's):
 * an after-sales form, and tickets of every kind a shop meets, filed through ticket.h exactly
 * as the channels file them (so history, search and the SLA hooks are real): an e-mail
 * question with a reply, a return request on a delivered order waiting for approval, a repair
 * being diagnosed, a complaint that breached its SLA, a resolved ticket with its satisfaction
 * answer, and a closed complaint whose follow-up visit is due. */
#include "ticket/ticket.h"
#include "ticket/sla.h"
#include "app/app.h"
#include "core/kf.h"
#include "core/util.h"
#include "store/store_crm.h"
#include "store/store_form.h"
#include "store/store_sla.h"
#include <jansson.h>
#include <stdio.h>
#include <string.h>

#define HOUR 3600
#define DAY 86400

/* Complaints have their own door (投诉): a form whose tickets are complaints, so they start at
 * high priority with the complaint SLA. */
static int complaint_form(struct app *a, int64_t site_id, int64_t now)
{
	struct store_form f;
	memset(&f, 0, sizeof(f));
	f.site_id = site_id;
	snprintf(f.name, sizeof(f.name), "投诉与建议");
	snprintf(f.ticket_type, sizeof(f.ticket_type), "complaint");
	snprintf(f.title, sizeof(f.title), "投诉与建议 Complaints");
	snprintf(f.intro, sizeof(f.intro), "您的投诉会由主管跟进，一小时内回复。 A supervisor follows every complaint; we answer within an hour.");
	snprintf(f.success_message, sizeof(f.success_message), "已收到您的投诉，我们会尽快联系您。 We have your complaint and will contact you soon.");
	snprintf(f.fields, sizeof(f.fields), "%s",
		 "[{\"key\":\"name\",\"label\":\"姓名 Name\",\"type\":\"text\",\"required\":true,\"max_length\":60},"
		 "{\"key\":\"email\",\"label\":\"邮箱 E-mail\",\"type\":\"email\",\"required\":true},"
		 "{\"key\":\"order\",\"label\":\"订单号 Order number\",\"type\":\"order_number\",\"required\":false},"
		 "{\"key\":\"details\",\"label\":\"投诉内容 What happened\",\"type\":\"textarea\",\"required\":true,\"max_length\":2000}]");
	f.active = 1;
	f.created_at = f.updated_at = now;
	return store_form_create(a->st, &f);
}

static int demo_form(struct app *a, int64_t site_id, int64_t now)
{
	struct store_form f;
	memset(&f, 0, sizeof(f));
	f.site_id = site_id;
	snprintf(f.name, sizeof(f.name), "售后服务申请");
	snprintf(f.ticket_type, sizeof(f.ticket_type), "question");
	snprintf(f.title, sizeof(f.title), "售后服务申请 After-sales request");
	snprintf(f.intro, sizeof(f.intro), "请留下您的问题，我们会在一个工作日内回复。 Tell us what happened; we answer within one business day.");
	snprintf(f.success_message, sizeof(f.success_message), "已收到，我们会尽快处理。 Thank you, we are on it.");
	snprintf(f.fields, sizeof(f.fields), "%s",
		 "[{\"key\":\"name\",\"label\":\"姓名 Name\",\"type\":\"text\",\"required\":true,\"max_length\":60},"
		 "{\"key\":\"email\",\"label\":\"邮箱 E-mail\",\"type\":\"email\",\"required\":true},"
		 "{\"key\":\"phone\",\"label\":\"手机 Phone\",\"type\":\"phone\",\"required\":false},"
		 "{\"key\":\"order\",\"label\":\"订单号 Order number\",\"type\":\"order_number\",\"required\":false},"
		 "{\"key\":\"topic\",\"label\":\"问题类型 Topic\",\"type\":\"select\",\"required\":true,"
		 "\"options\":[\"发票 Invoice\",\"物流 Delivery\",\"商品质量 Quality\",\"其他 Other\"]},"
		 "{\"key\":\"details\",\"label\":\"详细描述 Details\",\"type\":\"textarea\",\"required\":true,\"max_length\":2000},"
		 "{\"key\":\"photo\",\"label\":\"照片 Photo\",\"type\":\"file\",\"required\":false}]");
	f.active = 1;
	f.created_at = f.updated_at = now;
	return store_form_create(a->st, &f);
}

/* One ticket from a customer of the CRM demo (ext demo-NNN), its first words as body. */
static int64_t demo_ticket(struct app *a, int64_t site_id, const char *ext, const char *channel, const char *type,
			   const char *subject, const char *body, const char *state, const char *workflow)
{
	struct store_customer c;
	int64_t id = 0;
	char err[160];
	if (store_customer_by_external(a->st, site_id, ext, &c) != 0)
		return 0;
	const char *email = "";
	json_t *emails = json_loads(c.emails, 0, NULL);
	if (json_is_array(emails) && json_array_size(emails))
		email = json_string_value(json_array_get(emails, 0));
	struct ticket_new n = { .site_id = site_id, .subject = subject, .channel = channel, .type = type,
				.requester_name = c.name, .requester_email = email, .customer_id = c.id, .body = body,
				.workflow_state = state, .workflow = workflow, .actor = "customer",
				.customer_verified = 1 };   /* the demo's customers are the shop's own */
	if (ticket_create(a, &n, &id, NULL, err, sizeof(err)) != 0)
		fprintf(stderr, "kefu: demo ticket %s: %s\n", subject, err);
	json_decref(emails);
	return id;
}

static void agent_reply(struct app *a, int64_t id, int64_t agent, const char *kind, const char *body)
{
	struct ticket_msg_new m = { .ticket_id = id, .kind = kind, .author_kind = "agent", .user_id = agent,
				    .author_name = "小王", .body = body };
	int64_t mid;
	ticket_add_message(a, &m, &mid);
}

/* The first delivered order of a demo customer, as {"number", "sku", "name"} for a workflow. */
struct pick {
	struct app *a;
	int64_t site_id;
	char *number, *sku, *name;
	size_t nsz, ssz, namesz;
	int found;
};

static int pick_delivered(void *ud, const struct store_order *head)
{
	struct pick *p = ud;
	struct store_order o;
	if (strcmp(head->status, "delivered") != 0 || store_order_get(p->a->st, p->site_id, head->number, &o) != 0)
		return 0;
	if (o.nitems > 0) {
		snprintf(p->number, p->nsz, "%s", o.number);
		snprintf(p->sku, p->ssz, "%s", o.items[0].sku);
		snprintf(p->name, p->namesz, "%s", o.items[0].name);
		p->found = 1;
	}
	store_order_free(&o);
	return p->found;   /* non-zero stops the walk */
}

static int delivered_order(struct app *a, int64_t site_id, const char *ext, char *number, size_t nsz, char *sku,
			   size_t ssz, char *name, size_t namesz)
{
	struct store_customer c;
	struct pick p = { a, site_id, number, sku, name, nsz, ssz, namesz, 0 };
	if (store_customer_by_external(a->st, site_id, ext, &c) != 0)
		return KF_ENOTFOUND;
	store_order_each(a->st, site_id, c.id, 50, pick_delivered, &p);
	return p.found ? 0 : KF_ENOTFOUND;
}

int ticket_demo_seed(struct app *a, int64_t site_id, int64_t agent, int64_t supervisor)
{
	int64_t now = time_now_s(), id;
	char number[65] = "", sku[65] = "", name[256] = "", wf[1024];
	ticket_sla_hooks(a);   /* complaints get their priority and SLA due times as in the server */
	if (demo_form(a, site_id, now) != 0 || complaint_form(a, site_id, now) != 0)
		return KF_EIO;

	id = demo_ticket(a, site_id, "demo-002", "email", "question", "发票抬头需要改成公司名称",
			 "您好，上周的订单发票抬头开成了个人，麻烦改成“上海某某贸易有限公司”，税号 91310000XXXX。谢谢！",
			 NULL, NULL);
	if (id) {
		char v[24];
		snprintf(v, sizeof(v), "%lld", (long long)agent);
		ticket_set(a, id, "assignee", v, "agent", agent);
		agent_reply(a, id, agent, "public", "您好，已为您重新开具公司抬头的电子发票，稍后会发送到您的邮箱，请查收。");
		ticket_set(a, id, "status", "pending", "agent", agent);
	}

	if (delivered_order(a, site_id, "demo-026", number, sizeof(number), sku, sizeof(sku), name, sizeof(name)) == 0) {
		snprintf(wf, sizeof(wf),
			 "{\"kind\":\"return\",\"order\":\"%s\",\"items\":[{\"sku\":\"%s\",\"name\":\"%s\",\"quantity\":1,"
			 "\"opened\":false}],\"reason\":\"尺寸不合适\",\"lang\":\"zh-CN\",\"steps\":[{\"state\":\"requested\",\"at\":%lld}]}",
			 number, sku, name, (long long)now);
		char subject[200];
		snprintf(subject, sizeof(subject), "退货申请 · %s", number);
		demo_ticket(a, site_id, "demo-026", "web", "return", subject, "收到的商品尺寸不合适，想退货，包装未拆。", "requested", wf);
	}

	snprintf(wf, sizeof(wf),
		 "{\"order\":\"\",\"sku\":\"EAR-01\",\"name\":\"降噪蓝牙耳机 K1\",\"serial\":\"K1-2026-0412\","
		 "\"fault\":\"左耳无声\",\"warranty\":true,\"lang\":\"zh-CN\",\"steps\":[{\"state\":\"received\",\"at\":%lld},"
		 "{\"state\":\"diagnosing\",\"at\":%lld}]}", (long long)(now - 2 * DAY), (long long)(now - DAY));
	id = demo_ticket(a, site_id, "demo-009", "form", "repair", "维修：降噪蓝牙耳机 K1 左耳没有声音",
			 "用了三个月，左耳突然没声音了，重新配对也不行。序列号 K1-2026-0412。", "received", wf);
	if (id)
		ticket_set(a, id, "workflow_state", "diagnosing", "agent", agent);

	/* a complaint nobody answered in time */
	id = demo_ticket(a, site_id, "demo-012", "chat", "complaint", "投诉：快递员态度恶劣，包裹被扔在门口",
			 "快递员没有打电话就把包裹扔在门口，里面的保温杯摔坏了。非常不满意！", NULL, NULL);
	if (id)   /* waiting since before the demo started: the server's first SLA tick escalates it */
		store_sla_set_due(a->st, id, now - 10 * 60, now + 23 * HOUR);

	id = demo_ticket(a, site_id, "demo-015", "email", "question", "Do you ship to Hong Kong?",
			 "Hi, can I order the thermos to Hong Kong, and how long does it take?", NULL, NULL);
	if (id) {
		agent_reply(a, id, agent, "public", "Yes, we ship to Hong Kong by SF Express, usually 2-3 days.");
		ticket_set(a, id, "status", "resolved", "agent", agent);
		store_sla_csat(a->st, id, 5, "回复很快，谢谢！", now);
	}

	id = demo_ticket(a, site_id, "demo-020", "email", "complaint", "投诉：保温杯漏水",
			 "新买的保温杯盖子拧紧了还是漏水。", NULL, NULL);
	if (id) {
		agent_reply(a, id, agent, "public", "非常抱歉给您带来不便，已为您安排换新，新杯子明天发出。");
		agent_reply(a, id, agent, "note", "同批次还有两起漏水反馈，已通知质检。");
		ticket_set(a, id, "status", "closed", "agent", agent);   /* the follow-up visit is created here */
	}
	(void)supervisor;
	return 0;
}

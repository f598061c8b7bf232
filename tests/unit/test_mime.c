/* tests/unit/test_mime.c - ticket/mime.c over the fixtures in tests/unit/fixtures/mail/:
 * a GBK subject, sender and body (labelled GB2312, holding a GBK-only character) read as
 * UTF-8; Big5 subject and body with attachments named in RFC 2231 Big5 and RFC 2047 GBK,
 * their bytes intact; an HTML-only mail as plain text without script or style; In-Reply-To
 * and References in order; auto-replies by header, by subject (zh and en) and from
 * mailer-daemon; a message over the size cap and one with no headers rejected; an empty
 * attachment part (found by fuzzing); a Message-ID of 250 bytes kept and one of 251 dropped
 * (ticket_create refuses more than 250: the mail must still file, under a made-up id). Run from the repository root (make unit does). */
#include "testutil.h"
#include "core/buf.h"
#include "core/kf.h"
#include "ticket/mime.h"

static char *slurp(const char *name, size_t *len)
{
	char path[512];
	snprintf(path, sizeof(path), "tests/unit/fixtures/mail/%s", name);
	FILE *f = fopen(path, "rb");
	assert_non_null(f);
	char *p = malloc(1 << 20);
	*len = fread(p, 1, 1 << 20, f);
	fclose(f);
	return p;
}

static int parse_file(const char *name, struct mime_msg *m, size_t max)
{
	size_t len;
	char err[200];
	char *raw = slurp(name, &len);
	int rc = mime_parse(raw, len, max, m, err, sizeof(err));
	free(raw);
	return rc;
}

static void t_gbk(void **state)
{
	struct mime_msg m;
	(void)state;
	assert_int_equal(parse_file("gbk.eml", &m, 0), 0);
	assert_string_equal(m.from_name, "张伟");
	assert_string_equal(m.from_addr, "zhang.wei@example.cn");
	assert_string_equal(m.to, "support@shop.example");
	assert_string_equal(m.subject, "我的订单还没到");
	assert_string_equal(m.message_id, "gbk-1@example.cn");
	assert_non_null(strstr(m.body, "您好，我的订单 #123 还没有到"));
	assert_non_null(strstr(m.body, "朱镕基"));   /* GBK-only: GB2312 alone cannot read it */
	assert_int_equal(m.date, 1795399200);
	assert_null(m.auto_reply);
	assert_int_equal(m.natt, 0);
	mime_msg_free(&m);
}

static void t_big5_attachments(void **state)
{
	struct mime_msg m;
	(void)state;
	assert_int_equal(parse_file("big5.eml", &m, 0), 0);
	assert_string_equal(m.subject, "退貨申請");
	assert_non_null(strstr(m.body, "請問如何退貨？謝謝"));
	assert_int_equal(m.natt, 2);
	assert_string_equal(m.att[0].name, "發票.pdf");
	assert_string_equal(m.att[0].content_type, "application/pdf");
	assert_int_equal(m.att[0].len, 22);
	assert_memory_equal(m.att[0].data, "%PDF-1.4 fake invoice\n", 22);
	assert_string_equal(m.att[1].name, "照片.jpg");
	assert_string_equal(m.att[1].content_type, "image/jpeg");
	assert_int_equal(m.att[1].len, 256);
	assert_int_equal(m.att[1].data[255], 255);
	mime_msg_free(&m);
}

static void t_html(void **state)
{
	struct mime_msg m;
	(void)state;
	assert_int_equal(parse_file("html.eml", &m, 0), 0);
	assert_string_equal(m.subject, "网页邮件");
	assert_string_equal(m.body, "Hello & welcome\n\nline two <b> 你好\nline\nthree");
	mime_msg_free(&m);
}

static void t_html_to_text(void **state)
{
	struct buf b;
	(void)state;
	buf_init(&b, 0);
	const char *h = "<SCRIPT type=x>if (a<b) x()</SCRIPT>a&amp;b &bogus; &#0; <p>p1</p><p>p2<br/>x</p>&";
	assert_int_equal(mime_html_to_text(h, strlen(h), &b), 0);
	assert_string_equal(b.ptr, "a&b &bogus; \xEF\xBF\xBD\np1\n\np2\nx\n&"   /* one blank line at most */);
	buf_release(&b);
}

static void t_reply_ids(void **state)
{
	struct mime_msg m;
	(void)state;
	assert_int_equal(parse_file("reply.eml", &m, 0), 0);
	assert_string_equal(m.in_reply_to, "kefu.1.2.abc@shop.example");
	assert_int_equal(m.nrefs, 2);
	assert_string_equal(m.refs[0], "kefu.1.2.abc@shop.example");
	assert_string_equal(m.refs[1], "gbk-1@example.cn");
	assert_null(m.auto_reply);
	mime_msg_free(&m);
}

static void t_auto_replies(void **state)
{
	struct mime_msg m;
	(void)state;
	const char *files[] = { "auto.eml", "oof.eml", "bounce.eml" };
	for (size_t i = 0; i < 3; i++) {
		assert_int_equal(parse_file(files[i], &m, 0), 0);
		assert_non_null(m.auto_reply);
		mime_msg_free(&m);
	}
	assert_non_null(mime_auto_subject("自动回复: 休假"));
	assert_non_null(mime_auto_subject("Automatic reply: away"));
	assert_null(mime_auto_subject("Re: my order"));
}

static void t_rejects(void **state)
{
	struct mime_msg m;
	(void)state;
	assert_int_equal(parse_file("gbk.eml", &m, 100), KF_ETOOBIG);
	assert_null(m.body);
	assert_int_equal(parse_file("malformed.eml", &m, 0), KF_EINVAL);
	assert_null(m.body);
	assert_int_equal(mime_parse("", 0, 0, &m, (char[64]){ 0 }, 64), KF_EINVAL);
}

/* Found by fuzzing: an attachment part with no bytes at all. */
static void t_empty_attachment(void **state)
{
	struct mime_msg m;
	char err[200];
	(void)state;
	const char *raw = "From: a@b.example\r\nSubject: e\r\nContent-Type: multipart/mixed; boundary=X\r\n\r\n"
			  "--X\r\nContent-Type: text/plain\r\n\r\n\r\n--X\r\nContent-Type: application/pdf\r\n"
			  "Content-Disposition: attachment; filename=e.pdf\r\n\r\n--X--\r\n";
	assert_int_equal(mime_parse(raw, strlen(raw), 0, &m, err, sizeof(err)), 0);
	assert_int_equal(m.natt, 1);
	assert_string_equal(m.att[0].name, "e.pdf");
	assert_int_equal(m.att[0].len, 0);
	assert_string_equal(m.body, "");
	mime_msg_free(&m);
}

static void msgid_of(size_t n, struct mime_msg *m)
{
	char raw[1024], id[300], err[200];
	memset(id, 'a', n);
	id[n] = '\0';
	memcpy(id + n - 12, "@example.com", 12);
	snprintf(raw, sizeof(raw), "From: a@b.example\r\nSubject: id\r\nMessage-ID: <%s>\r\n\r\nhi\r\n", id);
	assert_int_equal(mime_parse(raw, strlen(raw), 0, m, err, sizeof(err)), 0);
}

static void t_long_message_id(void **state)
{
	struct mime_msg m;
	(void)state;
	msgid_of(MIME_MSGID_MAX, &m);
	assert_int_equal(strlen(m.message_id), 250);
	mime_msg_free(&m);
	msgid_of(MIME_MSGID_MAX + 1, &m);
	assert_string_equal(m.message_id, "");
	mime_msg_free(&m);
	msgid_of(255, &m);
	assert_string_equal(m.message_id, "");
	mime_msg_free(&m);
}

static void t_charsets(void **state)
{
	(void)state;
	char *s = mime_to_utf8("\xC4\xE3\xBA\xC3", 4, "gb2312");   /* 你好 */
	assert_string_equal(s, "你好");
	free(s);
	s = mime_to_utf8("\xA7\x41\xA6\x6E", 4, "big5");   /* 你好 */
	assert_string_equal(s, "你好");
	free(s);
	s = mime_to_utf8("ok\xFF", 3, "utf-8");   /* invalid UTF-8 read as GB18030 still yields text */
	assert_non_null(s);
	assert_int_equal(strncmp(s, "ok", 2), 0);
	free(s);
	assert_null(mime_to_utf8("x", 1, "no-such-charset"));
}

int main(void)
{
	log_set_level_name("error");
	mime_global_init();
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(t_gbk), cmocka_unit_test(t_big5_attachments), cmocka_unit_test(t_html),
		cmocka_unit_test(t_html_to_text), cmocka_unit_test(t_reply_ids), cmocka_unit_test(t_auto_replies),
		cmocka_unit_test(t_rejects), cmocka_unit_test(t_charsets), cmocka_unit_test(t_empty_attachment),
		cmocka_unit_test(t_long_message_id),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}

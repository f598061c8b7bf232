// The FAQ bot (issue 5): per-site mode and threshold, an automatic answer from a published
// public article that holds the chat until the visitor's verdict, "no" hands it to an agent
// (routing offers it then), a question it cannot answer goes to people at once, internal
// articles never answer visitors, and the deflection figures count what happened.
import { test, before, after, afterEach } from 'node:test';
import assert from 'node:assert/strict';
import { stopAll, request, sleep } from './lib.mjs';
import { chatSetup, createSite, setMembers, connectVisitor, connectAgent, sendMsg, nextMsg, expectError, getConversation, closeAllPeers } from './chatlib.mjs';

let env, srv, site;
const call = (sess, method, path, json) => request(srv.base, method, path, { cookie: sess.cookie, csrf: sess.csrf, json });

async function article(body) {
	const r = await call(env.admin, 'POST', `/api/v1/sites/${site.id}/kb/articles`, { lang: 'zh-CN', status: 'published', visibility: 'public', ...body });
	assert.equal(r.status, 201, r.text);
	return r.json.article;
}
const offerFor = (agent, conv, ms = 4000) => agent.next('offer', ms, (f) => f.conversation_id === conv);
async function noOffer(agent, conv) {
	await sleep(700);
	assert.equal(agent.queue.find((f) => f.type === 'offer' && f.conversation_id === conv), undefined, `no offer for ${conv}: ${agent.describe()}`);
}
const setBot = (body, sess = env.admin) => call(sess, 'PUT', `/api/v1/sites/${site.id}/bot`, body);

before(async () => {
	env = await chatSetup();
	srv = env.srv;
	site = await createSite(srv, env.admin, { name: 'Bot shop', greeting: '您好' });
	await setMembers(srv, env.admin, site.id, [env.ids['agent1@example.com']]);
	await article({ slug: 'return-policy', question: '退货政策是什么？', alt_questions: '怎么退货\n可以退货吗', answer_md: '收到商品 **7 天内**可以无理由退货，请在订单页点击「申请退货」。', tags: ['退货', '售后'] });
	await article({ slug: 'invoice', question: '怎么开发票？', answer_md: '下单时填写发票抬头即可，电子发票会发到您的邮箱。', tags: ['发票'] });
	await article({ slug: 'secret-discount', question: '员工内部折扣码是多少？', answer_md: 'STAFF-ONLY-42', visibility: 'internal' });
});
afterEach(() => closeAllPeers());
after(stopAll);

test('bot settings: admins set mode, threshold and name, with validation; agents read them', async () => {
	const got = await call(env.a1, 'GET', `/api/v1/sites/${site.id}/bot`);
	assert.equal(got.status, 200);
	assert.equal(got.json.bot.mode, 'off', 'off by default');
	assert.equal((await setBot({ mode: 'always' }, env.a1)).status, 403, 'agents may not change it');
	for (const bad of [{ mode: 'sometimes' }, { threshold: 2 }, { threshold: 'x' }, { name: 'x'.repeat(61) }]) {
		const r = await setBot(bad);
		assert.equal(r.status, 422, `${JSON.stringify(bad)}: ${r.text}`);
	}
	const r = await setBot({ mode: 'always', threshold: 0.3, name: '小助手' });
	assert.equal(r.status, 200, r.text);
	assert.deepEqual(r.json.bot, { mode: 'always', threshold: 0.3, name: '小助手' });
	assert.equal((await call(env.out, 'GET', `/api/v1/sites/${site.id}/bot`)).status, 404, 'not a member');
});

test('always first: the bot answers a known question and holds the chat; "no" hands it to an agent', async () => {
	await setBot({ mode: 'always', threshold: 0.3, name: '小助手' });
	const agent = await connectAgent(srv, env.a1, { status: 'online' });
	const v = await connectVisitor(srv, site.key, { lang: 'zh-CN' });
	const ack = await sendMsg(v, { text: '请问怎么退货？' });
	const ans = await v.next('bot_answer', 4000);
	assert.equal(ans.conversation_id, ack.conversation_id);
	assert.match(ans.url, /^\/help\/[^/]+\/a\/return-policy$/);
	assert.ok(ans.confidence >= 0.3 && ans.confidence <= 1, `confidence ${ans.confidence}`);
	const m = await nextMsg(v, (x) => x.from === 'system' && x.seq === ans.seq);
	assert.equal(m.message.author.name, '小助手', 'marked as the bot');
	assert.match(m.message.text, /7 天内/);
	assert.doesNotMatch(m.message.text, /\*\*/, 'Markdown marks are not shown as text');
	await noOffer(agent, ack.conversation_id);
	assert.equal((await getConversation(srv, env.admin, ack.conversation_id)).conversation.bot, 'held');

	v.send({ type: 'bot_feedback', helpful: false });
	await nextMsg(v, (x) => x.kind === 'event' && /转人工/.test(x.text));
	await offerFor(agent, ack.conversation_id);
	const c = (await getConversation(srv, env.admin, ack.conversation_id));
	assert.equal(c.conversation.bot, 'handover');
	assert.ok(c.messages.some((x) => x.from === 'system' && /7 天内/.test(x.text)), 'the agent sees the bot\'s attempt');
	v.send({ type: 'bot_feedback', helpful: true });
	await expectError(v, 'not_found', 'a second verdict');
});

test('"that helped" resolves it; a question the bot cannot answer goes to people at once; internal articles never answer', async () => {
	await setBot({ mode: 'always', threshold: 0.3 });
	const agent = await connectAgent(srv, env.a1, { status: 'online' });
	const v1 = await connectVisitor(srv, site.key, {});
	await sendMsg(v1, { text: '发票怎么开' });
	await v1.next('bot_answer', 4000);
	v1.send({ type: 'bot_feedback', helpful: true });
	await nextMsg(v1, (x) => x.kind === 'event' && /已解决/.test(x.text));

	const v2 = await connectVisitor(srv, site.key, {});
	const ack2 = await sendMsg(v2, { text: '你们卖拖拉机吗' });
	await offerFor(agent, ack2.conversation_id);
	assert.equal(v2.queue.find((f) => f.type === 'bot_answer'), undefined, 'no automatic answer without a match');

	const v3 = await connectVisitor(srv, site.key, {});
	const ack3 = await sendMsg(v3, { text: '员工内部折扣码是多少？' });
	await offerFor(agent, ack3.conversation_id);
	await sleep(300);
	assert.equal(v3.frames.some((f) => f.type === 'msg' && /STAFF-ONLY/.test(f.message.text)), false, 'internal answers never reach visitors');

	const st = await call(env.a1, 'GET', `/api/v1/sites/${site.id}/bot/stats?days=1`);
	assert.equal(st.status, 200);
	assert.ok(st.json.answered >= 2 && st.json.resolved >= 1 && st.json.handover >= 1 && st.json.unanswered >= 2, st.text);
	assert.ok(st.json.deflection_rate > 0 && st.json.deflection_rate < 1, st.text);
});

test('only while nobody is online: the bot answers offline chats; "no" leads to the offline message', async () => {
	await call(env.admin, 'PATCH', `/api/v1/sites/${site.id}`, { offline_message: '客服下班了，请留言。' });
	await setBot({ mode: 'offline', threshold: 0.3 });
	const v = await connectVisitor(srv, site.key, {});
	const ack = await sendMsg(v, { text: '怎么退货' });
	await v.next('bot_answer', 4000);
	assert.equal((await getConversation(srv, env.admin, ack.conversation_id)).conversation.status, 'offline');
	v.send({ type: 'bot_feedback', helpful: false });
	await nextMsg(v, (x) => /客服下班了/.test(x.text));
	// with an agent online, "offline" mode stays quiet
	const agent = await connectAgent(srv, env.a1, { status: 'online' });
	const v2 = await connectVisitor(srv, site.key, {});
	const ack2 = await sendMsg(v2, { text: '怎么退货' });
	await offerFor(agent, ack2.conversation_id);
	assert.equal(v2.queue.find((f) => f.type === 'bot_answer'), undefined);
	await setBot({ mode: 'off' });
});

test('once people have the chat the bot stays quiet, and an agent who takes a held chat keeps it', async () => {
	await setBot({ mode: 'always', threshold: 0.3 });
	const agent = await connectAgent(srv, env.a1, { status: 'online' });
	// the first question has no answer: offered to the agent; a later FAQ question gets no bot
	const v = await connectVisitor(srv, site.key, {});
	const ack = await sendMsg(v, { text: '你们卖拖拉机吗' });
	await offerFor(agent, ack.conversation_id);
	await sendMsg(v, { text: '怎么开发票？' });
	await sleep(500);
	assert.equal(v.queue.find((f) => f.type === 'bot_answer'), undefined, 'the bot does not cut in once offered');

	// a held chat taken by an agent: the visitor's later "that helped" does not close the agent's chat
	const w = await connectVisitor(srv, site.key, {});
	const ack2 = await sendMsg(w, { text: '怎么退货' });
	await w.next('bot_answer', 4000);
	agent.send({ type: 'accept', conversation_id: ack2.conversation_id });
	await w.next('conversation', 4000, (f) => f.conversation.status === 'active');
	w.send({ type: 'bot_feedback', helpful: true });
	await expectError(w, 'not_found', 'a verdict after an agent took it');
	const c = (await getConversation(srv, env.admin, ack2.conversation_id)).conversation;
	assert.equal(c.status, 'active');
	assert.equal(c.bot, 'handover');
	await setBot({ mode: 'off' });
});

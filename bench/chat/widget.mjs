// bench/chat/widget.mjs - the chat widget's first-load weight, before the chat is opened.
//
//   node bench/chat/widget.mjs URL OUT.json      (URL: http://HOST:PORT/demo?site=KEY)
//
// Loads URL in Debian's chromium (playwright-core, a fresh user-data-dir, nothing cached),
// waits for the widget's launcher and for the network to go quiet, and lists every request
// other than the page's own document: URL, status, content-encoding, encoded (on-the-wire)
// body bytes and response header bytes. WebSockets opened before the chat is opened are listed
// apart. The chat is never opened.
import { chromium } from 'playwright-core';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const [url, outFile] = process.argv.slice(2);
if (!url) {
	console.error('usage: widget.mjs URL [OUT.json]');
	process.exit(2);
}
const CHROMIUM = process.env.CHROMIUM || '/usr/bin/chromium';
const ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-background-networking',
	'--disable-component-update', '--disable-sync'];
const dir = mkdtempSync(join(tmpdir(), 'kefu-bench-widget-'));
let ctx;
try {
	ctx = await chromium.launchPersistentContext(dir, { executablePath: CHROMIUM, headless: true, args: ARGS });
	const page = ctx.pages()[0] || await ctx.newPage();
	const reqs = [], sockets = [];
	page.on('request', (r) => reqs.push(r));
	page.on('websocket', (w) => sockets.push(w.url()));
	const t0 = Date.now();
	const res = await page.goto(url, { waitUntil: 'load', timeout: 30000 });
	await page.locator('#kefu-launcher').waitFor({ state: 'attached', timeout: 15000 }).catch(() => {});
	const launcher = await page.locator('#kefu-launcher').count();
	await page.waitForLoadState('networkidle', { timeout: 15000 }).catch(() => {});
	await page.waitForTimeout(1000);
	const loadMs = Date.now() - t0;
	const docUrl = res.url();
	const rows = [];
	let doc = null;
	for (const r of reqs) {
		const resp = await r.response();
		const sizes = await r.sizes().catch(() => ({}));
		const h = resp ? await resp.allHeaders() : {};
		const row = {
			url: r.url(), method: r.method(), type: r.resourceType(), status: resp ? resp.status() : null,
			encoding: h['content-encoding'] || 'identity', contentType: h['content-type'] || '',
			bodyBytes: sizes.responseBodySize ?? null, headerBytes: sizes.responseHeadersSize ?? null,
			failure: r.failure()?.errorText || null,
		};
		if (!doc && r.url() === docUrl && r.resourceType() === 'document') doc = row;
		else rows.push(row);
	}
	const out = {
		url, chromium: ctx.browser()?.version() || null, loadMs, launcher: launcher > 0, document: doc, requests: rows, websockets: sockets,
		count: rows.length, bodyBytes: rows.reduce((s, r) => s + (r.bodyBytes || 0), 0),
		wireBytes: rows.reduce((s, r) => s + (r.bodyBytes || 0) + (r.headerBytes || 0), 0),
	};
	if (outFile) writeFileSync(outFile, JSON.stringify(out, null, 1) + '\n');
	console.error(`widget: ${out.count} request(s) besides the page, ${out.bodyBytes} B encoded bodies (${out.wireBytes} B with headers); `
		+ `launcher ${out.launcher ? 'shown' : 'NOT shown'}; websockets before opening: ${sockets.length}`);
	for (const r of rows) console.error(`  ${r.status} ${r.encoding.padEnd(8)} ${String(r.bodyBytes).padStart(7)} B  ${r.url}`);
} finally {
	if (ctx) await ctx.close().catch(() => {});
	rmSync(dir, { recursive: true, force: true });
}

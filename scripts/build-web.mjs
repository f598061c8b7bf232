#!/usr/bin/env node
// scripts/build-web.mjs - bundle the web console and turn it into C.
//
//   node scripts/build-web.mjs        (or: npm run build:web)
//
// 1. esbuild bundles web/src/main.js and web/src/style.css (minified, es2019), and the chat widget
//    web/widget/widget.js with web/widget/widget.css inlined (minified iife, es2017) as /widget.js
//    (a fixed name shops embed, so it is not immutable: no-cache with an ETag), plus the widget's
//    lazily loaded second bundle web/widget/extras.js as /widget-extras.js (same rules; the core
//    asks for it as /widget-extras.js?v=HASH8 of its bytes, so a core and its extras always match),
// 2. names them /assets/app-HASH8.js and /assets/app-HASH8.css and writes them, with
//    web/index.html rewritten to load them, to build/web/,
// 3. generates build/gen/assets.c implementing src/http/assets.h (raw bytes, gzip
//    variant when smaller, etag, mime, immutable flag, assets_find()).
// Files are only rewritten when their content changes, so make does not rebuild for nothing.
// Needs only node_modules (npm ci); it works offline.
import { createHash } from 'node:crypto';
import { mkdirSync, readFileSync, writeFileSync, existsSync, readdirSync, unlinkSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync, constants as zc } from 'node:zlib';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const webDir = join(root, 'web');
const outDir = join(root, 'build', 'web');
const genDir = join(root, 'build', 'gen');

let esbuild;
try {
	esbuild = await import('esbuild');
} catch (e) {
	console.error('build-web: esbuild is missing; run scripts/deps (npm ci) first');
	process.exit(1);
}

const sha256 = (buf) => createHash('sha256').update(buf).digest('hex');

/* Writes file only when its bytes differ; returns whether it wrote. */
function writeIfChanged(file, data) {
	const buf = Buffer.isBuffer(data) ? data : Buffer.from(data);
	if (existsSync(file)) {
		const old = readFileSync(file);
		if (old.equals(buf)) return false;
	}
	mkdirSync(dirname(file), { recursive: true });
	writeFileSync(file, buf);
	return true;
}

async function bundle(entry, opts) {
	const res = await esbuild.build({
		entryPoints: [join(webDir, entry)],
		bundle: true,
		minify: true,
		write: false,
		outdir: join(outDir, 'tmp'),
		charset: 'utf8',
		legalComments: 'none',
		logLevel: 'warning',
		absWorkingDir: root,
		...opts,
	});
	const files = res.outputFiles.filter((f) => !f.path.endsWith('.map'));
	if (files.length !== 1) throw new Error(`build-web: expected one output for ${entry}, got ${files.length}`);
	return Buffer.from(files[0].contents);
}

const js = await bundle('src/main.js', { format: 'iife', target: 'es2019', platform: 'browser' });
const css = await bundle('src/style.css', {
	loader: { '.css': 'css' },
	target: ['chrome80', 'firefox78', 'safari13', 'edge80'],
});

// The widget: its CSS minified on its own, then inlined as a string constant.
const widgetCss = await bundle('widget/widget.css', {
	loader: { '.css': 'css' },
	target: ['chrome80', 'firefox78', 'safari13', 'edge80'],
});
const widgetExtras = await bundle('widget/extras.js', { format: 'iife', target: 'es2017', platform: 'browser' });
const widget = await bundle('widget/widget.js', {
	format: 'iife',
	target: 'es2017',
	platform: 'browser',
	define: {
		__KEFU_CSS__: JSON.stringify(widgetCss.toString('utf8').trim()),
		__KEFU_EXTRAS__: JSON.stringify('/widget-extras.js?v=' + sha256(widgetExtras).slice(0, 8)),
	},
});

const jsName = `/assets/app-${sha256(js).slice(0, 8)}.js`;
const cssName = `/assets/app-${sha256(css).slice(0, 8)}.css`;

const template = readFileSync(join(webDir, 'index.html'), 'utf8');
if (!template.includes('{{JS}}') || !template.includes('{{CSS}}'))
	throw new Error('build-web: web/index.html must contain {{JS}} and {{CSS}}');
const index = Buffer.from(template.replaceAll('{{JS}}', jsName).replaceAll('{{CSS}}', cssName));

// path, bytes, immutable; index.html and the widget's two bundles first, then the hashed assets
// in name order.
const assets = [
	{ path: '/index.html', data: index, immutable: 0 },
	{ path: '/widget.js', data: widget, immutable: 0 },
	{ path: '/widget-extras.js', data: widgetExtras, immutable: 0 },
	...[
		{ path: jsName, data: js, immutable: 1 },
		{ path: cssName, data: css, immutable: 1 },
	].sort((a, b) => (a.path < b.path ? -1 : 1)),
];

// build/web/: the files as served, old hashed names removed.
const keep = new Set(assets.map((a) => a.path));
const assetDir = join(outDir, 'assets');
if (existsSync(assetDir))
	for (const f of readdirSync(assetDir)) if (!keep.has('/assets/' + f)) unlinkSync(join(assetDir, f));
for (const a of assets) writeIfChanged(join(outDir, a.path.slice(1)), a.data);

const MIME = {
	html: 'text/html; charset=utf-8',
	js: 'text/javascript; charset=utf-8',
	mjs: 'text/javascript; charset=utf-8',
	css: 'text/css; charset=utf-8',
	json: 'application/json',
	svg: 'image/svg+xml',
	png: 'image/png',
	ico: 'image/x-icon',
	woff2: 'font/woff2',
	txt: 'text/plain; charset=utf-8',
	map: 'application/json',
};
function mimeOf(path) {
	const ext = path.slice(path.lastIndexOf('.') + 1).toLowerCase();
	return MIME[ext] || 'application/octet-stream';
}

function cString(s) {
	// Paths, mime types and etags are ASCII; escape what C needs escaped.
	return '"' + s.replace(/[\\"]/g, (c) => '\\' + c).replace(/[^\x20-\x7e]/g, (c) => '\\' + c.charCodeAt(0).toString(8).padStart(3, '0')) + '"';
}

function cBytes(name, buf) {
	if (buf.length === 0) return `static const unsigned char ${name}[1] = {0};\n`;
	const lines = [];
	for (let i = 0; i < buf.length; i += 16) {
		const row = [];
		for (let j = i; j < Math.min(i + 16, buf.length); j++) row.push('0x' + buf[j].toString(16).padStart(2, '0'));
		lines.push('\t' + row.join(',') + ',');
	}
	return `static const unsigned char ${name}[${buf.length}] = {\n${lines.join('\n')}\n};\n`;
}

let c = '';
c += '/* build/gen/assets.c - GENERATED by scripts/build-web.mjs from web/; do not edit. */\n';
c += '#include <stddef.h>\n#include <string.h>\n\n#include "../../src/http/assets.h"\n\n';
const entries = [];
let gzTotal = 0;
assets.forEach((a, i) => {
	const gz = gzipSync(a.data, { level: 9, memLevel: 9, strategy: zc.Z_DEFAULT_STRATEGY });
	const useGz = gz.length < a.data.length;
	const etag = '"' + sha256(a.data).slice(0, 16) + '"';
	c += `/* ${a.path} (${a.data.length} bytes${useGz ? `, gzip ${gz.length}` : ''}) */\n`;
	c += cBytes(`a${i}_data`, a.data);
	if (useGz) c += cBytes(`a${i}_gz`, gz);
	c += '\n';
	if (a.immutable) gzTotal += useGz ? gz.length : a.data.length;
	entries.push(
		'\t{\n' +
			`\t\t.path = ${cString(a.path)},\n` +
			`\t\t.mime = ${cString(mimeOf(a.path))},\n` +
			`\t\t.data = a${i}_data,\n` +
			`\t\t.len = ${a.data.length},\n` +
			`\t\t.gz = ${useGz ? `a${i}_gz` : 'NULL'},\n` +
			`\t\t.gz_len = ${useGz ? gz.length : 0},\n` +
			`\t\t.etag = ${cString(etag)},\n` +
			`\t\t.immutable = ${a.immutable},\n` +
			'\t},',
	);
});
c += `const struct asset kf_assets[] = {\n${entries.join('\n')}\n};\n\n`;
c += `const size_t kf_assets_count = sizeof kf_assets / sizeof kf_assets[0];\n\n`;
c += `const struct asset *assets_find(const char *path)
{
	size_t i;

	if (path == NULL)
		return NULL;
	for (i = 0; i < kf_assets_count; i++)
		if (strcmp(kf_assets[i].path, path) == 0)
			return &kf_assets[i];
	return NULL;
}
`;

const cFile = join(genDir, 'assets.c');
const wrote = writeIfChanged(cFile, c);

const kb = (n) => (n / 1024).toFixed(1) + ' KiB';
for (const a of assets) console.log(`build-web: ${a.path.padEnd(28)} ${kb(a.data.length).padStart(9)}`);
console.log(`build-web: JS+CSS gzipped ${gzTotal} bytes (${kb(gzTotal)})`);
for (const [name, data] of [['/widget.js', widget], ['/widget-extras.js', widgetExtras]]) {
	const wgz = gzipSync(data, { level: 9, memLevel: 9 }).length;
	console.log(`build-web: ${name} gzipped ${wgz} bytes (${kb(wgz)})`);
}
console.log(`build-web: ${relative(root, cFile)} ${wrote ? 'written' : 'unchanged'}`);

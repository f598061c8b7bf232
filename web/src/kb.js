// kb.js - 知识库 in the console: the editors' panel (site and language, a two-level category tree,
// the article list with search and reorder, the article editor with a live Markdown preview,
// revisions, import/export), the editor's report (searches without a good answer, questions the
// bot could not answer, hot questions), and the FAQ helper of the agent's reply box.
// Server side: docs/api.md / docs/kb.md (routes under /api/v1/kb and /api/v1/sites/:id/kb).
//
// Safety: the only HTML ever set with dangerouslySetInnerHTML is the preview's "html", which the
// server renders with cmark in safe mode (raw HTML escaped, unsafe links dropped). Everything else,
// questions, queries and answers included, goes through Preact's escaping.
import { h } from 'preact';
import { useEffect, useRef } from 'preact/hooks';
import { useSignal } from '@preact/signals';
import htm from 'htm';
import { get, post, patch, del, getCsrf, ApiError } from './api.js';
import { lang } from './i18n.js';
import { tk } from './kb-i18n.js';
import { siteKey } from './files.js';
import * as chat from './chat.js';

const html = htm.bind(h);
const KB_LANGS = ['zh-CN', 'zh-TW', 'en'];
const VIS = ['public', 'members', 'internal'];
const STATUS = ['draft', 'published'];
const MAX_IMPORT = 5 * 1024 * 1024;
const PREVIEW_MS = 300;

/* ---- small helpers ---- */
const listOf = (d, ...names) => {
	for (const n of names) if (d && Array.isArray(d[n])) return d[n];
	return [];
};
const one = (d, name) => (d && d[name] && typeof d[name] === 'object' ? d[name] : d);
const tagsText = (t) => (Array.isArray(t) ? t.join(' ') : t || '');
const tagsList = (s) => String(s || '').split(/[\s,，、]+/).filter(Boolean);
const relatedIds = (r) => (Array.isArray(r) ? r.map((x) => (typeof x === 'object' ? x.id : x)).filter(Boolean) : []);
function fmtTime(v) {
	if (!v) return '';
	const d = new Date(v < 1e12 ? v * 1000 : v);
	return isNaN(d.getTime()) ? String(v) : d.toLocaleString(lang.value);
}
function errText(e, fallback) {
	return (e && e.message ? e.message : '') || tk(fallback);
}
const startLang = () => (KB_LANGS.includes(lang.value) ? lang.value : 'zh-CN');

/* A blank editor form (prefill: fields to start with, e.g. the question from the report). */
function blankForm(prefill, langCode, categoryId) {
	return {
		id: 0, rev: 0, lang: langCode, question: '', alt_questions: '', answer_md: '', tags: '', slug: '',
		category_id: categoryId || 0, visibility: 'public', status: 'draft', related: [], translation_of: 0,
		...prefill,
	};
}
/* An article from the API as an editor form. */
function formOf(a) {
	return {
		id: a.id, rev: a.rev || 0, lang: a.lang, question: a.question || '', alt_questions: a.alt_questions || '',
		answer_md: a.answer_md || '', tags: tagsText(a.tags), slug: a.slug || '', category_id: a.category_id || 0,
		visibility: a.visibility || 'public', status: a.status || 'draft', related: relatedIds(a.related),
		translation_of: a.translation_of || 0,
	};
}
/* The body of a create or update. */
function bodyOf(f) {
	const b = {
		question: f.question.trim(), alt_questions: f.alt_questions, answer_md: f.answer_md, tags: tagsList(f.tags),
		category_id: +f.category_id || 0, visibility: f.visibility, status: f.status, related: f.related,
		translation_of: +f.translation_of || 0,
	};
	if (f.slug.trim()) b.slug = f.slug.trim();
	if (!f.id) b.lang = f.lang;
	return b;
}

/* A POST with a raw body (import: JSON or CSV as the file holds it), CSRF included. */
async function postRaw(path, text, type) {
	const headers = { Accept: 'application/json', 'Content-Type': type };
	const csrf = getCsrf();
	if (csrf) headers['X-CSRF-Token'] = csrf;
	let res;
	try {
		res = await fetch(path, { method: 'POST', headers, body: text, credentials: 'same-origin' });
	} catch (e) {
		throw new ApiError(0, 'network', e && e.message);
	}
	let data = null;
	try {
		data = JSON.parse(await res.text());
	} catch (e) {
		data = null;
	}
	if (!res.ok) {
		const err = (data && data.error) || {};
		throw new ApiError(res.status, err.code, err.message);
	}
	return data;
}

/* ---- the panel ---- */
export function KbPanel() {
	const sites = useSignal(null);
	const siteId = useSignal(0);
	const kbLang = useSignal(startLang());
	const tab = useSignal('articles');
	const prefill = useSignal(null); // {question} from the report's "write an article"
	useEffect(() => {
		get('/api/v1/sites').then(
			(d) => {
				sites.value = listOf(d, 'sites');
				if (sites.value.length) siteId.value = sites.value[0].id;
			},
			() => (sites.value = []),
		);
	}, []);
	if (!sites.value) return html`<p class="muted" id="kb-panel">${tk('loading')}</p>`;
	if (!sites.value.length) return html`<p class="muted" id="kb-panel">${tk('noSites')}</p>`;
	const write = (q) => {
		prefill.value = { question: q };
		tab.value = 'articles';
	};
	return html`<div class="kb" id="kb-panel">
		<div class="kb-toolbar">
			${sites.value.length > 1 && html`<label class="field inline"><span>${tk('site')}</span>
				<select id="kb-site" value=${siteId.value} onChange=${(e) => (siteId.value = +e.currentTarget.value)}>
					${sites.value.map((s) => html`<option value=${s.id} selected=${s.id === siteId.value}>${s.name}</option>`)}
				</select></label>`}
			<label class="field inline"><span>${tk('lang')}</span>
				<select id="kb-lang" value=${kbLang.value} onChange=${(e) => (kbLang.value = e.currentTarget.value)}>
					${KB_LANGS.map((l) => html`<option value=${l} selected=${l === kbLang.value}>${tk('lang.' + l)}</option>`)}
				</select></label>
			<div class="kb-tabs" role="tablist">
				${['articles', 'report'].map((id) => html`<button type="button" role="tab" id=${'kb-tab-' + id}
					aria-selected=${tab.value === id ? 'true' : 'false'} class=${tab.value === id ? 'current' : ''}
					onClick=${() => (tab.value = id)}>${tk('tab.' + id)}</button>`)}
			</div>
		</div>
		${tab.value === 'articles'
			? html`<${KbArticles} key=${siteId.value + ':' + kbLang.value} site=${siteId.value} kbLang=${kbLang.value} prefill=${prefill} />`
			: html`<${KbReport} key=${'r' + siteId.value + ':' + kbLang.value} site=${siteId.value} kbLang=${kbLang.value} onWrite=${write} />`}
	</div>`;
}

/* Categories, articles and the editor of one site and language. */
function KbArticles({ site, kbLang, prefill }) {
	const cats = useSignal([]);
	const cat = useSignal(-1); // -1: all, 0: uncategorised, else a category id
	const q = useSignal('');
	const arts = useSignal(null);
	const err = useSignal('');
	const editing = useSignal(null); // null, or {id} / {prefill}
	const gen = useRef(0);
	const loadCats = () =>
		get(`/api/v1/sites/${site}/kb/categories?lang=${encodeURIComponent(kbLang)}`).then(
			(d) => (cats.value = listOf(d, 'categories')),
			(e) => (err.value = errText(e, 'err')),
		);
	function loadArts() {
		const my = ++gen.current;
		let url = `/api/v1/sites/${site}/kb/articles?lang=${encodeURIComponent(kbLang)}`;
		if (cat.value > 0) url += '&category=' + cat.value;
		if (q.value.trim()) url += '&q=' + encodeURIComponent(q.value.trim());
		// The API's category 0 means any; "uncategorised" is picked out here.
		const keep = (a) => cat.value !== 0 || !a.category_id;
		get(url).then(
			(d) => my === gen.current && (arts.value = listOf(d, 'articles', 'hits').filter(keep)),
			(e) => my === gen.current && ((arts.value = []), (err.value = errText(e, 'err'))),
		);
	}
	useEffect(() => {
		loadCats();
	}, []);
	useEffect(() => {
		const t = setTimeout(loadArts, q.value ? 250 : 0);
		return () => clearTimeout(t);
	}, [cat.value, q.value]);
	useEffect(() => {
		if (prefill.value) {
			editing.value = { prefill: prefill.value };
			prefill.value = null;
		}
	}, [prefill.value]);
	const changed = () => {
		loadArts();
	};
	return html`<div class="kb-body">
		<aside class="kb-side card">
			<${CatTree} site=${site} kbLang=${kbLang} cats=${cats.value} cat=${cat} reload=${loadCats} />
			<${ImportExport} site=${site} onDone=${() => (loadCats(), loadArts())} />
		</aside>
		<section class="kb-list card">
			<div class="kb-list-tools">
				<input type="search" id="kb-search" placeholder=${tk('search')} aria-label=${tk('search')} value=${q.value}
					onInput=${(e) => (q.value = e.currentTarget.value)} />
				<button type="button" id="kb-new-article" class="primary"
					onClick=${() => (editing.value = { prefill: {} })}>${tk('art.new')}</button>
			</div>
			${err.value && html`<p class="error" role="alert">${err.value}</p>`}
			<${ArticleList} arts=${arts} cats=${cats.value} reorder=${cat.value >= 0 && !q.value.trim()}
				current=${editing.value && editing.value.id} open=${(id) => (editing.value = { id })} />
		</section>
		${editing.value && html`<${Editor} key=${editing.value.id || 'new' + JSON.stringify(editing.value.prefill)}
			site=${site} kbLang=${kbLang} cats=${cats.value} start=${editing.value} defaultCat=${cat.value > 0 ? cat.value : 0}
			onSaved=${(id) => {
				editing.value = { id };
				changed();
			}}
			onDeleted=${() => {
				editing.value = null;
				changed();
			}}
			onClose=${() => (editing.value = null)} />`}
	</div>`;
}

/* ---- categories ---- */
/* Top-level categories each followed by their children, both by position. */
function tree(cats) {
	const byPos = (a, b) => (a.position || 0) - (b.position || 0) || a.id - b.id;
	const tops = cats.filter((c) => !c.parent_id).sort(byPos);
	return tops.map((t) => ({ c: t, kids: cats.filter((c) => c.parent_id === t.id).sort(byPos) }));
}

function CatTree({ site, kbLang, cats, cat, reload }) {
	const err = useSignal('');
	const t = tree(cats);
	async function add(e) {
		e.preventDefault();
		const f = e.currentTarget.elements;
		const name = f.name.value.trim();
		if (!name) return;
		err.value = '';
		try {
			await post(`/api/v1/sites/${site}/kb/categories`, { name, lang: kbLang, parent_id: +f.parent.value || 0 });
			f.name.value = '';
			reload();
		} catch (x) {
			err.value = errText(x, 'ed.err');
		}
	}
	/* Up/down: the siblings get positions 0..n-1 in the new order (only those that change are sent). */
	async function move(list, i, by) {
		const j = i + by;
		if (j < 0 || j >= list.length) return;
		const order = list.slice();
		[order[i], order[j]] = [order[j], order[i]];
		try {
			for (let k = 0; k < order.length; k++)
				if (order[k].position !== k) await patch('/api/v1/kb/categories/' + order[k].id, { position: k });
		} catch (x) {
			err.value = errText(x, 'ed.err');
		}
		reload();
	}
	const row = (c, list, i, level) => html`<${CatRow} key=${c.id} c=${c} level=${level} cat=${cat} reload=${reload} err=${err}
		first=${i === 0} last=${i === list.length - 1} move=${(by) => move(list, i, by)} />`;
	const tops = t.map((x) => x.c);
	return html`<div class="kb-cats" id="kb-cats" role="navigation" aria-label=${tk('cats')}>
		<h3>${tk('cats')}</h3>
		<ul>
			<li><button type="button" class=${'kb-cat-pick' + (cat.value === -1 ? ' current' : '')} id="kb-cat-all"
				onClick=${() => (cat.value = -1)}>${tk('cat.all')}</button></li>
			${t.map((x, i) => html`${row(x.c, tops, i, 1)}
				${x.kids.map((k, ki) => row(k, x.kids, ki, 2))}`)}
			<li><button type="button" class=${'kb-cat-pick' + (cat.value === 0 ? ' current' : '')} id="kb-cat-none"
				onClick=${() => (cat.value = 0)}>${tk('cat.none')}</button></li>
		</ul>
		${!cats.length && html`<p class="muted small-text">${tk('cat.empty')}</p>`}
		<form class="kb-cat-add" onSubmit=${add}>
			<input name="name" id="kb-cat-name" maxlength="100" placeholder=${tk('cat.name')} aria-label=${tk('cat.name')} />
			<select name="parent" id="kb-cat-parent" aria-label=${tk('cat.parent')}>
				<option value="0">${tk('cat.top')}</option>
				${tops.map((c) => html`<option value=${c.id}>${c.name}</option>`)}
			</select>
			<button type="submit" id="kb-cat-add" class="small">${tk('cat.add')}</button>
		</form>
		${err.value && html`<p class="error small-text" role="alert">${err.value}</p>`}
	</div>`;
}

function CatRow({ c, level, cat, reload, err, first, last, move }) {
	const renaming = useSignal(false);
	async function rename(e) {
		e.preventDefault();
		const name = e.currentTarget.elements.name.value.trim();
		if (!name) return;
		try {
			await patch('/api/v1/kb/categories/' + c.id, { name });
			renaming.value = false;
			reload();
		} catch (x) {
			err.value = errText(x, 'ed.err');
		}
	}
	async function remove() {
		if (!window.confirm(tk('cat.confirmDelete', { name: c.name }))) return;
		try {
			await del('/api/v1/kb/categories/' + c.id);
			if (cat.value === c.id) cat.value = -1;
			reload();
		} catch (x) {
			err.value = errText(x, 'ed.err');
		}
	}
	return html`<li class=${'kb-cat level-' + level} data-id=${c.id}>
		${renaming.value
			? html`<form class="kb-cat-rename" onSubmit=${rename}>
				<input name="name" value=${c.name} maxlength="100" aria-label=${tk('cat.name')} />
				<button type="submit" class="small">${tk('cat.save')}</button>
				<button type="button" class="small" onClick=${() => (renaming.value = false)}>${tk('cat.cancel')}</button></form>`
			: html`<button type="button" class=${'kb-cat-pick' + (cat.value === c.id ? ' current' : '')}
				aria-current=${cat.value === c.id ? 'true' : undefined} onClick=${() => (cat.value = c.id)}>${c.name}</button>
				<span class="kb-row-tools">
					<button type="button" class="small kb-up" title=${tk('up')} aria-label=${tk('up')} disabled=${first} onClick=${() => move(-1)}>↑</button>
					<button type="button" class="small kb-down" title=${tk('down')} aria-label=${tk('down')} disabled=${last} onClick=${() => move(1)}>↓</button>
					<button type="button" class="small kb-rename" title=${tk('cat.rename')} aria-label=${tk('cat.rename')}
						onClick=${() => (renaming.value = true)}>✎</button>
					<button type="button" class="small kb-cat-del" title=${tk('cat.delete')} aria-label=${tk('cat.delete')} onClick=${remove}>✕</button>
				</span>`}
	</li>`;
}

/* ---- articles ---- */
function Badges({ a }) {
	return html`<span class="kb-badges">
		<span class=${'pill kb-st-' + a.status} data-status=${a.status}>${tk('status.' + a.status)}</span>
		<span class=${'pill kb-vis-' + a.visibility} data-visibility=${a.visibility}>${tk('vis.' + a.visibility)}</span>
	</span>`;
}

function ArticleList({ arts, cats, reorder, current, open }) {
	const err = useSignal('');
	if (!arts.value) return html`<p class="muted">${tk('loading')}</p>`;
	if (!arts.value.length) return html`<p class="muted" id="kb-articles-empty">${tk('art.empty')}</p>`;
	const catName = (id) => (cats.find((c) => c.id === id) || {}).name || '';
	async function move(i, by) {
		const list = arts.value.slice();
		const j = i + by;
		if (j < 0 || j >= list.length) return;
		[list[i], list[j]] = [list[j], list[i]];
		arts.value = list;
		try {
			await post('/api/v1/kb/articles/reorder', { ids: list.map((a) => a.id) });
		} catch (x) {
			err.value = errText(x, 'ed.err');
		}
	}
	return html`${err.value && html`<p class="error small-text" role="alert">${err.value}</p>`}
	<ul class="kb-articles" id="kb-articles">
		${arts.value.map((a, i) => html`<li key=${a.id} class=${'kb-article' + (a.id === current ? ' current' : '')} data-id=${a.id}>
			<button type="button" class="kb-article-open" onClick=${() => open(a.id)}>
				<span class="kb-q">${a.question}</span>
				<span class="kb-meta muted small-text">${catName(a.category_id)}${a.views ? ' · ' + tk('art.views', { n: a.views }) : ''}</span>
			</button>
			${a.status && html`<${Badges} a=${a} />`}
			${reorder && html`<span class="kb-row-tools">
				<button type="button" class="small kb-up" aria-label=${tk('up')} title=${tk('up')} disabled=${i === 0} onClick=${() => move(i, -1)}>↑</button>
				<button type="button" class="small kb-down" aria-label=${tk('down')} title=${tk('down')} disabled=${i === arts.value.length - 1}
					onClick=${() => move(i, 1)}>↓</button></span>`}
		</li>`)}
	</ul>`;
}

/* The server-rendered, sanitised preview of md, debounced; the one place raw HTML is shown. */
function Preview({ md }) {
	const out = useSignal({ html: '', state: 'empty' });
	useEffect(() => {
		if (!md.trim()) {
			out.value = { html: '', state: 'empty' };
			return undefined;
		}
		let live = true;
		out.value = { ...out.value, state: 'pending' };
		const t = setTimeout(() => {
			post('/api/v1/kb/preview', { markdown: md }).then(
				(d) => live && (out.value = { html: (d && d.html) || '', state: 'ready' }),
				() => live && (out.value = { html: '', state: 'error' }),
			);
		}, PREVIEW_MS);
		return () => {
			live = false;
			clearTimeout(t);
		};
	}, [md]);
	const s = out.value;
	return html`<div class="kb-preview-box">
		<div class="kb-label">${tk('ed.preview')}</div>
		${s.state === 'empty' && html`<p class="muted small-text">${tk('ed.previewEmpty')}</p>`}
		${s.state === 'error' && html`<p class="error small-text">${tk('ed.previewErr')}</p>`}
		<div id="kb-preview" class="kb-preview" data-state=${s.state} dangerouslySetInnerHTML=${{ __html: s.html }}></div>
	</div>`;
}

/* Loads what the editor picks from: the site's articles of every language (related, translations). */
function useAllArticles(site) {
	const all = useSignal([]);
	useEffect(() => {
		get(`/api/v1/sites/${site}/kb/articles`).then((d) => (all.value = listOf(d, 'articles')), () => {});
	}, [site]);
	return all;
}

function Editor({ site, kbLang, cats, start, defaultCat, onSaved, onDeleted, onClose }) {
	const form = useSignal(start.id ? null : blankForm(start.prefill, kbLang, defaultCat));
	const msg = useSignal(null); // {ok|error: text}
	const busy = useSignal(false);
	const revs = useSignal(null);
	const all = useAllArticles(site);
	const loadRevs = (id) =>
		get(`/api/v1/kb/articles/${id}/revisions`).then((d) => (revs.value = listOf(d, 'revisions')), () => (revs.value = []));
	function load(id) {
		get('/api/v1/kb/articles/' + id).then(
			(d) => (form.value = formOf(one(d, 'article'))),
			(e) => (msg.value = { error: errText(e, 'err') }),
		);
		loadRevs(id);
	}
	useEffect(() => {
		if (start.id) load(start.id);
	}, [start.id]);
	const f = form.value;
	if (!f) return html`<section class="kb-editor card" id="kb-editor"><p class="muted">${tk('loading')}</p></section>`;
	const set = (k) => (e) => (form.value = { ...form.value, [k]: e.currentTarget.value });
	async function save(e) {
		e.preventDefault();
		const q = f.question.trim();
		if (!q || [...q].length > 500) {
			msg.value = { error: tk('ed.errQuestion') };
			return;
		}
		busy.value = true;
		msg.value = null;
		try {
			const d = f.id ? await patch('/api/v1/kb/articles/' + f.id, bodyOf(f)) : await post(`/api/v1/sites/${site}/kb/articles`, bodyOf(f));
			const a = one(d, 'article');
			msg.value = { ok: tk('ed.saved') };
			if (f.id) load(f.id);
			onSaved(a.id || f.id);
		} catch (x) {
			msg.value = { error: x.status === 409 ? tk('ed.errSlug') : errText(x, 'ed.err') };
		} finally {
			busy.value = false;
		}
	}
	async function remove() {
		if (!window.confirm(tk('ed.confirmDelete'))) return;
		try {
			await del('/api/v1/kb/articles/' + f.id);
			onDeleted();
		} catch (x) {
			msg.value = { error: errText(x, 'ed.err') };
		}
	}
	async function restore(rev) {
		try {
			await post(`/api/v1/kb/articles/${f.id}/restore`, { rev });
			load(f.id);
			onSaved(f.id);
			msg.value = { ok: tk('rev.restored', { rev }) };
		} catch (x) {
			msg.value = { error: errText(x, 'ed.err') };
		}
	}
	return html`<section class="kb-editor card" id="kb-editor" data-id=${f.id || ''} data-rev=${f.rev || ''}>
		<header class="kb-editor-head">
			<h3>${f.id ? tk('ed.titleEdit', { id: f.id, rev: f.rev }) : tk('ed.titleNew')}</h3>
			${f.id ? html`<${Badges} a=${f} />` : ''}
			<span class="spacer"></span>
			<button type="button" id="kb-close" class="small" onClick=${onClose}>${tk('ed.close')}</button>
		</header>
		<form class="kb-form" onSubmit=${save} novalidate>
			<label class="field"><span>${tk('ed.question')}</span>
				<input id="kb-question" value=${f.question} maxlength="500" required onInput=${set('question')} /></label>
			<label class="field"><span>${tk('ed.alt')}</span>
				<textarea id="kb-alt" rows="2" value=${f.alt_questions} onInput=${set('alt_questions')}></textarea></label>
			<div class="kb-md">
				<label class="field"><span>${tk('ed.answer')}</span>
					<textarea id="kb-answer" rows="12" value=${f.answer_md} onInput=${set('answer_md')}></textarea></label>
				<${Preview} md=${f.answer_md} />
			</div>
			<div class="kb-fields">
				<label class="field"><span>${tk('ed.tags')}</span><input id="kb-tags" value=${f.tags} onInput=${set('tags')} /></label>
				<label class="field"><span>${tk('ed.category')}</span>
					<select id="kb-category" value=${f.category_id} onChange=${set('category_id')}>
						<option value="0">${tk('cat.none')}</option>
						${tree(cats).map((x) => html`<option value=${x.c.id} selected=${x.c.id === +f.category_id}>${x.c.name}</option>
							${x.kids.map((k) => html`<option value=${k.id} selected=${k.id === +f.category_id}>${x.c.name} › ${k.name}</option>`)}`)}
					</select></label>
				<label class="field"><span>${tk('ed.visibility')}</span>
					<select id="kb-visibility" value=${f.visibility} onChange=${set('visibility')}>
						${VIS.map((v) => html`<option value=${v} selected=${v === f.visibility}>${tk('vis.' + v)}</option>`)}
					</select></label>
				<label class="field"><span>${tk('ed.status')}</span>
					<select id="kb-status" value=${f.status} onChange=${set('status')}>
						${STATUS.map((v) => html`<option value=${v} selected=${v === f.status}>${tk('status.' + v)}</option>`)}
					</select></label>
				<label class="field"><span>${tk('ed.slug')}</span>
					<input id="kb-slug" value=${f.slug} maxlength="120" onInput=${set('slug')} /></label>
			</div>
			<${LinksPicker} f=${f} form=${form} all=${all.value} />
			${msg.value && msg.value.ok && html`<p class="ok" id="kb-msg" role="status">${msg.value.ok}</p>`}
			${msg.value && msg.value.error && html`<p class="error" id="kb-error" role="alert">${msg.value.error}</p>`}
			<div class="row-actions">
				<button type="submit" id="kb-save" class="primary" disabled=${busy.value}>${busy.value ? tk('ed.saving') : tk('ed.save')}</button>
				${f.id ? html`<button type="button" id="kb-delete" class="danger" onClick=${remove}>${tk('ed.delete')}</button>` : ''}
			</div>
		</form>
		${f.id ? html`<${Revisions} revs=${revs.value} current=${f.rev} restore=${restore} />` : ''}
	</section>`;
}

/* Related articles (same language) and the translation link (another language). */
function LinksPicker({ f, form, all }) {
	const same = all.filter((a) => a.lang === f.lang && a.id !== f.id);
	const other = all.filter((a) => a.lang !== f.lang);
	const rel = new Set(f.related);
	const toggle = (id, on) => {
		const next = new Set(form.value.related);
		if (on) next.add(id);
		else next.delete(id);
		form.value = { ...form.value, related: [...next] };
	};
	return html`<div class="kb-links">
		<fieldset class="kb-related" id="kb-related"><legend>${tk('ed.related')}</legend>
			${!same.length && html`<p class="muted small-text">${tk('ed.relatedNone')}</p>`}
			${same.map((a) => html`<label class="check" key=${a.id}><input type="checkbox" value=${a.id} checked=${rel.has(a.id)}
				onChange=${(e) => toggle(a.id, e.currentTarget.checked)} /> ${a.question}</label>`)}
		</fieldset>
		<label class="field"><span>${tk('ed.translation')}</span>
			<select id="kb-translation" value=${f.translation_of} onChange=${(e) => (form.value = { ...form.value, translation_of: +e.currentTarget.value })}>
				<option value="0">${tk('ed.translationNone')}</option>
				${other.map((a) => html`<option value=${a.id} selected=${a.id === +f.translation_of}>[${a.lang}] ${a.question}</option>`)}
			</select></label>
	</div>`;
}

function Revisions({ revs, current, restore }) {
	return html`<section class="kb-revs" id="kb-revisions">
		<h3>${tk('rev.title')}</h3>
		${!revs ? html`<p class="muted">${tk('loading')}</p>` : !revs.length ? html`<p class="muted">${tk('rev.none')}</p>`
		: html`<ol>${revs.map((r) => html`<li key=${r.rev} class="kb-rev" data-rev=${r.rev}>
			<span>${tk('rev.item', { rev: r.rev, status: tk('status.' + r.status), at: fmtTime(r.created_at) })}</span>
			<span class="muted small-text kb-rev-q">${r.question}</span>
			${r.rev === current ? html`<span class="pill">${tk('rev.current')}</span>`
			: html`<button type="button" class="small kb-restore" onClick=${() => restore(r.rev)}>${tk('rev.restore')}</button>`}
		</li>`)}</ol>`}
	</section>`;
}

/* ---- import / export ---- */
function ImportExport({ site, onDone }) {
	const state = useSignal(null); // {busy} | {result} | {error}
	async function pick(e) {
		const file = e.currentTarget.files && e.currentTarget.files[0];
		e.currentTarget.value = '';
		if (!file) return;
		const csv = /\.csv$/i.test(file.name) || file.type === 'text/csv';
		const json = /\.json$/i.test(file.name) || file.type === 'application/json';
		if ((!csv && !json) || file.size > MAX_IMPORT) {
			state.value = { error: tk('io.badFile') };
			return;
		}
		state.value = { busy: true };
		try {
			const text = await file.text();
			const d = await postRaw(`/api/v1/sites/${site}/kb/import`, text, csv ? 'text/csv; charset=utf-8' : 'application/json');
			state.value = { result: one(d, 'import') };
			onDone();
		} catch (x) {
			state.value = { error: errText(x, 'ed.err') };
		}
	}
	const s = state.value || {};
	const r = s.result;
	const errs = (r && r.errors) || [];
	const href = (fmt) => `/api/v1/sites/${site}/kb/export?format=${fmt}`;
	return html`<div class="kb-io">
		<label class="field"><span>${tk('io.import')}</span>
			<input type="file" id="kb-import" accept=".json,.csv,application/json,text/csv" onChange=${pick} /></label>
		<p class="kb-export">${tk('io.export')}: <a id="kb-export-json" href=${href('json')} download>JSON</a>
			· <a id="kb-export-csv" href=${href('csv')} download>CSV</a></p>
		${s.busy && html`<p class="muted small-text">${tk('io.importing')}</p>`}
		${s.error && html`<p class="error small-text" role="alert">${s.error}</p>`}
		${r && html`<div id="kb-import-result" role="status"><p class="ok small-text">${tk('io.result', {
			created: r.created || 0, updated: r.updated || 0, errors: errs.length })}</p>
			${errs.length > 0 && html`<ul class="small-text">${errs.slice(0, 20).map((x) => html`<li>${tk('io.row', x)}</li>`)}</ul>`}</div>`}
	</div>`;
}

/* ---- the editor's report ---- */
function QueryTable({ id, title, rows, onWrite }) {
	return html`<section class="card kb-rep" id=${id}>
		<h3>${title}</h3>
		${!rows.length ? html`<p class="muted small-text">${tk('rep.empty')}</p>`
		: html`<div class="table-wrap"><table>
			<thead><tr><th>${tk('rep.query')}</th><th>${tk('rep.count')}</th><th>${tk('rep.last')}</th>
				${id === 'kb-rep-weak' && html`<th>${tk('rep.best')}</th>`}${onWrite && html`<th></th>`}</tr></thead>
			<tbody>${rows.map((r, i) => html`<tr key=${i} data-query=${r.query}>
				<td class="kb-query">${r.query}</td><td class="num">${r.count}</td><td>${fmtTime(r.last_at)}</td>
				${id === 'kb-rep-weak' && html`<td>${r.top ? r.top.question + ' (' + Number(r.top.confidence || 0).toFixed(2) + ')' : ''}</td>`}
				${onWrite && html`<td><button type="button" class="small kb-write" onClick=${() => onWrite(r.query)}>${tk('rep.write')}</button></td>`}
			</tr>`)}</tbody></table></div>`}
	</section>`;
}

function ArticleTable({ id, title, rows }) {
	return html`<section class="card kb-rep" id=${id}>
		<h3>${title}</h3>
		${!rows.length ? html`<p class="muted small-text">${tk('rep.empty')}</p>`
		: html`<div class="table-wrap"><table>
			<thead><tr><th>${tk('rep.question')}</th><th>${tk('rep.views')}</th><th>${tk('rep.helpful')}</th></tr></thead>
			<tbody>${rows.map((a, i) => html`<tr key=${a.id || i} data-id=${a.id}>
				<td>${a.question}</td><td class="num">${a.views != null ? a.views : ''}</td><td class="num">${a.helpful != null ? a.helpful : ''}</td>
			</tr>`)}</tbody></table></div>`}
	</section>`;
}

function KbReport({ site, kbLang, onWrite }) {
	const days = useSignal(30);
	const rep = useSignal(null);
	const hot = useSignal(null);
	const err = useSignal('');
	useEffect(() => {
		let live = true;
		rep.value = null;
		err.value = '';
		get(`/api/v1/sites/${site}/kb/report?days=${days.value}`).then(
			(d) => live && (rep.value = d || {}),
			(e) => live && ((rep.value = {}), (err.value = errText(e, 'err'))),
		);
		get(`/api/v1/sites/${site}/kb/hot?lang=${encodeURIComponent(kbLang)}&days=${days.value}`).then(
			(d) => live && (hot.value = listOf(d, 'articles', 'hot')),
			() => live && (hot.value = []),
		);
		return () => {
			live = false;
		};
	}, [days.value]);
	const r = rep.value;
	return html`<div class="kb-report" id="kb-report">
		<label class="field inline"><span>${tk('rep.days')}</span>
			<select id="kb-rep-days" value=${days.value} onChange=${(e) => (days.value = +e.currentTarget.value)}>
				${[7, 30, 90].map((n) => html`<option value=${n} selected=${n === days.value}>${tk('rep.daysN', { n })}</option>`)}
			</select></label>
		${err.value && html`<p class="error" role="alert">${err.value}</p>`}
		${!r ? html`<p class="muted">${tk('loading')}</p>` : html`<div class="kb-rep-grid" data-ready="1">
			<${QueryTable} id="kb-rep-noresult" title=${tk('rep.noResult')} rows=${listOf(r, 'no_result')} onWrite=${onWrite} />
			<${QueryTable} id="kb-rep-bot" title=${tk('rep.bot')} rows=${listOf(r, 'bot_unanswered')} onWrite=${onWrite} />
			<${QueryTable} id="kb-rep-weak" title=${tk('rep.weak')} rows=${listOf(r, 'weak')} onWrite=${onWrite} />
			<${ArticleTable} id="kb-rep-top" title=${tk('rep.topViewed')} rows=${listOf(r, 'top_viewed')} />
			<${ArticleTable} id="kb-rep-hot" title=${tk('rep.hot')} rows=${hot.value || []} />
		</div>`}
	</div>`;
}

/* ---- the FAQ helper of the agent's reply box ---- */

/* Markdown to the plain text a chat message carries: links become "text (url)", images their
 * URL, emphasis/heading/quote/code markers go, list items keep a bullet. A chat shows text, not
 * Markdown, so the agent inserts what the visitor will read. */
export function mdToText(md) {
	// A visitor's chat cannot follow a relative link: make it absolute on this server.
	const abs = (u) => (/^\/[^/]/.test(u) && typeof location !== 'undefined' ? location.origin + u : u);
	return String(md || '')
		.replace(/\r\n?/g, '\n')
		.replace(/^```[^\n]*\n?/gm, '')
		// Raw HTML never reaches readers (the server's rendering drops it), so it goes here too.
		.replace(/<(script|style)\b[^]*?<\/\1\s*>/gi, '')
		.replace(/<\/?[a-zA-Z][^>]*>/g, '')
		.replace(/!\[([^\]]*)\]\(\s*<?([^)\s>]+)>?(?:\s+"[^"]*")?\s*\)/g, (m, alt, url) => (alt ? alt + ': ' : '') + abs(url))
		.replace(/\[([^\]]+)\]\(\s*<?([^)\s>]+)>?(?:\s+"[^"]*")?\s*\)/g, (m, text, url) => (text === url ? abs(url) : text + ' (' + abs(url) + ')'))
		.replace(/^ {0,3}#{1,6}\s+/gm, '')
		.replace(/^ {0,3}>\s?/gm, '')
		.replace(/^(\s*)[*+-]\s+/gm, '$1• ')
		.replace(/^ {0,3}([-*_])(\s*\1){2,}\s*$/gm, '')
		.replace(/(\*\*|__)(?=\S)([^]*?\S)\1/g, '$2')
		.replace(/(^|[^\w*])[*_](?=\S)([^*_\n]*?\S)[*_](?=[^\w*]|$)/g, '$1$2')
		.replace(/~~(?=\S)([^~]*?\S)~~/g, '$1')
		.replace(/`([^`\n]+)`/g, '$1')
		.replace(/\\([\\`*_{}[\]()#+\-.!>])/g, '$1')
		.replace(/\n{3,}/g, '\n\n')
		.trim();
}

/* The article's answer as text and its help-centre link, written into the reply box at the cursor. */
async function insertArticle(hit, c, el) {
	let text = hit.snippet || '';
	let slug = hit.slug;
	try {
		const a = one(await get('/api/v1/kb/articles/' + hit.id), 'article');
		text = mdToText(a.answer_md) || text;
		slug = a.slug || slug;
	} catch (e) {
		/* the snippet will do */
	}
	// The search's own help-centre URL (/help/<site key>/a/<slug>?lang=…), else one built here.
	let link = '';
	try {
		const path = /^\/help\//.test(hit.url || '') ? hit.url : '/help/' + encodeURIComponent(await siteKey(c.site_id)) + '/a/' + encodeURIComponent(slug);
		link = location.origin + path;
	} catch (e) {
		link = '';
	}
	if (!el) return;
	const add = text + (link ? '\n' + link : '');
	const s = el.selectionStart != null ? el.selectionStart : el.value.length;
	const e2 = el.selectionEnd != null ? el.selectionEnd : s;
	const pre = el.value.slice(0, s);
	const sep = pre && !/\s$/.test(pre) ? '\n' : '';
	el.value = pre + sep + add + el.value.slice(e2);
	el.focus();
	const at = pre.length + sep.length + add.length;
	el.setSelectionRange(at, at);
	// Lets the reply box resize and the typing indicator see the text, as typing would.
	el.dispatchEvent(new Event('input', { bubbles: true }));
}

/* partial=1: typing and automatic suggestions are not logged as searches (the editor's report
 * would fill with prefixes and with the same message counted on every look at the chat). */
const searchUrl = (c, q) =>
	`/api/v1/sites/${c.site_id}/kb/search?partial=1&limit=8&q=${encodeURIComponent(q)}&lang=${encodeURIComponent((c.visitor && c.visitor.lang) || c.lang || '')}`;

/* The "FAQ" button of the reply bar; open is a signal the popover shares. */
export function FaqButton({ open, c }) {
	return html`<button type="button" id="reply-faq" class="small" aria-expanded=${open.value ? 'true' : 'false'} aria-controls="faq-pop"
		title=${tk('faq.title')} disabled=${!c} onClick=${() => (open.value = !open.value)}>${tk('faq.button')}</button>`;
}

/* Search-as-you-type over the knowledge base (internal articles included); a click inserts. */
export function FaqPop({ open, c, inputRef }) {
	const q = useSignal('');
	const hits = useSignal(null);
	const err = useSignal(false);
	const box = useRef(null);
	useEffect(() => {
		if (open.value && box.current) box.current.focus();
	}, [open.value]);
	useEffect(() => {
		const text = q.value.trim();
		if (!open.value || !c || !text) {
			hits.value = null;
			return undefined;
		}
		let live = true;
		const t = setTimeout(() => {
			get(searchUrl(c, text)).then(
				(d) => live && ((hits.value = listOf(d, 'hits')), (err.value = false)),
				() => live && ((hits.value = []), (err.value = true)),
			);
		}, 200);
		return () => {
			live = false;
			clearTimeout(t);
		};
	}, [q.value, open.value]);
	if (!open.value || !c) return null;
	async function pickHit(x) {
		await insertArticle(x, c, inputRef.current);
		open.value = false;
	}
	return html`<div class="faq-pop" id="faq-pop" role="dialog" aria-label=${tk('faq.title')}
		onKeyDown=${(e) => e.key === 'Escape' && (open.value = false)}>
		<input type="search" id="faq-q" ref=${box} placeholder=${tk('faq.ph')} aria-label=${tk('faq.title')} value=${q.value}
			onInput=${(e) => (q.value = e.currentTarget.value)} onKeyDown=${(e) => {
				// The popover sits in the reply form: Enter here must not send the reply; it takes the first hit.
				if (e.key !== 'Enter' || e.isComposing || e.keyCode === 229) return;
				e.preventDefault();
				if (hits.value && hits.value.length) pickHit(hits.value[0]);
			}} />
		${err.value && html`<p class="error small-text">${tk('faq.err')}</p>`}
		${hits.value && !hits.value.length && !err.value && html`<p class="muted small-text" id="faq-none">${tk('faq.none')}</p>`}
		${hits.value && hits.value.length > 0 && html`<ul class="faq-hits">${hits.value.map((x) => html`<li key=${x.id}>
			<button type="button" class="faq-hit" data-id=${x.id} onClick=${() => pickHit(x)}><strong>${x.question}</strong>${x.snippet && html`<span class="muted small-text">${x.snippet}</span>`}</button></li>`)}</ul>`}
	</div>`;
}

/* The visitor's last text message of conversation id ('' when none). */
function lastVisitorText(id) {
	const msgs = chat.messages.value[id] || [];
	for (let i = msgs.length - 1; i >= 0; i--) {
		const m = msgs[i];
		if (m.from === 'visitor' && (!m.kind || m.kind === 'text') && m.text) return m.text;
	}
	return '';
}

/* While the reply box is empty: the best FAQ match for the visitor's last message, one line. */
export function FaqSuggest({ id, c, inputRef }) {
	const text = lastVisitorText(id).slice(0, 200);
	const hit = useSignal(null);
	const empty = useSignal(true);
	useEffect(() => {
		const el = inputRef.current;
		if (!el) return undefined;
		const check = () => (empty.value = !el.value.trim());
		check();
		el.addEventListener('input', check);
		return () => el.removeEventListener('input', check);
	}, [inputRef.current]);
	useEffect(() => {
		if (!c || !text.trim()) {
			hit.value = null;
			return undefined;
		}
		let live = true;
		const t = setTimeout(() => {
			get(searchUrl(c, text)).then((d) => live && (hit.value = listOf(d, 'hits')[0] || null), () => live && (hit.value = null));
		}, 300);
		return () => {
			live = false;
			clearTimeout(t);
		};
	}, [text, c && c.site_id]);
	// Sending clears the box without an input event; the new message re-renders this, so the
	// box itself is looked at too.
	const typed = !empty.value;
	const isEmpty = inputRef.current ? !inputRef.current.value.trim() : !typed;
	if (!hit.value || !isEmpty || !c || c.status === 'closed') return null;
	return html`<div class="faq-suggest" id="faq-suggest" data-id=${hit.value.id}>
		<span class="faq-suggest-label">${tk('faq.suggest')}</span>
		<span class="faq-suggest-q">${hit.value.question}</span>
		<button type="button" id="faq-suggest-insert" class="small" onClick=${() => insertArticle(hit.value, c, inputRef.current)}>${tk('faq.insert')}</button>
	</div>`;
}

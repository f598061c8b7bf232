// trail.js - a visitor's page trail: the pages they saw (newest first) with when and for how
// long, from GET /api/v1/visitors/:id/pages. Shown beside a conversation and under a row of the
// Visitors page; it refreshes every 15 s while shown.
import { h } from 'preact';
import { useEffect } from 'preact/hooks';
import { useSignal } from '@preact/signals';
import htm from 'htm';
import { get } from './api.js';
import { lang } from './i18n.js';
import { tt, duration } from './track-i18n.js';

const html = htm.bind(h);
const REFRESH_MS = 15000;

function clock(ms) {
	const d = new Date(ms);
	const today = new Date().toDateString() === d.toDateString();
	return d.toLocaleString(lang.value, today ? { hour: '2-digit', minute: '2-digit' } : { month: 'short', day: 'numeric', hour: '2-digit', minute: '2-digit' });
}

/* Only http(s) links are links: a stored URL is the visitor's, not to be trusted as a scheme. */
const safeHref = (u) => (/^https?:\/\//i.test(u) ? u : undefined);

export function PageTrail({ visitorId }) {
	const pages = useSignal(null);
	const err = useSignal(false);
	useEffect(() => {
		let live = true;
		pages.value = null;
		const load = () =>
			get('/api/v1/visitors/' + visitorId + '/pages').then(
				(d) => live && ((pages.value = (d && d.pages) || []), (err.value = false)),
				() => live && (err.value = true),
			);
		if (!visitorId) return undefined;
		load();
		const timer = setInterval(load, REFRESH_MS);
		return () => {
			live = false;
			clearInterval(timer);
		};
	}, [visitorId]);
	if (!visitorId) return null;
	const list = pages.value;
	return html`<section class="page-trail" data-visitor-id=${visitorId} aria-label=${tt('trail.title')}>
		<h4>${tt('trail.title')}</h4>
		${list === null
			? null
			: list.length === 0
				? html`<p class="muted">${err.value ? '' : tt('trail.none')}</p>`
				: html`<ol>${list.map(
						(p, i) => html`<li key=${p.at + ':' + i} class="trail-item" data-url=${p.url}>
							<a href=${safeHref(p.url)} target="_blank" rel="noopener noreferrer" title=${p.url}>${p.title || p.url}</a>
							<span class="muted"><time>${clock(p.at)}</time>${p.seconds ? ' · ' + duration(p.seconds) : ''}</span>
						</li>`,
					)}</ol>`}
	</section>`;
}

// files.js - files in chats (实时文件传输) in the console: upload with progress (XHR), the site key an
// upload needs, and how a file message looks (image thumbnail or download link).
// Server side: docs/api.md "Files in chats".
import { h } from 'preact';
import htm from 'htm';
import { get, getCsrf, ApiError } from './api.js';

const html = htm.bind(h);

/* site id -> key (uploads name the site by key; conversations carry only its id). */
let keys = null;
export async function siteKey(siteId) {
	if (!keys || !keys[siteId]) {
		const d = await get('/api/v1/sites');
		keys = {};
		for (const s of (d && d.sites) || []) keys[s.id] = s.key;
	}
	const k = keys[siteId];
	if (!k) throw new ApiError(404, 'not_found', 'no such site');
	return k;
}

/* POST /api/v1/chat/files?site=KEY with one file; onProgress(0..1). Resolves the file object. */
export function upload(key, file, onProgress) {
	return new Promise((resolve, reject) => {
		const xhr = new XMLHttpRequest();
		xhr.open('POST', '/api/v1/chat/files?site=' + encodeURIComponent(key));
		xhr.setRequestHeader('Accept', 'application/json');
		const csrf = getCsrf();
		if (csrf) xhr.setRequestHeader('X-CSRF-Token', csrf);
		xhr.upload.onprogress = (e) => {
			if (e.lengthComputable && onProgress) onProgress(e.loaded / e.total);
		};
		xhr.onload = () => {
			let d = null;
			try {
				d = JSON.parse(xhr.responseText);
			} catch (e) {
				d = null;
			}
			if (xhr.status === 201 && d && d.file) return resolve(d.file);
			const err = (d && d.error) || {};
			reject(new ApiError(xhr.status, err.code || (xhr.status === 413 ? 'file_too_large' : ''), err.message));
		};
		xhr.onerror = xhr.onabort = () => reject(new ApiError(0, 'network', 'network error'));
		const fd = new FormData();
		fd.append('file', file, file.name);
		xhr.send(fd);
	});
}

export function humanSize(n) {
	n = +n || 0;
	if (n < 1024) return n + ' B';
	if (n < 1048576) return (n / 1024).toFixed(1) + ' KB';
	return (n / 1048576).toFixed(1) + ' MB';
}

const INLINE = /^image\/(png|jpeg|gif|webp)$/i;

/* The body of a kind=file message: an inline thumbnail for images (click: full size in a new tab),
 * a download link with name and size for anything else. Only relative (same-server) URLs. */
export function FileBody({ file, text }) {
	const f = file || {};
	const url = /^\/[^/\\]/.test(String(f.url || '')) ? f.url : '';
	const extra = text && text !== f.name ? html`<div class="msg-file-text">${text}</div>` : null;
	if (INLINE.test(f.content_type || ''))
		return html`<a class="msg-img-link" href=${url} target="_blank" rel="noopener noreferrer" title=${f.name}>
			<img class="msg-img" src=${url} alt=${f.name || ''}/></a>${extra}`;
	return html`<a class="msg-file" href=${url} download=${f.name || ''} rel="noopener">
		<span class="msg-file-name">${f.name}</span>
		<span class="msg-file-size muted">${humanSize(f.size)}</span></a>${extra}`;
}

// api.js - a small fetch wrapper for the Kefu JSON API.
// Same-origin cookies carry the session; writes carry the CSRF token from /me or login.

let csrfToken = '';

export function setCsrf(token) {
	csrfToken = token || '';
}

export function getCsrf() {
	return csrfToken;
}

export class ApiError extends Error {
	constructor(status, code, message) {
		super(message || code || 'HTTP ' + status);
		this.name = 'ApiError';
		this.status = status; // 0 when the server could not be reached
		this.code = code || '';
	}
}

const SAFE = { GET: 1, HEAD: 1, OPTIONS: 1 };

export async function api(method, path, body) {
	const headers = { Accept: 'application/json' };
	const opts = { method, headers, credentials: 'same-origin' };
	if (body !== undefined) {
		headers['Content-Type'] = 'application/json';
		opts.body = JSON.stringify(body);
	}
	if (!SAFE[method] && csrfToken) headers['X-CSRF-Token'] = csrfToken;

	let res;
	try {
		res = await fetch(path, opts);
	} catch (e) {
		throw new ApiError(0, 'network', e && e.message);
	}
	let data = null;
	const text = await res.text();
	if (text) {
		try {
			data = JSON.parse(text);
		} catch (e) {
			data = null;
		}
	}
	if (!res.ok) {
		const err = (data && data.error) || {};
		throw new ApiError(res.status, err.code, err.message);
	}
	if (data && typeof data.csrf_token === 'string') setCsrf(data.csrf_token);
	return data;
}

export const get = (path) => api('GET', path);
export const post = (path, body) => api('POST', path, body === undefined ? {} : body);
export const patch = (path, body) => api('PATCH', path, body);
export const del = (path) => api('DELETE', path);
export const put = (path, body) => api('PUT', path, body);

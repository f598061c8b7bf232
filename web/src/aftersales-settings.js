// aftersales-settings.js - Settings → 售后规则 for admins (issue 7, point 4): the site's return
// and exchange windows, warranty months, what cannot be returned (categories, opened items,
// final-sale SKUs) and the repair service points. GET/PUT /api/v1/sites/:id/aftersales; the
// server checks every value and names the bad one, shown as it comes.
import { h } from 'preact';
import { useEffect } from 'preact/hooks';
import { useSignal } from '@preact/signals';
import htm from 'htm';
import { get, put } from './api.js';
import { ta } from './aftersales-i18n.js';

const html = htm.bind(h);
const lines = (s) => s.split('\n').map((x) => x.trim()).filter(Boolean);
const int = (v) => (v === '' || isNaN(+v) ? v : Math.trunc(+v));

export function AftersalesPanel() {
	const sites = useSignal([]);
	const site = useSignal(0);
	const r = useSignal(null);
	const msg = useSignal('');
	useEffect(() => {
		get('/api/v1/sites').then((d) => {
			sites.value = d.sites || [];
			if (sites.value.length) site.value = sites.value[0].id;
		}, () => {});
	}, []);
	useEffect(() => {
		if (!site.value) return;
		get(`/api/v1/sites/${site.value}/aftersales`).then((d) => {
			const x = d.rules;
			r.value = { ...x, noReturn: x.no_return_categories.join('\n'), finalSale: x.final_sale_skus.join('\n') };
		}, () => {});
	}, [site.value]);
	if (!r.value) return null;
	const v = r.value;
	const set = (k, val) => (r.value = { ...r.value, [k]: val });
	const setPoint = (i, k, val) => set('service_points', v.service_points.map((p, j) => (j === i ? { ...p, [k]: val } : p)));
	const save = async (e) => {
		e.preventDefault();
		msg.value = '';
		try {
			await put(`/api/v1/sites/${site.value}/aftersales`, {
				return_days: int(v.return_days), exchange_days: int(v.exchange_days), warranty_months: int(v.warranty_months),
				exclude_opened: v.exclude_opened, exclude_final_sale: v.exclude_final_sale,
				no_return_categories: lines(v.noReturn), final_sale_skus: lines(v.finalSale),
				service_points: v.service_points.map((p) => ({ id: p.id, name: p.name, address: p.address || '', phone: p.phone || '' })),
			});
			msg.value = ta('saved');
		} catch (x) {
			msg.value = ta('err') + (x.message ? ': ' + x.message : '');
		}
	};
	const num = (k, label) => html`<label>${label} <input type="number" min="0" name=${k} value=${v[k]} onInput=${(e) => set(k, e.currentTarget.value)} /></label>`;
	const chk = (k, label) => html`<label><input type="checkbox" name=${k} checked=${v[k]} onChange=${(e) => set(k, e.currentTarget.checked)} /> ${label}</label>`;
	return html`<form class="aftersales-form" onSubmit=${save}>
		${sites.value.length > 1 && html`<label>${ta('site')} <select onChange=${(e) => (site.value = +e.currentTarget.value)}>
			${sites.value.map((x) => html`<option value=${x.id} selected=${x.id === site.value}>${x.name}</option>`)}</select></label>`}
		${num('return_days', ta('returnDays'))} ${num('exchange_days', ta('exchangeDays'))} ${num('warranty_months', ta('warrantyMonths'))}
		${chk('exclude_opened', ta('excludeOpened'))} ${chk('exclude_final_sale', ta('excludeFinalSale'))}
		<label>${ta('noReturn')}<textarea name="no_return" value=${v.noReturn} onInput=${(e) => set('noReturn', e.currentTarget.value)}></textarea></label>
		<label>${ta('finalSale')}<textarea name="final_sale" value=${v.finalSale} onInput=${(e) => set('finalSale', e.currentTarget.value)}></textarea></label>
		<fieldset><legend>${ta('points')}</legend>
			${v.service_points.map((p, i) => html`<div class="row">
				${['id', 'name', 'address', 'phone'].map((k) => html`<input aria-label=${ta('p' + k[0].toUpperCase() + k.slice(1))}
					placeholder=${ta('p' + k[0].toUpperCase() + k.slice(1))} value=${p[k] || ''} onInput=${(e) => setPoint(i, k, e.currentTarget.value)} />`)}
				<button type="button" onClick=${() => set('service_points', v.service_points.filter((x, j) => j !== i))}>${ta('remove')}</button>
			</div>`)}
			<button type="button" onClick=${() => set('service_points', [...v.service_points, { id: '', name: '' }])}>${ta('add')}</button>
		</fieldset>
		<button type="submit">${ta('save')}</button>
		${msg.value && html`<span class="muted" role="status"> ${msg.value}</span>`}
	</form>`;
}

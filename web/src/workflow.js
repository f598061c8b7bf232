// workflow.js - the after-sales panel of a ticket (issue 7, point 4): the current step of a
// return, repair or complaint, its facts (order, items, reason; serial, fault, service point,
// warranty), the steps so far with their dates, and the allowed next steps as buttons. A step
// that needs a reason (refuse; a complaint's outcome) asks for it first. The server decides what
// is allowed (GET/POST /api/v1/tickets/:id/workflow); a refused move shows its message.
import { h } from 'preact';
import { useEffect } from 'preact/hooks';
import { useSignal } from '@preact/signals';
import htm from 'htm';
import { get, post } from './api.js';
import { ta } from './aftersales-i18n.js';

const html = htm.bind(h);
const WF_TYPES = ['return', 'repair', 'complaint'];
const when = (s) => (s ? new Date(s * 1000).toLocaleString() : '');

function Facts({ w }) {
	const rows = [];
	if (w.order) rows.push([ta('order'), w.order]);
	if (w.kind) rows.push([ta('kind'), ta('kind.' + w.kind)]);
	if (w.items) rows.push([ta('items'), w.items.map((i) => `${i.name || i.sku} × ${i.quantity}`).join('，')]);
	if (w.reason) rows.push([ta('reason'), w.reason]);
	if (w.serial) rows.push([ta('serial'), w.serial]);
	if (w.fault) rows.push([ta('fault'), w.fault]);
	if (w.service_point) rows.push([ta('point'), w.service_point.name]);
	if (w.warranty !== undefined) rows.push([ta('warranty'), w.warranty ? ta('inWarranty') : ta('outWarranty')]);
	return html`<dl class="wf-facts">${rows.map(([k, v]) => html`<dt>${k}</dt><dd>${v}</dd>`)}</dl>`;
}

export function WorkflowPanel({ ticket, onChange }) {
	const flow = useSignal(null);
	const asking = useSignal('');   /* the step waiting for its reason */
	const reason = useSignal('');
	const msg = useSignal('');
	const busy = useSignal(false);
	const id = ticket && ticket.id;
	useEffect(() => {
		/* another ticket: nothing of the last one's; the same one (a poll, our own move): keep it shown */
		if (flow.value && flow.value.ticket_id !== id) flow.value = null;
		if (!id || !WF_TYPES.includes(ticket.type)) return void (flow.value = null);
		get(`/api/v1/tickets/${id}/workflow`).then((d) => (flow.value = d), () => {});
	}, [id, ticket && ticket.type, ticket && ticket.workflow_state]);
	if (!flow.value) return null;
	const f = flow.value;
	const go = async (to, why) => {
		busy.value = true;
		msg.value = '';
		try {
			flow.value = await post(`/api/v1/tickets/${id}/workflow`, why ? { to, reason: why } : { to });
			asking.value = '';
			reason.value = '';
			msg.value = ta('moved', { s: ta('st.' + to) });
			if (onChange) onChange(flow.value);
		} catch (x) {
			msg.value = x.message || ta('err');
		}
		busy.value = false;
	};
	const click = (n) => (n.needs_reason ? ((asking.value = n.state), (reason.value = '')) : go(n.state));
	const steps = (f.workflow && f.workflow.steps) || [];
	return html`<section class="wf-panel" aria-labelledby="wf-title">
		<h4 id="wf-title">${ta('wf')}</h4>
		<p>${ta('current')}: <strong class="wf-state" data-state=${f.state}>${ta('st.' + f.state)}</strong></p>
		<${Facts} w=${f.workflow || {}} />
		${f.final ? html`<p class="muted">${ta('finished')}</p>` : html`<div class="wf-next">
			${f.next.map((n) => html`<button type="button" class=${'wf-go' + (n.state === 'refused' ? ' danger' : '')}
				data-to=${n.state} disabled=${busy.value} onClick=${() => click(n)}>${ta('go.' + n.state)}</button>`)}
		</div>`}
		${asking.value && html`<form class="wf-reason" onSubmit=${(e) => {
			e.preventDefault();
			if (!reason.value.trim()) msg.value = ta('reasonNeeded');
			else go(asking.value, reason.value.trim());
		}}>
			<label>${ta(asking.value === 'refused' ? 'refuseAsk' : 'outcomeAsk')}
				<textarea name="reason" maxlength="2000" required value=${reason.value} onInput=${(e) => (reason.value = e.currentTarget.value)}></textarea></label>
			<button type="submit" disabled=${busy.value}>${ta('confirm')}</button>
			<button type="button" onClick=${() => (asking.value = '')}>${ta('cancel')}</button>
		</form>`}
		${msg.value && html`<p class="wf-msg" role="status">${msg.value}</p>`}
		${steps.length > 0 && html`<details><summary>${ta('history')}</summary><ol class="wf-steps">
			${steps.map((s) => html`<li>${ta('st.' + s.state)} <span class="muted">${when(s.at)}</span>${s.reason ? ' — ' + s.reason : ''}</li>`)}
		</ol></details>`}
	</section>`;
}

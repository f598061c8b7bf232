// widget/invite.js - proactive chat invitations in the widget (manual and by rule).
// Placeholder until invitations land.
export function inviteSetup(ctx) {
	void ctx;
}
export function inviteFrame(f) {
	void f;
}

// widget/track.js - page-view reporting for traffic statistics and the live visitor list.
// Placeholder until tracking lands: reports nothing and is ready at once.
export function startTracking(ctx) {
	if (ctx && ctx.onReady) ctx.onReady();
}

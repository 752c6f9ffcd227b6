// Settings for coi-serviceworker.js (loaded next): the service worker that makes the lab
// cross-origin isolated (and so able to train on every core) on hosts that cannot send the
// COOP/COEP headers. Only the top-level page registers it: an embedded lab gets threads only
// when the page around it is isolated, which a service worker of ours cannot change.
window.coi = { shouldRegister: () => window.top === window, quiet: true };

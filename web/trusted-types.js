// The Content-Security-Policy requires Trusted Types, so the browser refuses any HTML string written into the
// page. The app builds DOM nodes (Preact sets text, never markup); this policy lets through only the empty string
// ECharts writes to clear a chart's container. Loaded first, as a classic script, before ECharts.
if (window.trustedTypes) trustedTypes.createPolicy('default', { createHTML: (html) => (html === '' ? html : null) });

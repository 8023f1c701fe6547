// The web app's entry: renders the app into #app. No build step: modules are served as they are.
import { html, render } from './lib/ui.js';
import { App } from './app.js';

render(html`<${App} />`, document.getElementById('app'));

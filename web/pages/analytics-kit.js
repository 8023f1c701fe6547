// What every analytics page (dashboard, funnels, metric explorer, send time) builds on, imported in one line:
// API calls and their loading, texts and formats, charts, the loading/error/empty states and the date range.
export { api } from '../lib/api.js';
export { useFormat, useText } from '../lib/i18n.js';
export { useApi } from '../lib/use-api.js';
export { Chart, TOOLTIP } from '../components/chart.js';
export { Empty, ErrorNote, Loading } from '../components/states.js';
export { DateRange, previousRange, useDateRange } from '../components/date-range.js';

// Pages live at hash routes (#/audiences, #/segments/new): the server serves one page, and a reload keeps the place.
import { useEffect, useState } from './ui.js';

const current = () => (location.hash.replace(/^#/, '') || '/').split('?')[0];

/** The current route, updated when the hash changes. */
export function useRoute() {
  const [route, setRoute] = useState(current());
  useEffect(() => {
    const changed = () => setRoute(current());
    window.addEventListener('hashchange', changed);
    return () => window.removeEventListener('hashchange', changed);
  }, []);
  return route;
}

export const navigate = (route) => {
  location.hash = `#${route}`;
};

/** Matches '/segments/:id' against '/segments/seg_1' → {id: 'seg_1'}, or null. */
export function matchRoute(pattern, route) {
  const names = [];
  const source = pattern.replace(/:(\w+)/g, (_, name) => {
    names.push(name);
    return '([^/]+)';
  });
  const match = new RegExp(`^${source}$`).exec(route);
  if (!match) return null;
  return Object.fromEntries(names.map((name, i) => [name, decodeURIComponent(match[i + 1])]));
}

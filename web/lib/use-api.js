// Loading data for a view: the latest request wins (an answer that arrives after a newer request was made is
// dropped), and the view sees {data, error, loading, reload}.
import { useCallback, useEffect, useRef, useState } from './ui.js';

export function useApi(load, deps) {
  const [state, setState] = useState({ data: undefined, error: undefined, loading: true });
  const latest = useRef(0);
  const run = useCallback(() => {
    const ticket = ++latest.current;
    setState((s) => ({ ...s, loading: true, error: undefined }));
    load().then(
      (data) => ticket === latest.current && setState({ data, error: undefined, loading: false }),
      (error) => ticket === latest.current && setState({ data: undefined, error, loading: false }),
    );
  }, deps); // the caller names what the load depends on
  useEffect(run, [run]);
  return { ...state, reload: run };
}

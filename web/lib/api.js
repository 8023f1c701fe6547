// The app talks to the same public API as everyone else, authenticated by the session cookie (HttpOnly: this code
// never sees a key after sign-in). Changes carry X-Smsp-App, which a page on another origin cannot add.

/** An API answer that is not 2xx: its status and the API's error body ({code, message, field?}). */
export class ApiError extends Error {
  constructor(status, body) {
    super(body?.message || `HTTP ${status}`);
    this.status = status;
    this.code = body?.code;
    this.field = body?.field;
    // Where in a submitted SQL query the problem is (POST /v1/sql), when the engine says.
    this.position = body?.position;
  }
}

let onSignedOut = () => {};
/** Called when an answer says the session is gone (401), so the app can show the sign-in page. */
export function whenSignedOut(callback) {
  onSignedOut = callback;
}

let language = 'zh-CN';
/** The language error messages come back in. */
export function setApiLanguage(locale) {
  language = locale;
}

export const queryString = (query) => {
  const params = new URLSearchParams();
  for (const [name, value] of Object.entries(query || {})) if (value !== undefined && value !== null && value !== '') params.set(name, String(value));
  const text = params.toString();
  return text ? `?${text}` : '';
};

/** The headers every call carries: the answer's language, and X-Smsp-App on changes. */
export function appHeaders(method) {
  const headers = { accept: 'application/json', 'accept-language': language };
  if (method !== 'GET') headers['x-smsp-app'] = '1';
  return headers;
}

/** Calls `/v1{path}`; resolves to the JSON answer (null for 204), rejects with an ApiError. */
export async function api(method, path, { body, query, signal } = {}) {
  const headers = appHeaders(method);
  if (body !== undefined) headers['content-type'] = 'application/json';
  const res = await fetch(`/v1${path}${queryString(query)}`, {
    method,
    headers,
    credentials: 'same-origin',
    signal,
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  if (res.status === 204) return null;
  const data = await res.json().catch(() => null);
  if (!res.ok) {
    if (res.status === 401 && path !== '/sessions') onSignedOut();
    throw new ApiError(res.status, data);
  }
  return data;
}

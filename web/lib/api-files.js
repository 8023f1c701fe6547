// Files to and from the API, beside api() (which speaks JSON): a download that follows X-Next-Cursor page after
// page, and an upload whose progress the page can show (fetch reports none, XMLHttpRequest does).
import { ApiError, appHeaders, queryString } from './api.js';

const errorOf = async (res) => new ApiError(res.status, await res.json().catch(() => null));

/**
 * Every page of a paged file answer (e.g. an audience export) as strings, following X-Next-Cursor; `onPage(n)`
 * after each page. CSV pages each repeat the header row: pages after the first lose their first line.
 */
export async function downloadPages(path, query, { csv = false, onPage = () => {} } = {}) {
  const parts = [];
  let cursor;
  for (let page = 1; ; page++) {
    const res = await fetch(`/v1${path}${queryString({ ...query, cursor })}`, {
      headers: { 'accept-language': appHeaders('GET')['accept-language'] },
      credentials: 'same-origin',
    });
    if (!res.ok) throw await errorOf(res);
    const text = await res.text();
    parts.push(csv && page > 1 ? text.slice(text.indexOf('\n') + 1) : text);
    onPage(page);
    cursor = res.headers.get('x-next-cursor');
    if (!cursor) return parts;
  }
}

/** Sends `file` as the request body of POST /v1{path}; `onProgress(fraction)` while it goes up. Resolves to the JSON answer. */
export function uploadFile(path, file, { query, onProgress = () => {} } = {}) {
  return new Promise((resolve, reject) => {
    const xhr = new XMLHttpRequest();
    xhr.open('POST', `/v1${path}${queryString(query)}`);
    for (const [name, value] of Object.entries(appHeaders('POST'))) xhr.setRequestHeader(name, value);
    // The import detects the format from the content; the type only has to be one it accepts.
    xhr.setRequestHeader('content-type', file.type && file.type !== 'application/vnd.ms-excel' ? file.type : 'application/octet-stream');
    xhr.upload.onprogress = (e) => e.lengthComputable && onProgress(e.loaded / e.total);
    xhr.onload = () => {
      let body = null;
      try {
        body = JSON.parse(xhr.responseText);
      } catch {
        // not JSON: the status alone tells
      }
      if (xhr.status >= 200 && xhr.status < 300) resolve(body);
      else reject(new ApiError(xhr.status, body));
    };
    xhr.onerror = () => reject(new ApiError(0, null));
    xhr.send(file);
  });
}

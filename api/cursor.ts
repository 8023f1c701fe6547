/** Opaque page cursors: callers pass back what they were given and never build one themselves. */
import { errors } from './errors.ts';

export function encodeCursor(position: string): string {
  return Buffer.from(JSON.stringify({ v: 1, p: position })).toString('base64url');
}

export function decodeCursor(cursor: string, field: string): string {
  try {
    const decoded = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')) as { v?: number; p?: unknown };
    if (decoded.v === 1 && typeof decoded.p === 'string') return decoded.p;
  } catch {
    // falls through to the error below
  }
  throw errors.validation(`${field}: is not a cursor this API issued`, field);
}

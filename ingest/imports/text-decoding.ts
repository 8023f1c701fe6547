/**
 * Text files from Chinese users are often GB18030 (Excel's "CSV" on a Chinese Windows), not UTF-8.
 * The first chunk decides: valid UTF-8 (BOM stripped) stays UTF-8, anything else is read as GB18030.
 */
import { Transform } from 'node:stream';

export function chooseEncoding(head: Buffer): 'utf-8' | 'gb18030' {
  // Drop a trailing partial character before checking: the chunk may cut one in half.
  let end = head.length;
  for (let i = Math.max(0, end - 3); i < end; i++) if ((head[i]! & 0xc0) === 0xc0) end = i;
  try {
    new TextDecoder('utf-8', { fatal: true }).decode(head.subarray(0, end));
    return 'utf-8';
  } catch {
    return 'gb18030';
  }
}

/** A transform from bytes in `encoding` to UTF-8 text, without a BOM. */
export function decoder(encoding: 'utf-8' | 'gb18030'): Transform {
  const textDecoder = new TextDecoder(encoding, { ignoreBOM: false });
  return new Transform({
    transform(chunk: Buffer, _enc, done) {
      done(null, textDecoder.decode(chunk, { stream: true }));
    },
    flush(done) {
      done(null, textDecoder.decode());
    },
  });
}

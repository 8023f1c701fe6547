/**
 * The hostile dictionary of the route fuzz test: names, numbers, dates, zones, markup and text that
 * earlier rounds (and the articles on API hardening) found to break parsers, catalogues and SQL binding.
 * Values that JSON.stringify cannot write (1e400, 2^53+2, 10,000 levels of nesting) are RawJson: they are
 * pasted into the body text as they are.
 */

/** A piece of JSON text written into a body verbatim (see serializeBody). */
export class RawJson {
  constructor(readonly text: string) {}
  toString(): string {
    return this.text;
  }
}

export const PROTOTYPE_NAMES = ['__proto__', 'constructor', 'toString', 'hasOwnProperty', 'valueOf', 'prototype', '__defineGetter__', 'isPrototypeOf'];

/** Numbers at and beyond the edges of their types, as JSON text (JSON.stringify would round or refuse them). */
export const EXTREME_NUMBER_TEXTS = [
  '9007199254740994', // 2^53 + 2
  '-9007199254740994',
  '9007199254740991',
  '1e308',
  '-1e308',
  '1e400',
  '-1e400',
  '-0',
  '0.1e-400',
  '123456789012345678901234567890',
  '4294967296',
  '2147483648',
  '-1',
  '0',
  '1.5',
];

export const NUMBER_LIKE_STRINGS = ['NaN', 'Infinity', '-Infinity', '1e400', '0x10', '1_000', ' 1', '1,5', '', '-0', '+1', '00012', '9007199254740993'];

export const INVALID_DATES = [
  '2024-13-45',
  '2023-02-29',
  '2024-02-30T00:00:00Z',
  '9999-12-31T23:59:59Z',
  '9999-01-01',
  '+099999-01-01T00:00:00Z',
  '-000001-01-01T00:00:00Z',
  '1899-12-31T23:59:59Z',
  '2300-01-01T00:00:00Z',
  '2024-05-01T24:00:00Z',
  '2024-05-01T08:00:00+25:00',
  '2024-05-01',
  '2024-05-01T08:00:00',
  'yesterday',
  '0',
  '1e400',
];

export const VALID_INSTANTS = ['2026-11-01T00:00:00Z', '2026-12-01T00:00:00+08:00', '2024-02-29T12:00:00.123Z', '1900-01-01T00:00:00Z', '2299-12-31T23:59:59Z'];
export const VALID_DATES = ['2024-02-29', '1990-05-17', '1900-01-01', '2099-12-31'];

export const TIME_ZONES = [
  'Asia/Shanghai',
  'UTC',
  'utc',
  'asia/shanghai',
  'US/Pacific-New',
  '../x',
  '../../etc/passwd',
  'Etc/GMT+14',
  'EST5EDT',
  '+08:00',
  'Mars/Olympus',
  'Asia/Shanghai\u0000',
  '',
  'a'.repeat(64),
];

export const MARKUP_AND_CONTROL = [
  '<script>alert(1)</script>',
  '<img src=x onerror=alert(1)>',
  '"; DROP TABLE events; --',
  "' OR '1'='1",
  '{p0:String}',
  '{{workspace}}',
  '${process.env}',
  '\u0000',
  'a\u0000b',
  '\u001b[31mred\u001b[0m',
  '\u0007\b\f\v',
  '\r\nX-Injected: 1',
  '\ud800',
  'x\udc00y',
  '\uffff\ufeff',
  '𝕏😀上海',
  '%00',
  '%ZZ',
  '../../etc/passwd',
  '\\',
  '*',
  '%',
  '_',
  ' ',
  '',
];

export const LONG_STRINGS = ['x'.repeat(257), 'y'.repeat(5000), '上'.repeat(70_000)];

/** 10,000 levels of nesting, as objects and as arrays. */
export const DEEP_OBJECT = new RawJson('{"a":'.repeat(10_000) + '1' + '}'.repeat(10_000));
export const DEEP_ARRAY = new RawJson('['.repeat(10_000) + ']'.repeat(10_000));

/** Whole request bodies that are not what any route expects. */
export const RAW_BODIES = [
  '',
  'null',
  'true',
  '"text"',
  '1e400',
  '[]',
  '{}',
  '{',
  '{"a":1,}',
  '\ufeff{}',
  '{"__proto__":{"polluted":1}}',
  '{"constructor":{"prototype":{"polluted":1}}}',
  '[{"__proto__":{"x":1}}]',
  DEEP_OBJECT.text,
  DEEP_ARRAY.text,
  `{"__proto__":${DEEP_OBJECT.text}}`,
  `[${'{"event_id":"e","type":"click","ts":0,"user_id":"u"},'.repeat(50)}1]`,
];

export const EXTRA_KEYS = [...PROTOTYPE_NAMES, 'k'.repeat(300), '\ud800', '', ' ', 'a.b', 'a[0]', '$where'];

/** Query string fragments written into the URL as they are. */
export const RAW_QUERY_FRAGMENTS = [
  '__proto__[x]=1',
  'constructor[prototype][x]=1',
  'a[b]=1',
  '%ZZ',
  '=',
  '&&',
  'limit',
  'limit=1&limit=2',
  'x=%00',
  'x=%E0%A4%A',
];

/** Path parameter values written into the URL as they are (not encoded again). */
export const RAW_PATH_VALUES = ['%00', '%ZZ', '%E0%A4%A', '..%2F..%2Fetc', '%2e%2e', 'a%2Fb', '%20', '%u0041'];

export const AUTHORIZATION_WITHOUT_KEY: (string | undefined)[] = [
  undefined,
  '',
  'Bearer',
  'Bearer ',
  'Bearer garbage',
  'Basic dXNlcjpwYXNz',
  'bearer ' + 'x'.repeat(2000),
  'Bearer a b',
  'Bearer smsp_0000000000000000000000000000',
];

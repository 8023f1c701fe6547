/**
 * The analysts' SQL helpers that need no engine: where a DuckDB error points (the messages are DuckDB 1.5's, copied
 * from real answers of the engine), and the JSON and CSV renderings of result values.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { jsonValue, toCsv } from '../../sandbox/result-formats.ts';
import { duckdbErrorPosition } from '../../sandbox/sql-error-position.ts';

describe('duckdbErrorPosition', () => {
  it('reads the line and caret back into an index of the query', () => {
    const query = 'SELECT 1 +\n FROM x';
    const message = 'Parser Error: syntax error at or near "FROM"\n\nLINE 2:  FROM x\n         ^';
    assert.equal(duckdbErrorPosition(query, message), query.indexOf('FROM'));
  });

  it('follows a line cut at the front with "..." and wide characters that take two columns', () => {
    const query = `SELECT '${'城'.repeat(30)}' AS name, bad_column FROM events`;
    const message = `Binder Error: Referenced column "bad_column" not found in FROM clause!\nCandidate bindings: "a"\n\nLINE 1: ...${'城'.repeat(24)}' AS name, bad_column FROM events\n${' '.repeat(70)}^`;
    assert.equal(duckdbErrorPosition(query, message), query.indexOf('bad_column'));
  });

  it('counts the lines before the one shown, cut at the end too', () => {
    const query = `SELECT ${'a, '.repeat(40)}\n  bad_column, ${'a, '.repeat(40)} a FROM events`;
    const message = `Binder Error: Referenced column "bad_column" not found in FROM clause!\n\nLINE 2:   bad_column, ${'a, '.repeat(15)}a...\n          ^`;
    assert.equal(duckdbErrorPosition(query, message), query.indexOf('bad_column'));
  });

  it('is undefined when the message points nowhere or at text the query does not hold', () => {
    assert.equal(duckdbErrorPosition('SELECT 1', 'Out of Memory Error: failed to allocate'), undefined);
    assert.equal(duckdbErrorPosition('SELECT 1', 'Binder Error: x\n\nLINE 3: SELECT 1\n        ^'), undefined);
    assert.equal(duckdbErrorPosition('SELECT 1', 'Binder Error: x\n\nLINE 1: SELECT 2\n        ^'), undefined);
  });
});

describe('result values', () => {
  it('keeps whole numbers exact: numbers within 2^53, text beyond', () => {
    assert.equal(jsonValue(42n), 42);
    assert.equal(jsonValue(2n ** 53n + 1n), '9007199254740993');
    assert.equal(jsonValue(-(2n ** 63n)), '-9223372036854775808');
    assert.equal(jsonValue(Number.POSITIVE_INFINITY), 'Infinity');
  });

  it('writes instants as ISO text, bytes as base64 and nested values element by element', () => {
    assert.equal(jsonValue(new Date(Date.UTC(2026, 0, 2, 3, 4, 5, 678))), '2026-01-02T03:04:05.678Z');
    assert.equal(jsonValue(new Date(Number.NaN)), null);
    assert.equal(jsonValue(new Uint8Array([104, 105])), 'aGk=');
    assert.deepEqual(jsonValue([{ key: 'k', value: 1n }]), [{ key: 'k', value: 1 }]);
  });

  it('writes RFC 4180 CSV: quotes, commas, line breaks, edge spaces and nested values quoted', () => {
    const csv = toCsv({
      columns: [
        { name: 'a', type: 'VARCHAR' },
        { name: 'b,c', type: 'VARCHAR' },
        { name: 'm', type: 'MAP(VARCHAR, VARCHAR)' },
      ],
      rows: [
        ['plain', 'say "hi"', [{ key: 'k', value: 'v' }]],
        [' edge', 'two\nlines', null],
      ],
      truncated: false,
    });
    assert.equal(csv, 'a,"b,c",m\r\nplain,"say ""hi""","[{""key"":""k"",""value"":""v""}]"\r\n" edge","two\nlines",\r\n');
  });
});

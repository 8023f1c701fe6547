/**
 * Where in the query a DuckDB error points. DuckDB gives no position field to Node, only a rendering under the message:
 *
 *     LINE 2: ...some text of that line...
 *                      ^
 *
 * (at most about 40 columns each side of the error, cut with "...", the caret counted in display columns: CJK
 * characters take two). This reads it back into a UTF-16 index into the query.
 */

const LINE_MARK = /\n\nLINE (\d+): (.*)\n( *)\^/;

/** Display columns of a character as DuckDB counts them (East Asian wide characters take two). */
const widthOf = (char: string): number => (/[\u1100-\u115f\u2e80-\ua4cf\uac00-\ud7a3\uf900-\ufaff\ufe30-\ufe4f\uff00-\uff60\uffe0-\uffe6]/u.test(char) ? 2 : 1);

/** The UTF-16 index in `query` that `message` points at, or undefined when it points nowhere. */
export function duckdbErrorPosition(query: string, message: string): number | undefined {
  const mark = LINE_MARK.exec(message);
  if (!mark) return undefined;
  const lineNumber = Number(mark[1]);
  const prefix = `LINE ${lineNumber}: `;
  let shown = mark[2]!;
  let caretColumns = mark[3]!.length - prefix.length;
  if (shown.startsWith('...')) {
    shown = shown.slice(3);
    caretColumns -= 3;
  }
  if (shown.endsWith('...')) shown = shown.slice(0, -3);
  const lines = query.split('\n');
  if (lineNumber < 1 || lineNumber > lines.length || caretColumns < 0) return undefined;
  const lineStart = lines.slice(0, lineNumber - 1).reduce((n, l) => n + l.length + 1, 0);
  const shownAt = lines[lineNumber - 1]!.indexOf(shown);
  if (shownAt < 0) return undefined;
  // Walk the shown text until the caret's display column.
  let index = 0;
  for (let columns = 0; index < shown.length && columns < caretColumns;) {
    const char = String.fromCodePoint(shown.codePointAt(index)!);
    columns += widthOf(char);
    index += char.length;
  }
  return lineStart + shownAt + index;
}

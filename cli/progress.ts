/** A progress line on stderr: a bar on a terminal, an occasional plain line otherwise (CI logs). */
export function progressReporter(label: string, total?: number): { update(done: number, detail?: string): void; finish(): void } {
  let lastPlain = 0;
  const tty = process.stderr.isTTY;
  return {
    update(done, detail = '') {
      if (tty) {
        const share = total ? Math.min(1, done / total) : 0;
        const bar = total ? `[${'#'.repeat(Math.round(share * 30)).padEnd(30, '.')}] ${(share * 100).toFixed(0).padStart(3)}% ` : '';
        process.stderr.write(`\r${label} ${bar}${detail}`);
      } else if (Date.now() - lastPlain > 5000) {
        lastPlain = Date.now();
        process.stderr.write(`${label} ${detail}\n`);
      }
    },
    finish() {
      if (tty) process.stderr.write('\n');
    },
  };
}

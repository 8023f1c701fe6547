/** Splits items, in order, into runs whose summed size stays under a limit (an item larger than it runs alone). */
export function chunkBySize<T>(items: readonly T[], sizeOf: (item: T) => number, limit: number): T[][] {
  const chunks: T[][] = [];
  let current: T[] = [];
  let total = 0;
  for (const item of items) {
    const size = sizeOf(item);
    if (current.length && total + size > limit) {
      chunks.push(current);
      current = [];
      total = 0;
    }
    current.push(item);
    total += size;
  }
  if (current.length) chunks.push(current);
  return chunks;
}

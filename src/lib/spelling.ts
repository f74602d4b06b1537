/**
 * Edits that turn `a` into `b`: inserting, deleting or replacing a character, or swapping two
 * neighbours (the optimal string alignment distance), so that `acess` is one edit from `access`
 * and `hlep` one from `help`.
 */
export function editDistance(a: string, b: string): number {
  // rows[i][j]: edits from the first i characters of a to the first j of b.
  const rows = Array.from({ length: a.length + 1 }, (_, i) =>
    Array.from({ length: b.length + 1 }, (_, j) => (i === 0 ? j : j === 0 ? i : 0)),
  );
  for (let i = 1; i <= a.length; i += 1) {
    for (let j = 1; j <= b.length; j += 1) {
      const replace = a[i - 1] === b[j - 1] ? 0 : 1;
      rows[i][j] = Math.min(rows[i - 1][j] + 1, rows[i][j - 1] + 1, rows[i - 1][j - 1] + replace);
      const swapped = i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1];
      if (swapped) rows[i][j] = Math.min(rows[i][j], rows[i - 2][j - 2] + 1);
    }
  }
  return rows[a.length][b.length];
}

/**
 * The candidate `word` was most likely a typo of, for a "did you mean": at most two edits away
 * (ignoring case), and fewer than half the word's length, so that a short word is not "corrected"
 * into an unrelated one. The first of equally close candidates wins; none when nothing is close.
 */
export function closest(word: string, candidates: readonly string[]): string | undefined {
  const typed = word.toLowerCase();
  let best: { candidate: string; distance: number } | undefined;
  for (const candidate of candidates) {
    const distance = editDistance(typed, candidate.toLowerCase());
    if (distance > 2 || distance * 2 >= typed.length) continue;
    if (!best || distance < best.distance) best = { candidate, distance };
  }
  return best?.candidate;
}

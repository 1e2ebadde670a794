/**
 * "Did you mean" for names typed on the command line (algorithms, trace generator kinds): the closest
 * candidates by Damerau-Levenshtein distance, as commander does for options and commands.
 */

/** Edit distance with adjacent transpositions (optimal string alignment). */
export function editDistance(a: string, b: string): number {
  const rows = a.length + 1;
  const cols = b.length + 1;
  const d: number[][] = Array.from({ length: rows }, (_, i) =>
    Array.from({ length: cols }, (_, j) => (i === 0 ? j : j === 0 ? i : 0)),
  );
  const at = (i: number, j: number): number => d[i]?.[j] ?? Number.POSITIVE_INFINITY;
  for (let i = 1; i < rows; i++) {
    for (let j = 1; j < cols; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      let best = Math.min(at(i - 1, j) + 1, at(i, j - 1) + 1, at(i - 1, j - 1) + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1])
        best = Math.min(best, at(i - 2, j - 2) + 1);
      const row = d[i];
      if (row) row[j] = best;
    }
  }
  return at(a.length, b.length);
}

/**
 * The candidates closest to `word` (case-insensitive), when close enough to be a typo: at most a third of
 * the word's length in edits (at least 1), or a candidate that starts with the word.
 */
export function similarNames(word: string, candidates: readonly string[]): string[] {
  const w = word.toLowerCase();
  let best = Number.POSITIVE_INFINITY;
  let out: string[] = [];
  for (const c of candidates) {
    const lc = c.toLowerCase();
    const dist = lc.startsWith(w) && w.length >= 2 ? 1 : editDistance(w, lc);
    if (dist > Math.max(1, Math.floor(w.length / 3)) && !(dist <= 2 && w.length >= 4)) continue;
    if (dist < best) {
      best = dist;
      out = [c];
    } else if (dist === best) out.push(c);
  }
  return out;
}

/** ` (did you mean x?)`, or '' when nothing is close. */
export function didYouMean(word: string, candidates: readonly string[]): string {
  const similar = similarNames(word, candidates);
  return similar.length === 0 ? '' : ` (did you mean ${similar.join(' or ')}?)`;
}

import { strict as assert } from 'node:assert';
import { describe, it } from 'node:test';
import { sessionFolds } from './fit';

describe('sessionFolds', () => {
  const recordings = [
    ...Array.from({ length: 6 }, (_, i) => `recording_13042023_10000${i}`),
    ...Array.from({ length: 3 }, (_, i) => `recording_02052023_11000${i}`),
    ...Array.from({ length: 3 }, (_, i) => `recording_05042023_12000${i}`),
    ...Array.from({ length: 2 }, (_, i) => `recording_19042023_13000${i}`),
  ];

  it('keeps every capture session (the date in the name) in one fold', () => {
    const fold = sessionFolds(recordings, 3);
    const foldOf = new Map<string, Set<number>>();
    recordings.forEach((r, i) => {
      const s = r.split('_')[1]!;
      foldOf.set(s, (foldOf.get(s) ?? new Set()).add(fold[i]!));
    });
    for (const [session, folds] of foldOf) assert.equal(folds.size, 1, `${session} is split across folds`);
  });

  it('balances fold sizes, largest session first, and is deterministic', () => {
    const fold = sessionFolds(recordings, 3);
    const sizes = [0, 1, 2].map((f) => fold.filter((x) => x === f).length);
    // 6 | 3 + 2 | 3 (sessions of 6, 3, 3, 2 into 3 folds)
    assert.deepEqual([...sizes].sort((a, b) => a - b), [3, 5, 6]);
    assert.deepEqual(sessionFolds([...recordings].reverse(), 3).reverse(), fold);
  });
});

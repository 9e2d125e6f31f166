import { strict as assert } from 'node:assert';
import { describe, it } from 'node:test';
import type { Ratios } from '../samples/foot-sample';
import { BALANCE_PAIR_MS, footBalance } from './balance';

const T = 1_800_000_000_000;
const foot = (side: 'left' | 'right', v: number, at = T) => ({ side, ratios: [v, v, v, v, v, v] as unknown as Ratios, at });

describe('footBalance', () => {
  it('is (left - right) / (left + right) of the summed ratios, rounded to 3 places', () => {
    assert.deepEqual(footBalance('d', { left: foot('left', 10), right: foot('right', 5) }), { deviceId: 'd', value: 0.333, left: true, right: true, at: T });
    assert.equal(footBalance('d', { left: null, right: foot('right', 5) })?.value, -1);
    assert.equal(footBalance('d', { left: foot('left', 0), right: null })?.value, 0);
  });

  it('is undefined without any sample', () => {
    assert.equal(footBalance('d', { left: null, right: null }), undefined);
  });

  it('leaves out a foot whose latest is more than the pair window behind the other, and dates the balance by the newest', () => {
    const b = footBalance('d', { left: foot('left', 10, T - BALANCE_PAIR_MS - 1), right: foot('right', 5) });
    assert.deepEqual(b, { deviceId: 'd', value: -1, left: false, right: true, at: T });
    assert.equal(footBalance('d', { left: foot('left', 10, T - BALANCE_PAIR_MS), right: foot('right', 5) })?.left, true);
  });
});

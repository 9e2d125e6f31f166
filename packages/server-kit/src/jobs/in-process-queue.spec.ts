import { strict as assert } from 'node:assert';
import { describe, it } from 'node:test';
import { InProcessJobQueue } from './in-process-queue';

type Jobs = { add: { n: number } };

describe('InProcessJobQueue', () => {
  it('runs jobs, once per job id', async () => {
    const q = new InProcessJobQueue<Jobs>();
    const seen: number[] = [];
    q.process('add', async (d) => void seen.push(d.n));
    await q.enqueue('add', { n: 1 }, { jobId: 'a' });
    await q.enqueue('add', { n: 2 }, { jobId: 'a' });
    await q.enqueue('add', { n: 3 });
    await q.drain();
    assert.deepEqual(seen.sort(), [1, 3]);
  });

  it('retries a failing job up to its attempts, then reports it', async () => {
    const failed: string[] = [];
    const q = new InProcessJobQueue<Jobs>((name) => failed.push(name));
    let calls = 0;
    q.process('add', async () => {
      calls++;
      throw new Error('nope');
    });
    await q.enqueue('add', { n: 1 }, { attempts: 3, backoffMs: 1 });
    await q.drain();
    assert.equal(calls, 3);
    assert.deepEqual(failed, ['add']);
  });

  it('keeps jobs enqueued before a handler exists', async () => {
    const q = new InProcessJobQueue<Jobs>();
    await q.enqueue('add', { n: 7 });
    const seen: number[] = [];
    q.process('add', async (d) => void seen.push(d.n));
    await q.drain();
    assert.deepEqual(seen, [7]);
  });
});

import { strict as assert } from 'node:assert';
import { describe, it } from 'node:test';
import { MetricsService } from '../metrics/metrics';
import { InProcessJobQueue } from './in-process-queue';
import { JOB_METRICS, registerJobQueueMetrics } from './job-metrics';

type Jobs = { add: { n: number } };

describe('job queue metrics', () => {
  it('exports depth by state and failed attempts, read from the queue at scrape time', async () => {
    const q = new InProcessJobQueue<Jobs>(undefined, 'usage');
    const metrics = new MetricsService();
    registerJobQueueMetrics(metrics, q);
    await q.enqueue('add', { n: 1 }); // no handler yet: it waits
    let text = await metrics.registry.metrics();
    assert.match(text, new RegExp(`^${JOB_METRICS.jobs}\\{queue="usage",state="waiting"\\} 1$`, 'm'));
    assert.match(text, new RegExp(`^${JOB_METRICS.failedAttempts}\\{queue="usage"\\} 0$`, 'm'));

    q.process('add', async () => {
      throw new Error('nope');
    });
    await q.enqueue('add', { n: 2 }, { attempts: 2, backoffMs: 1 });
    await q.drain();
    text = await metrics.registry.metrics();
    // job 1 had 5 attempts, job 2 had 2: every attempt threw
    assert.match(text, new RegExp(`^${JOB_METRICS.failedAttempts}\\{queue="usage"\\} 7$`, 'm'));
    assert.match(text, new RegExp(`^${JOB_METRICS.jobs}\\{queue="usage",state="failed"\\} 2$`, 'm'));
    assert.match(text, new RegExp(`^${JOB_METRICS.jobs}\\{queue="usage",state="waiting"\\} 0$`, 'm'));
    assert.deepEqual(await q.counts(), { waiting: 0, active: 0, delayed: 0, failed: 2, failedAttempts: 7 });
  });
});

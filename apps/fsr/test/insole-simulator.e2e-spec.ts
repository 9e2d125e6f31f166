import { strict as assert } from 'node:assert';
import { spawn } from 'node:child_process';
import { resolve } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { createScratchDatabase, type ScratchDatabase } from '@squirret/database';
import { PATTERN_EXPECTATIONS, type InsolePattern, type SimulatorSummary } from '@squirret/insole-sim';
import { REPO_ROOT, eventually, http, startProcess, type RunningProcess } from '@squirret/testing';
import { FSR_MESSAGES, type FsrFinding } from '../src/feedback/messages';

const INTERNAL_KEY = 'e2e-internal-key-0123456789';

/** Runs `npm run simulate:insole`'s script (the compiled CLI) and resolves with its output and the JSON summary (its last line). */
function runSimulator(args: readonly string[]): Promise<{ code: number | null; out: string; summary: SimulatorSummary }> {
  const child = spawn(process.execPath, [resolve(REPO_ROOT, 'packages/insole-sim/dist/cli.js'), ...args], { cwd: REPO_ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  child.stdout.on('data', (c: Buffer) => (out += c.toString()));
  child.stderr.on('data', (c: Buffer) => (out += c.toString()));
  return new Promise((r, j) =>
    child.once('exit', (code) => {
      const last = out.trim().split('\n').at(-1) ?? '';
      try {
        r({ code, out, summary: JSON.parse(last) as SimulatorSummary });
      } catch {
        j(new Error(`simulator exited ${code} without a summary:\n${out}`));
      }
    }),
  );
}

/** The feedback text the service says for these findings (its own sentences, in rule order). */
const said = (findings: readonly string[]) => findings.map((f) => FSR_MESSAGES[f as FsrFinding]).join(' ');

/**
 * `npm run simulate:insole` against the all-in-one process with device tokens and an internal key
 * configured: three runs side by side (single posts, batches, offline then flushed), each must be
 * accepted in full, streamed on /ws/fsr-data, and answered with its pattern's DESCENT and ASCENT
 * verdicts by GET /api/fsr_data/feedback.
 */
describe('simulate:insole against the platform', () => {
  let db: ScratchDatabase;
  let platform: RunningProcess;

  before(async () => {
    db = await createScratchDatabase();
    platform = await startProcess('apps/platform/dist/src/main.js', {
      PORT: '0',
      DATABASE_URL: db.url,
      SESSION_TOKEN_SECRET: 'e2e-session-secret-e2e-session-secret-xxxxxx',
      INFERENCE_TOKEN_SECRET: 'e2e-inference-secret-e2e-inference-secret-xx',
      FSR_DEVICE_TOKEN_SECRET: 'e2e-device-secret-e2e-device-secret-xxxxxxx',
      INTERNAL_API_KEY: INTERNAL_KEY,
      POSE_WORKERS: '0',
      LOG_LEVEL: 'warn',
    });
    await eventually(async () => ((await http(platform.baseUrl, 'GET', '/health/ready')).status === 200 ? true : undefined), 15_000, 'readiness');
  });

  after(async () => {
    await platform?.stop('SIGTERM');
    await db?.drop();
  });

  it('a device without a token is refused (tokens are on), and the simulator without the internal key says what it needs', async () => {
    const r = await http(platform.baseUrl, 'POST', '/api/fsr_data', { side: 'left', ratio1: 10, ratio2: 10, ratio3: 20, ratio4: 20, ratio5: 20, ratio6: 20 }, { 'x-device-id': 'sim-nokey-1' });
    assert.equal(r.status, 401);
    const run = await runSimulator(['--url', platform.baseUrl, '--duration-s', '1', '--device-prefix', 'sim-nokey-']).catch((e: Error) => ({ code: -1, out: e.message }));
    assert.notEqual(run.code, 0);
    assert.match(run.out, /--internal-key/);
  });

  it('lean-front (single posts), lean-left (batches, 3 s offline then flushed) and squat: each pattern\'s DESCENT / ASCENT feedback', async () => {
    const common = ['--url', platform.baseUrl, '--internal-key', INTERNAL_KEY, '--duration-s', '16', '--hz', '20', '--feedback-ms', '500'];
    const runs: [InsolePattern, string[]][] = [
      ['lean-front', ['--pattern', 'lean-front', '--devices', '2', '--device-prefix', 'sim-front-']],
      ['lean-left', ['--pattern', 'lean-left', '--batch', '--offline-ms', '3000', '--device-prefix', 'sim-left-']],
      ['squat', ['--pattern', 'squat', '--device-prefix', 'sim-squat-']],
    ];
    const results = await Promise.all(runs.map(([, args]) => runSimulator([...common, ...args])));
    for (const [i, [pattern]] of runs.entries()) {
      const { code, out, summary } = results[i]!;
      console.log(`simulate:insole --pattern ${pattern}:\n${out}`);
      assert.equal(code, 0, out);
      assert.equal(summary.tokens, true, 'device tokens were issued and used');
      assert.ok(summary.sent > 0, `${pattern}: sent ${summary.sent}`);
      // Nothing may be refused for what it is (auth, validation, rate limit): only for a machine too
      // busy to deliver it (408 after resends, or the connection failing), and then only a little.
      const notLoad = Object.entries(summary.refusedBy).filter(([why]) => why !== '408' && why !== 'network');
      assert.deepEqual(notLoad, [], `${pattern}: refused for what it is`);
      assert.ok(summary.accepted >= summary.sent * 0.95, `${pattern}: sent ${summary.sent}, accepted ${summary.accepted}, refused ${JSON.stringify(summary.refusedBy)}, resent ${summary.retried}`);
      assert.ok(summary.streamed > 0, `${pattern}: /ws/fsr-data streamed ${summary.streamed}`);
      const expected = PATTERN_EXPECTATIONS[pattern];
      for (const stage of ['DESCENT', 'ASCENT'] as const) {
        const want = expected[stage].length === 0 ? { status: 'GOOD', feedback: FSR_MESSAGES.GOOD } : { status: 'BAD', feedback: said(expected[stage]) };
        const seen = summary.feedback.filter((f) => f.stage === stage);
        assert.ok(seen.length > 0, `${pattern}: the feedback named ${stage} at least once`);
        // every answer in that stage says what the pattern is meant to produce, nothing else
        for (const f of seen) assert.deepEqual({ status: f.status, feedback: f.feedback }, want, `${pattern} ${stage}`);
      }
    }
    const left = results[1]!.summary;
    assert.ok(left.batches > 1, `lean-left flushed its offline buffer and then posted batches (${left.batches})`);
    assert.match(results[1]!.out, /back online after \d+ ms: flushing \d+ buffered sample/);
  });
});

import { strict as assert } from 'node:assert';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { decodeGifFrames } from '@squirret/pose';
import {
  REPO_ROOT,
  eventually,
  http,
  startPrivatePostgres,
  startPrivateRedis,
  startProcess,
  type PrivatePostgres,
  type PrivateRedis,
  type RunningProcess,
} from '@squirret/testing';
import { WebSocket } from 'ws';
import { encodeBinaryFrame } from '../src/stream/frame-parser';

const CLIP = join(process.env.SQUIRRET_DATASETS ?? join(REPO_ROOT, '..', 'shared', 'datasets'), 'squat_clips_gif', 'aitrainer_olympic_squat_vid.gif');
type Msg = Record<string, unknown> & { type: string };

/** One socket of the app's data-plane client. */
class Socket {
  /** Every socket the test opened, to count what each node received. */
  static readonly all: Socket[] = [];
  readonly messages: Msg[] = [];
  closeCode: number | undefined;
  /** Frames this socket sent, and when (client clock) each of their answers arrived. */
  sent = 0;
  readonly answeredAt: number[] = [];
  private constructor(readonly ws: WebSocket, readonly url: string) {
    ws.on('message', (d, isBinary) => void (!isBinary && this.messages.push(JSON.parse(d.toString()) as Msg)));
    ws.on('close', (code) => (this.closeCode = code));
  }
  /** Resolves with the socket, or undefined when the node does not answer (dead). */
  static open(url: string): Promise<Socket | undefined> {
    return new Promise((resolve) => {
      const ws = new WebSocket(url);
      const s = new Socket(ws, url);
      ws.once('open', () => resolve(s));
      ws.once('error', () => resolve(undefined));
      Socket.all.push(s);
    });
  }
  /** Sends one binary frame and waits for its answer (undefined when the socket closed first). */
  async frame(n: number, t: number, jpeg: Buffer, timeoutMs = 20_000): Promise<Msg | undefined> {
    if (this.closeCode !== undefined || this.ws.readyState !== WebSocket.OPEN) return undefined;
    this.ws.send(encodeBinaryFrame(n, t, jpeg));
    this.sent++;
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const m = this.messages.find((x) => (x.type === 'analysis' || x.type === 'error') && x.frameNumber === n);
      if (m) {
        this.answeredAt.push(Date.now());
        return m;
      }
      if (this.closeCode !== undefined) return undefined;
      if (Date.now() > deadline) throw new Error(`no answer to frame ${n}`);
      await new Promise((r) => setTimeout(r, 10));
    }
  }
}

/**
 * A data-plane node dies or drains under a live stream (docs/robustness.md §7): the client does what
 * the README tells the app to do on 1006 / 1012 (refresh, then connect to the wsUrl it answers)
 * and its session continues on the other node from the checkpoint: reps are not back at 0.
 * Everything runs on a private Redis and PostgreSQL, each app as its own process.
 */
describe('inference node killed or drained under a live stream', () => {
  let redis: PrivateRedis;
  let pg: PrivatePostgres;
  let cp: RunningProcess;
  const nodes = new Map<string, RunningProcess>();
  const common = {
    BUS_PREFIX: 'fault:',
    SESSION_TOKEN_SECRET: 'fault-session-secret-fault-session-secret-x',
    INFERENCE_TOKEN_SECRET: 'fault-inference-secret-fault-inference-sec',
    PORT: '0',
  };
  /** How often a node checkpoints a streaming session (besides every rep); it bounds what a kill loses. */
  const CHECKPOINT_INTERVAL_MS = 500;
  let frames: Buffer[] = [];
  let clock = Date.now();
  let frameNo = 0;

  const startNode = async (nodeId: string) => {
    const p = await startProcess('apps/inference/dist/src/main.js', {
      ...common,
      REDIS_URL: redis.url,
      INFERENCE_NODE_ID: nodeId,
      INFERENCE_POSE_WORKERS: '1',
      INFERENCE_MAX_IMAGE_BYTES: '300000',
      INFERENCE_CHECKPOINT_INTERVAL_MS: String(CHECKPOINT_INTERVAL_MS),
      // Long enough that a kill usually falls well after the last periodic report (what it missed
      // must come through the checkpoint), short enough that the killed node did report before.
      INFERENCE_USAGE_REPORT_MS: '2000',
      INFERENCE_DRAIN_TIMEOUT_MS: '3000',
      LOG_LEVEL: 'info',
    }, 120_000);
    nodes.set(nodeId, p);
    await eventually(async () => ((await http(p.baseUrl, 'GET', '/health/ready')).status === 200 ? true : undefined), 120_000, `${nodeId} ready`);
    return p;
  };
  const nodeOf = (wsUrl: string) => [...nodes].find(([, p]) => wsUrl.startsWith(p.baseUrl.replace('http://', 'ws://')))?.[0];
  /** Frames these sockets sent (each one answered, so the node received it). */
  const sentOn = (sockets: Socket[]) => sockets.reduce((n, s) => n + s.sent, 0);
  /**
   * The data plane's usage of the session once `node`'s final report (sent when its stream closed
   * at `closedAt`) is in the ledger: every report of the session before it is in by then too.
   */
  const usageAfterClose = (node: string, closedAt: number) =>
    eventually(async () => {
      const r = await http<{ usage: { server: { nodeId: string | null; framesIn: number; reportedAt: string } | null } }>(cp.baseUrl, 'GET', `/internal/sessions/${session.sessionId}`);
      const u = r.json.usage.server;
      return u && u.nodeId === node && Date.parse(u.reportedAt) >= closedAt ? u : undefined;
    }, 5_000, `the final usage report of ${node}`);
  let framesInAfterKill = 0;

  before(async () => {
    assert.ok(existsSync(CLIP), `the shared clips are missing: ${CLIP}`);
    frames = (await decodeGifFrames(readFileSync(CLIP))).frames;
    redis = await startPrivateRedis();
    pg = await startPrivatePostgres();
    cp = await startProcess('apps/control-plane/dist/src/main.js', { ...common, DATABASE_URL: pg.url(), REDIS_URL: redis.url, CONTROL_PLANE_SESSION_RATE_LIMIT: '1000' });
    // One after the other: two warm-ups at once on two cores only slow each other down.
    await startNode('node-a');
    await startNode('node-b');
  });

  after(async () => {
    for (const p of nodes.values()) if (p.child.exitCode === null && p.child.signalCode === null) await p.stop('SIGKILL');
    if (cp?.child.exitCode === null) await cp.stop('SIGTERM');
    await pg?.destroy();
    await redis?.destroy();
  });

  let session: { sessionId: string; wsUrl: string; wsToken: string };
  let socket: Socket | undefined;

  /** Streams the clip then holds its last frame (the person standing) until a rep is counted. */
  async function streamUntilRep(minReps: number): Promise<number> {
    let reps = 0;
    for (let i = 0; reps < minReps; i++) {
      assert.ok(i < frames.length + 40, `no rep ${minReps} after ${i} frames`);
      const a = await socket!.frame(frameNo++, (clock += 100), frames[Math.min(i, frames.length - 1)]!);
      assert.equal(a?.type, 'analysis', JSON.stringify(a));
      reps = a!.reps as number;
    }
    // a few more standing frames: the rep's checkpoint (and the interval one) are written by now
    for (let i = 0; i < 3; i++) await socket!.frame(frameNo++, (clock += 100), frames.at(-1)!);
    return reps;
  }

  /** The app's reconnect flow: refresh, connect to the answered wsUrl, send a frame; repeat until answered. */
  async function resume(): Promise<{ answer: Msg; node: string; handedOutDeadUntil: number }> {
    const gone = nodeOf(session.wsUrl);
    const t0 = Date.now();
    let handedOutDeadUntil = 0;
    return eventually(async () => {
      const r = await http<{ sessionId: string; wsToken: string; wsUrl: string }>(cp.baseUrl, 'POST', `/api/session/${session.sessionId}/refresh`);
      if (r.status !== 200) return undefined;
      assert.deepEqual(Object.keys(r.json).sort(), ['sessionId', 'wsToken', 'wsUrl']);
      if (nodeOf(r.json.wsUrl) === gone) {
        handedOutDeadUntil = Date.now() - t0;
        await new Promise((res) => setTimeout(res, 50));
        return undefined;
      }
      session = r.json;
      socket = await Socket.open(`${r.json.wsUrl}?token=${r.json.wsToken}`);
      const answer = await socket?.frame(frameNo++, (clock += 100), frames.at(-1)!);
      if (answer?.type !== 'analysis') return undefined;
      return { answer, node: nodeOf(r.json.wsUrl) ?? '?', handedOutDeadUntil };
    }, 3_000, 'the session answering on another node with its reps');
  }

  it('SIGKILL: refresh hands out the other node, the session resumes there with its reps (not 0) within 3 s', async () => {
    const created = await http<typeof session>(cp.baseUrl, 'POST', '/api/session', { userId: 'fault-user' });
    assert.equal(created.status, 200, created.text);
    session = created.json;
    const first = nodeOf(session.wsUrl)!;
    socket = await Socket.open(`${session.wsUrl}?token=${session.wsToken}`);
    assert.ok(socket, 'connected');
    const repsBefore = await streamUntilRep(1);
    const killedAt = Date.now();
    nodes.get(first)!.child.kill('SIGKILL');
    await eventually(async () => (socket!.closeCode !== undefined ? true : undefined), 3_000, 'the socket to drop');
    assert.equal(socket!.closeCode, 1006);
    const { answer, node, handedOutDeadUntil } = await resume();
    const recoveryMs = Date.now() - killedAt;
    assert.notEqual(node, first);
    assert.ok((answer.reps as number) >= repsBefore, `reps continue: ${String(answer.reps)} after ${repsBefore}`);
    console.log(`FAULT inference-node-kill reps_before=${repsBefore} reps_after=${String(answer.reps)} recovery_ms=${recoveryMs} dead_node_handed_out_ms=${handedOutDeadUntil}`);
    // the stage goes on too: a second squat on the new node is rep 2
    const reps = await streamUntilRep(repsBefore + 1);
    assert.equal(reps, repsBefore + 1);
    // Usage: the killed node's frames reach the ledger through its periodic reports and, for
    // those it had not reported yet, through the checkpoint the new node restored (it reports
    // them with its own). Only frames after the killed node's last checkpoint can be lost: the
    // node checkpoints every rep and after any frame CHECKPOINT_INTERVAL_MS after the last one,
    // and this client was killed right after its last answer, so those frames are among the
    // ones answered in the last CHECKPOINT_INTERVAL_MS before the kill (+1: the frame on the
    // window's edge, node and client clocks being a socket hop apart).
    const dead = Socket.all.filter((s) => nodeOf(s.url) === first);
    assert.ok(dead.every((s) => s.answeredAt.length === s.sent), 'every frame sent to the killed node was answered');
    const lostBound = dead.flatMap((s) => s.answeredAt).filter((t) => t > killedAt - CHECKPOINT_INTERVAL_MS).length + 1;
    const closedAt = Date.now();
    socket!.ws.close(1000);
    const usage = await usageAfterClose(node, closedAt);
    const received = sentOn(Socket.all);
    console.log(`FAULT inference-node-kill usage_frames_in=${usage.framesIn} frames_received=${received} frames_sent=${frameNo} lost=${received - usage.framesIn} lost_bound=${lostBound}`);
    assert.ok(usage.framesIn <= received, `no frame counted twice: ${usage.framesIn} counted, ${received} received`);
    assert.ok(usage.framesIn >= received - lostBound, `at most the frames after the last checkpoint are lost: ${usage.framesIn} counted, ${received} received, bound ${lostBound}`);
    framesInAfterKill = usage.framesIn;
  });

  it('SIGTERM: readiness turns 503 at once, the client gets 1012 and resumes on another node with its reps', async () => {
    await startNode('node-c');
    const opened = Socket.all.length;
    const r = await http<typeof session>(cp.baseUrl, 'POST', `/api/session/${session.sessionId}/refresh`);
    session = r.json;
    const draining = nodeOf(session.wsUrl)!;
    socket = await Socket.open(`${session.wsUrl}?token=${session.wsToken}`);
    const a = await socket!.frame(frameNo++, (clock += 100), frames.at(-1)!);
    const repsBefore = a!.reps as number;
    assert.ok(repsBefore >= 2);
    const node = nodes.get(draining)!;
    // Readiness polled from before the signal until the process is gone. A drain can be over in
    // a few ms (the client moves at once), so the check is not "a 503 was caught in the window" but
    // "no probe sent after the signal was answered ready" (connection refused once it exited).
    let signalled = false;
    const afterSignal: (number | 'refused')[] = [];
    const watch = (async () => {
      while (node.child.exitCode === null) {
        const sentAfterSignal = signalled;
        const h = await http(node.baseUrl, 'GET', '/health/ready').catch(() => undefined);
        if (sentAfterSignal) afterSignal.push(h?.status ?? 'refused');
        await new Promise((res) => setTimeout(res, 5));
      }
    })();
    const exited = node.stop('SIGTERM');
    signalled = true;
    await eventually(async () => (socket!.closeCode !== undefined ? true : undefined), 10_000, 'the node to close the socket');
    assert.equal(socket!.closeCode, 1012);
    const t0 = Date.now();
    const { answer, node: to } = await resume();
    assert.notEqual(to, draining);
    assert.ok((answer.reps as number) >= repsBefore, `reps continue: ${String(answer.reps)} after ${repsBefore}`);
    assert.equal(await exited, 0, node.output().slice(-2000));
    await watch;
    assert.ok(!afterSignal.includes(200), `readiness answered 200 after SIGTERM: ${JSON.stringify(afterSignal)}`);
    console.log(`FAULT inference-node-drain reps_before=${repsBefore} reps_after=${String(answer.reps)} recovery_ms=${Date.now() - t0} readiness_after_sigterm=${JSON.stringify(afterSignal)}`);
    // A drain loses no usage: the draining node checkpoints and reports on close, exactly once.
    const closedAt = Date.now();
    socket!.ws.close(1000);
    const usage = await usageAfterClose(to, closedAt);
    const received = sentOn(Socket.all.slice(opened));
    console.log(`FAULT inference-node-drain usage_frames_in=${usage.framesIn - framesInAfterKill} frames_received=${received}`);
    assert.equal(usage.framesIn - framesInAfterKill, received);
  });
});

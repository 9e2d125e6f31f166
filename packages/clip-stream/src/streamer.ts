import {
  encodeBinaryFrame,
  type AnalysisMessage,
  type CreateInferenceSessionResponse,
  type InferenceErrorMessage,
  type JudgementReason,
  type RepMessage,
} from '@squirret/contracts';
import { WebSocket } from 'ws';

/** What one streaming run is told. */
export interface StreamOptions {
  readonly baseUrl: string;
  readonly frames: readonly Buffer[];
  readonly delaysMs: readonly number[];
  /** Binary SQF1 frames instead of the seed's JSON base64. */
  readonly binary: boolean;
  /** The last frame is repeated this long after the clip (a rep is confirmed a moment after it ends). */
  readonly holdMs: number;
  readonly userId: string;
  /** How long to wait for one frame's answer. */
  readonly answerTimeoutMs?: number;
  readonly log?: (line: string) => void;
}

/** What a run saw: the session, counts, every rep, the last analysis and the achieved rate. */
export interface StreamSummary {
  readonly sessionId: string;
  readonly encoding: 'json' | 'binary';
  readonly framesSent: number;
  readonly analysed: number;
  readonly errors: readonly { readonly code: string; readonly message: string }[];
  readonly reps: readonly RepMessage[];
  readonly finalReps: number;
  readonly dropped: number;
  readonly meanRoundTripMs: number;
  readonly framesPerSecond: number;
}

type Answer = AnalysisMessage | InferenceErrorMessage;

const reasonsText = (reasons: readonly JudgementReason[]) => reasons.map((r) => `    - ${r.joint}: ${r.message} (${r.code})`).join('\n');

/** One rep as a person reads it: the verdicts, then why. */
export function formatRep(rep: RepMessage): string {
  const head = `rep ${rep.index}: score ${rep.score} | 허리(lumbar) ${rep.lumbar}, 무릎(knee) ${rep.knee}, 발목(ankle) ${rep.ankle}, 깊이(depth) ${rep.depthJudgement} (${rep.depth.toFixed(2)}) | ${rep.formClass}`;
  return rep.reasons.length > 0 ? `${head}\n${reasonsText(rep.reasons)}` : head;
}

/**
 * Streams a clip the way the app does: `POST /api/session` on the control plane, then the frames to
 * the returned `wsUrl` (`?token=`), one in flight at a time (the rate the node keeps up with), and
 * `POST /api/session/{id}/finish` at the end.
 */
export async function streamClip(o: StreamOptions): Promise<StreamSummary> {
  const log = o.log ?? ((l: string) => process.stdout.write(`${l}\n`));
  const res = await fetch(`${o.baseUrl}/api/session`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ userId: o.userId }) });
  const text = await res.text();
  if (res.status !== 200) throw new Error(`POST /api/session answered ${res.status}: ${text}`);
  const session = JSON.parse(text) as CreateInferenceSessionResponse;
  log(`session ${session.sessionId} on ${session.wsUrl}`);

  const ws = new WebSocket(`${session.wsUrl}?token=${encodeURIComponent(session.wsToken)}`);
  const reps: RepMessage[] = [];
  const errors: { code: string; message: string }[] = [];
  const waiting = new Map<number, (a: Answer) => void>();
  let closed: { code: number; reason: string } | undefined;
  ws.on('message', (data, isBinary) => {
    if (isBinary) return;
    const m = JSON.parse(String(data)) as Answer | RepMessage | { type: string };
    if (m.type === 'rep') {
      reps.push(m as RepMessage);
      log(formatRep(m as RepMessage));
    } else if (m.type === 'analysis' || m.type === 'error') {
      const a = m as Answer;
      if (a.type === 'error') errors.push({ code: a.code, message: a.message });
      if (a.frameNumber !== undefined) waiting.get(a.frameNumber)?.(a);
    }
  });
  ws.on('close', (code, reason) => {
    closed = { code, reason: reason.toString() };
    for (const w of waiting.values()) w({ type: 'error', code: 'INTERNAL_ERROR', message: `socket closed ${code} ${reason.toString()}` });
  });
  await new Promise<void>((resolve, reject) => ws.once('open', () => resolve()).once('error', reject));

  const frames = [...o.frames];
  const delays = [...o.delaysMs];
  const step = delays.at(-1) ?? 100;
  for (let held = 0; held < o.holdMs; held += step) {
    frames.push(frames.at(-1)!);
    delays.push(step);
  }
  const started = Date.now();
  let clipTime = started;
  let analysed = 0;
  let last: AnalysisMessage | undefined;
  let roundTrips = 0;
  for (const [i, image] of frames.entries()) {
    if (closed) break;
    const answer = new Promise<Answer>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`no answer to frame ${i} in ${o.answerTimeoutMs ?? 30_000} ms`)), o.answerTimeoutMs ?? 30_000);
      waiting.set(i, (a) => {
        clearTimeout(timer);
        waiting.delete(i);
        resolve(a);
      });
    });
    const sentAt = Date.now();
    if (o.binary) ws.send(encodeBinaryFrame(i, clipTime, image));
    else ws.send(JSON.stringify({ type: 'frame', frameNumber: i, image_base64: image.toString('base64'), timestamp: clipTime / 1000 }));
    const a = await answer;
    roundTrips += Date.now() - sentAt;
    if (a.type === 'analysis') {
      analysed++;
      if (last && a.stage !== last.stage) log(`  frame ${i}: ${a.stage} (reps ${a.reps}, score ${a.score ?? '-'})`);
      last = a;
    } else log(`  frame ${i}: error ${a.code}: ${a.message}`);
    clipTime += delays[i] ?? step;
  }
  const elapsedMs = Math.max(1, Date.now() - started);
  if (!closed) {
    ws.close(1000);
    await new Promise((r) => ws.once('close', r));
  } else if (closed.code !== 1000) log(`socket closed by the server: ${closed.code} ${closed.reason}`);
  await fetch(`${o.baseUrl}/api/session/${session.sessionId}/finish`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ framesIn: frames.length, framesOut: analysed, durationSeconds: Math.round(elapsedMs / 1000) }),
  }).catch(() => undefined);
  return {
    sessionId: session.sessionId,
    encoding: o.binary ? 'binary' : 'json',
    framesSent: frames.length,
    analysed,
    errors,
    reps,
    finalReps: last?.reps ?? 0,
    dropped: last?.dropped ?? 0,
    meanRoundTripMs: Math.round((roundTrips / Math.max(1, frames.length)) * 10) / 10,
    framesPerSecond: Math.round((frames.length / (elapsedMs / 1000)) * 10) / 10,
  };
}

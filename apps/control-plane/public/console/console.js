// The live console: wires the data-plane session, the frame source, the drawing, the insoles and
// the STOMP feed. One frame in flight: the next frame is taken (the newest the source has) when the
// previous one is answered, so the console sends at the rate the server keeps up with.
import { DataPlaneSession } from './data-plane.js';
import { CameraSource, ClipSource, encodeFrame } from './frame-source.js';
import { InsoleMap } from './insoles.js';
import { CLOSE_REASON, JOINT, JUDGEMENT, STAGE, STATE } from './labels.js';
import { clearSkeleton, drawSkeleton } from './overlay.js';
import { StompFeed } from './stomp-feed.js';

const $ = (id) => document.getElementById(id);
const params = new URLSearchParams(location.search);
const deviceId = params.get('deviceId') ?? undefined;
/** An answer slower than this frees the slot anyway (the frame is counted as lost). */
const ANSWER_TIMEOUT_MS = 5000;
const FPS_WINDOW_MS = 3000;
/** How many times one clip frame is sent again after the node skipped it (OVERLOADED). */
const MAX_CLIP_RETRIES = 5;

const ui = {
  start: $('start'),
  stop: $('stop'),
  source: $('source'),
  state: $('state'),
  video: $('video'),
  frame: $('frame'),
  overlay: $('overlay'),
  stage: $('stage'),
};

let session;
let source;
let run;

/** Every state the console went through, for a test to read (window.__consoleStates). */
const states = (window.__consoleStates = []);

function setState(key, detail) {
  if (states.at(-1) !== key) states.push(key);
  ui.state.dataset.state = key;
  ui.state.textContent = detail ? `${STATE[key] ?? key} — ${detail}` : STATE[key] ?? key;
}

function text(id, value) {
  $(id).textContent = value;
}

function describeStomp(msg) {
  if (msg.type === 'DATA') {
    const p = msg.payload ?? {};
    const ai = p.ai ? `허리 ${JUDGEMENT[p.ai.lumbar] ?? p.ai.lumbar} · 무릎 ${JUDGEMENT[p.ai.knee] ?? p.ai.knee} · 발목 ${JUDGEMENT[p.ai.ankle] ?? p.ai.ankle}` : '';
    return `DATA 좌우 균형 ${Number(p.value ?? 0).toFixed(2)}${p.hasFsr ? '' : ' (깔창 없음)'} · ${ai}`;
  }
  if (msg.type === 'voice') return `음성: ${msg.text}`;
  if (msg.type === 'PONG') return `PONG ${msg.payload?.serverTs ?? ''}`;
  return JSON.stringify(msg);
}

const insoles = new InsoleMap({
  left: $('insole-left'),
  right: $('insole-right'),
  link: $('fsr-link'),
  feedback: $('fsr-feedback'),
  combined: $('combined-feedback'),
  deviceId,
});
const stomp = new StompFeed({ list: $('stomp-feed'), link: $('stomp-link'), deviceId, describe: describeStomp });

function showVerdicts(msg) {
  for (const joint of ['lumbar', 'knee', 'ankle']) {
    const el = $(`verdict-${joint}`);
    const j = msg[joint];
    el.dataset.judgement = j;
    el.querySelector('.value').textContent = JUDGEMENT[j] ?? j;
    const reason = (msg.reasons ?? []).find((r) => r.joint === joint);
    el.querySelector('.reason').textContent = reason ? reason.message : '';
    const c = msg.confidence?.[joint];
    el.title = typeof c === 'number' ? `신뢰도 ${(c * 100).toFixed(0)}%` : '';
  }
  const depth = (msg.reasons ?? []).find((r) => r.joint === 'depth');
  $('verdict-depth').querySelector('.reason').textContent = depth ? depth.message : '';
}

function addRep(rep) {
  const li = document.createElement('li');
  li.setAttribute('data-testid', `rep-${rep.index}`);
  for (const k of ['lumbar', 'knee', 'ankle', 'depthJudgement', 'formClass']) li.dataset[k] = String(rep[k]);
  li.dataset.score = String(rep.score);
  const head = document.createElement('b');
  head.textContent = `${rep.index}회 · 점수 ${Math.round(rep.score)}`;
  const body = document.createElement('span');
  body.textContent = ` · ${JOINT.lumbar} ${JUDGEMENT[rep.lumbar]} · ${JOINT.knee} ${JUDGEMENT[rep.knee]} · ${JOINT.ankle} ${JUDGEMENT[rep.ankle]} · ${JOINT.depth} ${JUDGEMENT[rep.depthJudgement]} (${Number(rep.depth).toFixed(2)}) · ${rep.formClass}`;
  li.append(head, body);
  for (const r of rep.reasons ?? []) {
    const small = document.createElement('small');
    small.textContent = `${JOINT[r.joint] ?? r.joint}: ${r.message}`;
    li.append(small);
  }
  $('rep-history').prepend(li);
  // The last rep's verdicts beside the live ones.
  for (const [joint, j] of [['lumbar', rep.lumbar], ['knee', rep.knee], ['ankle', rep.ankle], ['depth', rep.depthJudgement]]) {
    const el = $(`verdict-${joint}`);
    el.dataset.lastRep = j;
    el.querySelector('.last-rep').textContent = ` · 직전 반복: ${JUDGEMENT[j] ?? j}`;
  }
  const d = $('verdict-depth');
  d.dataset.judgement = rep.depthJudgement;
  d.querySelector('.value').textContent = JUDGEMENT[rep.depthJudgement] ?? rep.depthJudgement;
}

/** One streaming run: counters, the in-flight frame and the pump. */
function newRun() {
  return {
    sent: 0,
    answered: 0,
    analysed: 0,
    errors: 0,
    retries: 0,
    lost: 0,
    /** A clip frame the node skipped (OVERLOADED): sent again, so a clip is analysed whole. */
    retry: undefined,
    frameNumber: 0,
    inFlight: undefined,
    answers: [],
    done: false,
    pumping: false,
    /** The socket may open before the camera or the clip is ready: no frame is taken before. */
    sourceReady: false,
    // Sums for the averages a test or a person reads: round trip, the server's share (all, model), and the
    // page's taking of a frame (waiting for a new camera frame, drawing it, JPEG encoding).
    rttMs: 0,
    serverMs: 0,
    inferenceMs: 0,
    takeMs: 0,
  };
}

function onMessage(msg) {
  if (msg.type === 'analysis') {
    if (run?.inFlight?.frameNumber === msg.frameNumber) {
      run.serverMs += msg.processingMs;
      run.inferenceMs += msg.inferenceMs;
      text('server-ms', `${Math.round(msg.processingMs)} / ${Math.round(msg.inferenceMs)} ms`);
    }
    if (run?.inFlight?.frameNumber === msg.frameNumber) run.analysed += 1;
    release(msg.frameNumber);
    text('reps', String(msg.reps));
    const stage = $('stage-value');
    stage.dataset.stage = msg.stage;
    stage.textContent = STAGE[msg.stage] ?? msg.stage;
    text('score', msg.score === null ? '-' : String(Math.round(msg.score)));
    // The server's count (frames replaced before analysis) and the camera frames the page never sent.
    text('dropped', `${msg.dropped} · ${source?.skipped ?? 0}`);
    $('dropped').dataset.server = String(msg.dropped);
    $('dropped').dataset.skipped = String(source?.skipped ?? 0);
    text('model', msg.poseModel ?? 'movenet-lightning');
    showVerdicts(msg);
    drawSkeleton(ui.overlay, source?.width ?? ui.overlay.width, source?.height ?? ui.overlay.height, msg);
  } else if (msg.type === 'rep') {
    addRep(msg);
  } else if (msg.type === 'error') {
    const f = run?.inFlight;
    if (f && msg.frameNumber === f.frameNumber) {
      run.errors += 1;
      const errors = $('errors');
      errors.textContent = `${run.errors} (${msg.code})`;
      errors.dataset.lastCode = msg.code;
      if (msg.code === 'OVERLOADED' && source?.kind === 'clip' && f.retries < MAX_CLIP_RETRIES) {
        run.retry = { ...f.frame, retries: f.retries + 1 };
        run.retries += 1;
      }
      release(msg.frameNumber);
    }
    if (msg.code !== 'OVERLOADED') setState(ui.state.dataset.state, `${msg.code}: ${msg.message}`);
  }
}

function release(frameNumber) {
  const f = run?.inFlight;
  if (!f || f.frameNumber !== frameNumber) return;
  const now = performance.now();
  run.inFlight = undefined;
  run.answered += 1;
  run.answers.push(now);
  while (run.answers.length && run.answers[0] < now - FPS_WINDOW_MS) run.answers.shift();
  const rtt = now - f.sentAt;
  run.rttMs += rtt;
  text('rtt', `${rtt.toFixed(0)} ms`);
  $('rtt').dataset.ms = rtt.toFixed(1);
  const fps = run.answers.length > 1 ? ((run.answers.length - 1) * 1000) / (now - run.answers[0]) : 0;
  text('fps', fps.toFixed(1));
  $('fps').dataset.fps = fps.toFixed(2);
  text('frames', `${run.sent} / ${run.answered}`);
  void pump();
}

async function pump() {
  const r = run;
  const src = source;
  if (!r || !r.sourceReady || r.done || r.pumping || r.inFlight || !session?.open) return;
  r.pumping = true;
  try {
    const t0 = performance.now();
    const frame = r.retry ?? (await src.next());
    r.retry = undefined;
    if (run !== r) return; // stopped meanwhile
    if (!frame) {
      r.done = true;
      if (src.kind === 'clip') setState('clip-done', `${r.sent}개 프레임`);
      return;
    }
    if (!session?.open) {
      // The socket went while the frame was taken: a clip keeps it for the next socket.
      if (src.kind === 'clip') r.retry = frame;
      return;
    }
    r.takeMs += performance.now() - t0;
    const n = r.frameNumber++;
    session.send(encodeFrame(n, frame.timestampMs, frame.jpeg));
    r.sent += 1;
    r.inFlight = { frameNumber: n, sentAt: performance.now(), frame, retries: frame.retries ?? 0 };
    text('frames', `${r.sent} / ${r.answered}`);
    setTimeout(() => {
      if (r.inFlight?.frameNumber === n) {
        r.lost += 1;
        release(n);
      }
    }, ANSWER_TIMEOUT_MS);
  } catch (err) {
    if (run === r) setState('error', `프레임을 만들지 못했습니다: ${err.message}`);
  } finally {
    r.pumping = false;
  }
}

async function start() {
  ui.start.disabled = true;
  ui.stop.disabled = false;
  ui.source.disabled = true;
  $('rep-history').replaceChildren();
  for (const el of document.querySelectorAll('.verdicts .last-rep')) el.textContent = '';
  text('reps', '0');
  ui.overlay.dataset.drawn = '0';
  clearSkeleton(ui.overlay);
  const choice = ui.source.value;
  try {
    if (choice === 'camera') {
      ui.video.hidden = false;
      ui.frame.hidden = true;
      source = new CameraSource(ui.video);
    } else {
      ui.video.hidden = true;
      ui.frame.hidden = false;
      source = new ClipSource(`/console/clips/${encodeURIComponent(choice)}`, ui.frame);
    }
    run = newRun();
    session = new DataPlaneSession({
      userId: `console-${crypto.randomUUID().slice(0, 8)}`,
      onState: setState,
      onMessage,
      onOpen: () => {
        // A new socket: whatever was in flight on the old one is not coming back (a clip sends it again).
        if (run?.inFlight && source?.kind === 'clip' && !run.retry) run.retry = run.inFlight.frame;
        if (run) run.inFlight = undefined;
        void pump();
      },
      onClose: (code) => {
        $('state').dataset.lastClose = String(code);
        $('state').title = CLOSE_REASON[code] ?? '';
      },
    });
    window.__console = { session, run: () => run };
    // The session first (so the clip or the camera's first frames are not lost), then the picture.
    await session.start();
    if (!session.sessionId) return;
    await source.open();
    if (!run) return;
    run.sourceReady = true;
    ui.stage.style.aspectRatio = `${source.width} / ${source.height}`;
    ui.overlay.width = source.width;
    ui.overlay.height = source.height;
    insoles.sessionId = session.sessionId;
    void stomp.start().catch((err) => stomp.setLink('error', err.message));
    void pump();
  } catch (err) {
    setState('error', err.message);
    await stop(false);
  }
}

async function stop(userAsked = true) {
  const s = session;
  const r = run;
  run = undefined;
  session = undefined;
  source?.close();
  ui.start.disabled = false;
  ui.stop.disabled = true;
  ui.source.disabled = false;
  if (s) await s.stop(r ? { framesIn: r.sent, framesOut: r.answered } : undefined);
  if (userAsked) setState('stopped');
}

async function loadClips() {
  try {
    const r = await fetch('/console/clips');
    const { clips } = await r.json();
    for (const c of clips) {
      const o = document.createElement('option');
      o.value = c;
      o.textContent = `클립: ${c}`;
      ui.source.append(o);
    }
  } catch {
    // No clips: the camera only.
  }
  const wanted = params.get('source');
  if (wanted && [...ui.source.options].some((o) => o.value === wanted)) ui.source.value = wanted;
}

ui.start.addEventListener('click', () => void start());
ui.stop.addEventListener('click', () => void stop());
insoles.connect();
insoles.startFeedback();
await loadClips();
ui.start.disabled = false;
document.body.dataset.ready = 'true';

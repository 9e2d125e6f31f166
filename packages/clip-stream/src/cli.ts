#!/usr/bin/env node
import { parseArgs } from 'node:util';
import { loadClip } from './frame-source';
import { streamClip, type StreamSummary } from './streamer';

/**
 * `npm run demo:stream -- <clip.gif|folder of jpegs|video> [--binary] [--url URL] [--fps N] [--hold-ms MS] [--user ID]`
 * Prints each rep's verdicts and reasons as they come, then a summary; the LAST line is the JSON summary.
 */
export const USAGE = 'demo:stream -- <clip.gif|folder of jpegs/pngs|video.mp4 (needs ffmpeg)> [--binary] [--url http://127.0.0.1:8080] [--fps 10] [--hold-ms 1500] [--user demo-stream]';

/** The summary lines a person reads after the run. */
export function formatSummary(s: StreamSummary): string {
  const lines = [
    `summary: ${s.reps.length} rep(s) over ${s.framesSent} frames (${s.encoding}), ${s.analysed} analysed, ${s.errors.length} error(s), ${s.dropped} dropped`,
    `         ${s.framesPerSecond} frames/s, mean round trip ${s.meanRoundTripMs} ms, session ${s.sessionId}`,
  ];
  for (const r of s.reps) lines.push(`         rep ${r.index}: ${r.formClass}, score ${r.score}, lumbar ${r.lumbar}, knee ${r.knee}, ankle ${r.ankle}, depth ${r.depthJudgement}`);
  if (s.reps.length === 0) lines.push('         no rep was completed: is the whole body in view, and does the clip hold one full squat?');
  return lines.join('\n');
}

async function main(): Promise<void> {
  const { values, positionals } = parseArgs({
    allowPositionals: true,
    strict: true,
    options: {
      binary: { type: 'boolean', default: false },
      url: { type: 'string', default: 'http://127.0.0.1:8080' },
      fps: { type: 'string', default: '10' },
      'hold-ms': { type: 'string', default: '1500' },
      user: { type: 'string', default: 'demo-stream' },
    },
  });
  const fps = Number(values.fps);
  const holdMs = Number(values['hold-ms']);
  if (positionals.length !== 1 || !(fps > 0 && fps <= 60) || !(holdMs >= 0)) {
    console.error(`usage: ${USAGE}`);
    process.exit(2);
  }
  const clip = await loadClip(positionals[0]!, fps);
  console.log(`${positionals[0]}: ${clip.frames.length} frames (${clip.kind})`);
  const summary = await streamClip({ baseUrl: values.url.replace(/\/+$/, ''), frames: clip.frames, delaysMs: clip.delaysMs, binary: values.binary, holdMs, userId: values.user });
  console.log(formatSummary(summary));
  console.log(JSON.stringify(summary));
}

if (require.main === module) {
  main().catch((e: unknown) => {
    // fetch's own message is only "fetch failed"; the reason (ECONNREFUSED …) is its cause
    const cause = e instanceof Error && e.cause instanceof Error ? ` (${e.cause.message}: is the platform running there? --url)` : '';
    console.error(`${e instanceof Error ? e.message : String(e)}${cause}`);
    process.exit(1);
  });
}

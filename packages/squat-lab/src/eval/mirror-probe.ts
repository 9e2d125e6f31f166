#!/usr/bin/env node
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { EXPECTED_FEATURE_NAMES, FORM_CLASSES, predictProba, type ModelPose } from '@squirret/squat';
import { crossValidateSessions, modelSpecOf, type ModelSpec, type Sample } from './cv';
import { DATASETS_ENV } from './dataset';
import { CACHE_DIR, trainRows } from './samples';

/**
 * `node packages/squat-lab/dist/eval/mirror-probe.js --pose blazepose [--mirror-copies] [--forest] [--seed 1] [--weighting none|session|sqrt-session]`
 *
 * A lab probe (NOTEBOOK round 10), by-session CV only, train split only: does a left-right mirror
 * help people not seen? Two ways, measured on the same folds and rows:
 * - `--mirror-copies`: every second camera copy of a recording is also mirrored (same number of rows);
 * - test-time mirror: each held-out rep is scored as the mean of its own probabilities and those of its
 *   mirror image (never trained on), which the live analyzer could do on the keypoints it has.
 * Prints the plain and the mirrored-mean accuracy and saves the held-out probabilities in `cache/`.
 */
async function main(): Promise<void> {
  const argv = process.argv.slice(2);
  const arg = (name: string): string | undefined => {
    const i = argv.indexOf(name);
    return i >= 0 ? argv[i + 1] : undefined;
  };
  const pose = (arg('--pose') ?? 'blazepose') as ModelPose;
  const seed = Number(arg('--seed') ?? 1);
  const base = modelSpecOf(pose);
  const spec: ModelSpec = {
    ...base,
    gbdtSeeds: [seed],
    forest: argv.includes('--forest') && base.forest ? { ...base.forest, seeds: [seed] } : null,
    augment: argv.includes('--mirror-copies') ? base.augment.map((a) => ({ ...a, mirror: 'alternate' as const })) : base.augment,
    weighting: (arg('--weighting') ?? 'none') as NonNullable<ModelSpec['weighting']>,
  };
  const rows = await trainRows(spec.augment, arg('--datasets') ?? process.env[DATASETS_ENV], console.log, { mirrored: true });
  const names = EXPECTED_FEATURE_NAMES[pose];
  const col = names.map((n) => rows.names.indexOf(n));
  const toSample = (r: (typeof rows.rows)[number]): Sample => ({ x: col.map((i) => r.x[i] ?? null), y: FORM_CLASSES.indexOf(r.truth), aug: r.aug, truth: r.truth, recording: r.recording });
  const samples = rows.rows.filter((r) => !r.mirrored).map(toSample);
  const mirrorOf = new Map(rows.rows.filter((r) => r.mirrored).map((r) => [r.recording, toSample(r)]));
  console.log(`${pose}: ${samples.filter((s) => s.aug === 0).length} reps, ${samples.filter((s) => s.aug > 0).length} copies, ${mirrorOf.size} mirror images; spec ${JSON.stringify({ gbdtSeeds: spec.gbdtSeeds, forest: spec.forest !== null, mirrorCopies: argv.includes('--mirror-copies'), weighting: spec.weighting })}`);
  const t0 = Date.now();
  const out: { recording: string; y: number; fold: number; p: number[]; pMirror: number[] | null }[] = [];
  crossValidateSessions(samples, spec, (model, held, fold) => {
    for (const s of held) {
      const m = mirrorOf.get(s.recording);
      out.push({ recording: s.recording, y: s.y, fold, p: predictProba(model, s.x), pMirror: m ? predictProba(model, m.x) : null });
    }
  });
  const argmax = (p: readonly number[]): number => p.reduce((b, v, i) => (v > p[b]! ? i : b), 0);
  const score = (pick: (o: (typeof out)[number]) => number[]): { accuracy: number; perClass: Record<string, number> } => {
    const hit = FORM_CLASSES.map(() => 0);
    const tot = FORM_CLASSES.map(() => 0);
    for (const o of out) {
      tot[o.y]!++;
      if (argmax(pick(o)) === o.y) hit[o.y]!++;
    }
    return {
      accuracy: Math.round((hit.reduce((a, b) => a + b, 0) / out.length) * 10000) / 10000,
      perClass: Object.fromEntries(FORM_CLASSES.map((c, i) => [c, Math.round((hit[i]! / Math.max(1, tot[i]!)) * 1000) / 1000])),
    };
  };
  const plain = score((o) => o.p);
  const mean = score((o) => (o.pMirror ? o.p.map((v, i) => (v + o.pMirror![i]!) / 2) : o.p));
  const mirrorAlone = score((o) => o.pMirror ?? o.p);
  console.log(`by session (${((Date.now() - t0) / 1000).toFixed(0)} s): plain ${JSON.stringify(plain)}`);
  console.log(`  mirror image alone ${JSON.stringify(mirrorAlone)}`);
  console.log(`  mean with the mirror image ${JSON.stringify(mean)}`);
  mkdirSync(CACHE_DIR, { recursive: true });
  const file = join(CACHE_DIR, `mirror-probe.${pose}.${argv.includes('--mirror-copies') ? 'mirror-copies' : 'plain-copies'}.${argv.includes('--forest') ? 'forest' : 'gbdt'}.${spec.weighting}.s${seed}.json`);
  writeFileSync(file, JSON.stringify({ spec: { gbdtSeeds: spec.gbdtSeeds, forest: spec.forest, augment: spec.augment }, plain, mean, mirrorAlone, outOfFold: out }));
  console.log(`wrote ${file}`);
}

if (require.main === module) {
  main().catch((e: unknown) => {
    console.error(e instanceof Error ? e.stack ?? e.message : e);
    process.exit(1);
  });
}

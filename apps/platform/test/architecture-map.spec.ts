import { strict as assert } from 'node:assert';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { REPO_ROOT } from '@squirret/testing';

/** Backticked repository paths in a markdown text (globs and placeholders are not paths). */
export function repoPathsIn(markdown: string): string[] {
  const paths = [...markdown.matchAll(/`([^`\s]+)`/g)].map((m) => m[1]!);
  return [...new Set(paths.filter((p) => /^(apps|packages|bench|docs|infra|scripts)\//.test(p) || p === '.env.example' || p === 'docker-compose.yml'))].filter(
    (p) => !/[*{}<>…]/.test(p),
  );
}

describe('ARCHITECTURE.md is a map that is true to the code', () => {
  const text = readFileSync(join(REPO_ROOT, 'ARCHITECTURE.md'), 'utf8');

  it('every repository path it names exists', () => {
    const paths = repoPathsIn(text);
    assert.ok(paths.length > 60, `found only ${paths.length} paths`);
    assert.deepEqual(paths.filter((p) => !existsSync(join(REPO_ROOT, p))), []);
  });

  it('has the behaviour → file index, and no benchmark figures (they live in bench/README.md)', () => {
    assert.match(text, /^## Behaviour → file$/m);
    assert.doesNotMatch(text, /\b\d[\d,.]*\s?(req\/s|µs|rps|deliveries\/s)\b/);
    assert.ok(existsSync(join(REPO_ROOT, 'bench/README.md')));
  });

  it('the path finder skips globs and placeholders and keeps real paths', () => {
    assert.deepEqual(repoPathsIn('`apps/*/Dockerfile` `apps/chat/src/{a,b}.ts` `apps/fsr/src/app.ts` `not/a/repo/path` `.env.example`'), ['apps/fsr/src/app.ts', '.env.example']);
  });
});

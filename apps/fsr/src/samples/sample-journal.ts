import { randomUUID } from 'node:crypto';
import { closeSync, existsSync, mkdirSync, openSync, readFileSync, readdirSync, unlinkSync, writeFileSync } from 'node:fs';
import { open, type FileHandle } from 'node:fs/promises';
import { join } from 'node:path';
import type { SampleRow } from './foot-sample';

/** How a journal append is made durable before the 202. */
export type JournalSync = 'fdatasync' | 'write';

/** Where the journal lives and how it writes. */
export interface SampleJournalOptions {
  readonly dir: string;
  /**
   * `write` (default): the 202 waits for the write into the OS page cache (survives SIGKILL and any
   * process crash, not a power loss). `fdatasync`: it waits for the disk too (survives a machine
   * crash). Appends waiting at the same time share one write and one sync (group commit).
   */
  readonly sync?: JournalSync;
  /** A segment file is closed and a new one begun past this size; closed segments are deleted once committed. */
  readonly segmentBytes?: number;
}

/** What a journal append gives back: the rows with their journal position, and when they are durable. */
export interface JournalAppend {
  readonly rows: SampleRow[];
  readonly durable: Promise<void>;
}

interface Segment {
  readonly path: string;
  lastSeq: number;
}

const SEGMENT = /^seg-(\d{16})\.jnl$/;
const segmentName = (firstSeq: number) => `seg-${String(firstSeq).padStart(16, '0')}.jnl`;

/**
 * The local append-only sample journal ("acknowledged means kept" across SIGKILL). Every accepted
 * sample is appended (one JSON line per request) before its 202; rows carry their position `seq`;
 * the writer's statements move the journal's mark in PostgreSQL in the same statement as the
 * insert (`fsr_journal_marks`), so a replay at the next start enqueues exactly the rows after the
 * mark: none lost, none twice. Segments are deleted once every row in them is settled (committed
 * or set aside). One directory per instance: a `LOCK` file holding the pid refuses a second live
 * process on the same directory. A torn last line (a crash mid-append, never answered 202) is
 * skipped on replay.
 */
export class SampleJournal {
  private nextSeq: number;
  private settledUpTo: number;
  private readonly closedSegments: Segment[] = [];
  private active: Segment;
  private handle: FileHandle | undefined;
  private activeBytes = 0;
  private pending: Buffer[] = [];
  private waiters: { resolve: () => void; reject: (e: unknown) => void }[] = [];
  private writing: Promise<void> | undefined;
  private syncs = 0;
  private readonly sync: JournalSync;
  private readonly segmentBytes: number;

  private constructor(
    readonly id: string,
    private readonly options: SampleJournalOptions,
    startSeq: number,
    old: Segment[],
    mark: number,
  ) {
    this.sync = options.sync ?? 'write';
    this.segmentBytes = options.segmentBytes ?? 4 * 1024 * 1024;
    this.nextSeq = startSeq;
    this.settledUpTo = mark;
    this.closedSegments.push(...old);
    this.active = { path: join(options.dir, segmentName(startSeq)), lastSeq: startSeq - 1 };
  }

  /** The journal's id (kept in the directory, made on first use): the key of its mark in PostgreSQL. */
  static idOf(dir: string): string {
    mkdirSync(dir, { recursive: true });
    const file = join(dir, 'journal.id');
    if (existsSync(file)) return readFileSync(file, 'utf8').trim();
    const id = randomUUID();
    writeFileSync(file, `${id}\n`, { flag: 'wx' });
    return id;
  }

  /**
   * Opens the directory (locking it), reads every segment and returns the rows after `mark` (the
   * committed position read from PostgreSQL), in order, for the writer to take before any new row.
   */
  static async open(options: SampleJournalOptions, mark: number): Promise<{ journal: SampleJournal; replay: SampleRow[]; skippedLines: number }> {
    const id = SampleJournal.idOf(options.dir);
    lockDir(options.dir);
    const names = readdirSync(options.dir).filter((n) => SEGMENT.test(n)).sort();
    const replay: SampleRow[] = [];
    const segments: Segment[] = [];
    let maxSeq = mark;
    let skippedLines = 0;
    for (const name of names) {
      const path = join(options.dir, name);
      let lastSeq = Number(SEGMENT.exec(name)![1]) - 1;
      for (const line of readFileSync(path, 'utf8').split('\n')) {
        if (line === '') continue;
        const rows = decodeLine(line);
        if (!rows) {
          skippedLines++;
          continue;
        }
        for (const r of rows) {
          lastSeq = Math.max(lastSeq, r.seq!);
          if (r.seq! > mark) replay.push(r);
        }
      }
      maxSeq = Math.max(maxSeq, lastSeq);
      segments.push({ path, lastSeq });
    }
    replay.sort((a, b) => a.seq! - b.seq!);
    const journal = new SampleJournal(id, options, maxSeq + 1, segments, mark);
    journal.dropSettledSegments();
    journal.handle = await open(journal.active.path, 'a');
    return { journal, replay, skippedLines };
  }

  /**
   * Appends one request's rows (all of one device): gives them their positions at once (so the
   * caller hands them to the writer in journal order, in the same tick) and a promise that
   * resolves when they are durable. Never throws; `durable` rejects when the disk refused.
   */
  append(rows: readonly SampleRow[]): JournalAppend {
    const first = this.nextSeq;
    this.nextSeq += rows.length;
    const withSeq = rows.map((r, i) => ({ ...r, seq: first + i }));
    this.active.lastSeq = this.nextSeq - 1;
    this.pending.push(Buffer.from(`${encodeLine(first, rows)}\n`));
    const durable = new Promise<void>((resolve, reject) => this.waiters.push({ resolve, reject }));
    if (!this.writing) this.writing = this.writeGroups();
    return { rows: withSeq, durable };
  }

  /** Writes the appends waiting, one write (and one sync) per group, until none are left. */
  private async writeGroups(): Promise<void> {
    // Let the appends of this turn of the event loop join the first group.
    await new Promise<void>((r) => setImmediate(r));
    try {
      while (this.pending.length > 0) {
        const bufs = this.pending;
        const waiters = this.waiters;
        this.pending = [];
        this.waiters = [];
        try {
          const handle = this.handle;
          if (!handle) throw new Error('sample journal closed');
          await handle.writev(bufs);
          if (this.sync === 'fdatasync') await handle.datasync();
          this.syncs++;
          for (const b of bufs) this.activeBytes += b.length;
          for (const w of waiters) w.resolve();
        } catch (err) {
          for (const w of waiters) w.reject(err);
        }
        if (this.activeBytes >= this.segmentBytes) await this.rotate();
      }
    } finally {
      this.writing = undefined;
    }
  }

  /** Closes the active segment and begins the next (called between groups, nothing pending in it). */
  private async rotate(): Promise<void> {
    await this.handle?.close();
    this.closedSegments.push(this.active);
    this.active = { path: join(this.options.dir, segmentName(this.nextSeq)), lastSeq: this.nextSeq - 1 };
    this.activeBytes = 0;
    this.handle = await open(this.active.path, 'a');
    this.dropSettledSegments();
  }

  /** The writer is done with these rows (committed or set aside); they arrive in journal order. */
  settled(rows: readonly SampleRow[]): void {
    let moved = false;
    for (const r of rows) {
      if (r.seq !== undefined && r.seq > this.settledUpTo) {
        this.settledUpTo = r.seq;
        moved = true;
      }
    }
    if (moved && this.closedSegments.length > 0 && this.closedSegments[0]!.lastSeq <= this.settledUpTo) this.dropSettledSegments();
  }

  private dropSettledSegments(): void {
    while (this.closedSegments.length > 0 && this.closedSegments[0]!.lastSeq <= this.settledUpTo) {
      const seg = this.closedSegments.shift()!;
      try {
        unlinkSync(seg.path);
      } catch {
        /* already gone */
      }
    }
  }

  /** Appends not yet settled (buffered or being written by the writer). */
  get unsettled(): number {
    return this.nextSeq - 1 - this.settledUpTo;
  }

  stats(): { syncs: number; unsettled: number } {
    return { syncs: this.syncs, unsettled: this.unsettled };
  }

  /**
   * Waits for the writes in progress, closes the file and, when every row is settled, deletes
   * every segment (a clean shutdown leaves an empty journal); otherwise they stay for the replay.
   */
  async close(): Promise<void> {
    while (this.writing) await this.writing;
    await this.handle?.close();
    this.handle = undefined;
    if (this.unsettled === 0) {
      this.closedSegments.push(this.active);
      this.dropSettledSegments();
    }
    unlockDir(this.options.dir);
  }
}

/** One line: `{"s":firstSeq,"d":device,"x":session,"v":receivedAt,"r":[[side,r1..r6,at],…]}`. */
function encodeLine(first: number, rows: readonly SampleRow[]): string {
  const r0 = rows[0]!;
  return JSON.stringify({ s: first, d: r0.deviceId, x: r0.sessionId, v: r0.receivedAt, r: rows.map((r) => [r.side, ...r.ratios, r.at]) });
}

type Line = { s: number; d: string; x: string | null; v: number; r: [string, number, number, number, number, number, number, number][] };

function decodeLine(line: string): SampleRow[] | undefined {
  let parsed: Line;
  try {
    parsed = JSON.parse(line) as Line;
  } catch {
    return undefined;
  }
  if (typeof parsed?.s !== 'number' || typeof parsed.d !== 'string' || !Array.isArray(parsed.r)) return undefined;
  return parsed.r.map(([side, a, b, c, d, e, f, at], i) => ({
    deviceId: parsed.d,
    sessionId: parsed.x ?? null,
    side: side === 'right' ? 'right' : 'left',
    ratios: [a, b, c, d, e, f] as const,
    at,
    receivedAt: parsed.v,
    seq: parsed.s + i,
  }));
}

/** Takes the directory for this process; refuses when another live process holds it. */
function lockDir(dir: string): void {
  const file = join(dir, 'LOCK');
  try {
    const fd = openSync(file, 'wx');
    writeFileSync(fd, String(process.pid));
    closeSync(fd);
    return;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
  }
  const holder = Number(readFileSync(file, 'utf8').trim());
  if (Number.isInteger(holder) && holder > 0 && holder !== process.pid && alive(holder)) {
    throw new Error(`FSR_JOURNAL_DIR ${dir} is in use by process ${holder}; each instance needs its own journal directory`);
  }
  // A stale lock (its process died, e.g. SIGKILL): take it over.
  writeFileSync(file, String(process.pid));
}

function unlockDir(dir: string): void {
  try {
    unlinkSync(join(dir, 'LOCK'));
  } catch {
    /* gone */
  }
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

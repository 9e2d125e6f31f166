import type { DataSource } from 'typeorm';
import type { SampleRow } from './foot-sample';
import { SampleDataError, type SampleSink } from './sample-writer';

/** Advisory-lock key of the retention sweep, so only one instance deletes at a time. */
const RETENTION_LOCK = 0x0f5e_7e01;

/** PostgreSQL side of the samples: the writer's multi-row insert, retention deletes, counts. */
export class SamplesRepository implements SampleSink {
  /**
   * `journalId`: the local journal whose rows this repository writes; each statement then also
   * moves that journal's mark (the highest `seq` committed) in the same statement, so a replay
   * after a crash skips exactly what is already stored.
   */
  constructor(
    private readonly ds: DataSource,
    private readonly journalId?: string,
  ) {}

  /**
   * One statement for the whole batch: parallel arrays unnested into rows. The parameter count is
   * fixed (11, 13 with the journal mark) whatever the batch size, so there is no 65,535-parameter
   * ceiling. A refusal for the rows' content (SQLSTATE class 22 data exception, 23 integrity) is
   * thrown as SampleDataError so the writer can find the row at fault; anything else is left as is
   * (retried). The error never carries the statement's parameters.
   */
  async insertMany(rows: readonly SampleRow[]): Promise<void> {
    if (rows.length === 0) return;
    const col = <T>(f: (r: SampleRow) => T): T[] => rows.map(f);
    let params: unknown[];
    try {
      params = [
        col((r) => r.deviceId),
        col((r) => r.sessionId),
        col((r) => r.side),
        col((r) => r.ratios[0]),
        col((r) => r.ratios[1]),
        col((r) => r.ratios[2]),
        col((r) => r.ratios[3]),
        col((r) => r.ratios[4]),
        col((r) => r.ratios[5]),
        col((r) => new Date(r.at).toISOString()),
        col((r) => new Date(r.receivedAt).toISOString()),
      ];
    } catch {
      // toISOString throws RangeError for a time JavaScript cannot even print.
      throw new SampleDataError('22008', 'sample time out of range');
    }
    let mark = -1;
    if (this.journalId !== undefined) for (const r of rows) if (r.seq !== undefined && r.seq > mark) mark = r.seq;
    const insert = `INSERT INTO fsr_samples (device_id, session_id, side, ratio1, ratio2, ratio3, ratio4, ratio5, ratio6, sampled_at, received_at)
       SELECT * FROM unnest($1::varchar[], $2::uuid[], $3::varchar[], $4::real[], $5::real[], $6::real[], $7::real[], $8::real[], $9::real[],
                            $10::timestamptz[], $11::timestamptz[])`;
    const sql =
      mark < 0
        ? insert
        : `WITH ins AS (${insert} RETURNING 1)
           INSERT INTO fsr_journal_marks (journal_id, seq) VALUES ($12, $13)
           ON CONFLICT (journal_id) DO UPDATE SET seq = GREATEST(fsr_journal_marks.seq, EXCLUDED.seq), updated_at = now()`;
    if (mark >= 0) params.push(this.journalId, mark);
    try {
      await this.ds.query(sql, params);
    } catch (err) {
      const state = sqlState(err);
      if (state !== undefined && (state.startsWith('22') || state.startsWith('23'))) {
        throw new SampleDataError(state, err instanceof Error ? err.message : 'refused by the database');
      }
      throw err;
    }
  }

  /** The highest journal position committed for `journalId` (-1 when none). */
  async journalMark(journalId: string): Promise<number> {
    const rows = (await this.ds.query('SELECT seq::text AS seq FROM fsr_journal_marks WHERE journal_id = $1', [journalId])) as { seq: string }[];
    return rows[0] ? Number(rows[0].seq) : -1;
  }

  /**
   * Deletes samples taken before `cutoff`, `chunk` rows per statement so no statement holds locks
   * for long. Skipped (returns 0) when another instance is already sweeping.
   */
  async deleteOlderThan(cutoff: Date, chunk = 10_000): Promise<number> {
    const runner = this.ds.createQueryRunner();
    await runner.connect();
    try {
      const [{ locked }] = (await runner.query('SELECT pg_try_advisory_lock($1) AS locked', [RETENTION_LOCK])) as [{ locked: boolean }];
      if (!locked) return 0;
      try {
        let total = 0;
        for (;;) {
          const res = (await runner.query(
            `DELETE FROM fsr_samples WHERE id IN (SELECT id FROM fsr_samples WHERE sampled_at < $1 LIMIT $2)`,
            [cutoff.toISOString(), chunk],
          )) as [unknown[], number];
          const deleted = res[1];
          total += deleted;
          if (deleted < chunk) return total;
        }
      } finally {
        await runner.query('SELECT pg_advisory_unlock($1)', [RETENTION_LOCK]);
      }
    } finally {
      await runner.release();
    }
  }

  /** Rows stored for a device (tests, admin). */
  async count(deviceId?: string): Promise<number> {
    const [row] = (await this.ds.query(
      deviceId === undefined ? 'SELECT count(*)::int AS n FROM fsr_samples' : 'SELECT count(*)::int AS n FROM fsr_samples WHERE device_id = $1',
      deviceId === undefined ? [] : [deviceId],
    )) as [{ n: number }];
    return row.n;
  }
}

/** The SQLSTATE of a failed query (pg's `code`, also on TypeORM's QueryFailedError), if any. */
function sqlState(err: unknown): string | undefined {
  if (typeof err !== 'object' || err === null) return undefined;
  const own = (err as { code?: unknown }).code;
  const driver = (err as { driverError?: { code?: unknown } }).driverError?.code;
  const code = typeof own === 'string' ? own : typeof driver === 'string' ? driver : undefined;
  return code !== undefined && /^[0-9A-Z]{5}$/.test(code) ? code : undefined;
}

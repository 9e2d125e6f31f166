import type { DataSource } from 'typeorm';
import type { SampleRow } from './foot-sample';
import type { SampleSink } from './sample-writer';

/** Advisory-lock key of the retention sweep, so only one instance deletes at a time. */
const RETENTION_LOCK = 0x0f5e_7e01;

/** PostgreSQL side of the samples: the writer's multi-row insert, retention deletes, counts. */
export class SamplesRepository implements SampleSink {
  constructor(private readonly ds: DataSource) {}

  /**
   * One statement for the whole batch: parallel arrays unnested into rows. The parameter count is
   * fixed (11) whatever the batch size, so there is no 65,535-parameter ceiling.
   */
  async insertMany(rows: readonly SampleRow[]): Promise<void> {
    if (rows.length === 0) return;
    const col = <T>(f: (r: SampleRow) => T): T[] => rows.map(f);
    await this.ds.query(
      `INSERT INTO fsr_samples (device_id, session_id, side, ratio1, ratio2, ratio3, ratio4, ratio5, ratio6, sampled_at, received_at)
       SELECT * FROM unnest($1::varchar[], $2::uuid[], $3::varchar[], $4::real[], $5::real[], $6::real[], $7::real[], $8::real[], $9::real[],
                            $10::timestamptz[], $11::timestamptz[])`,
      [
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
      ],
    );
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

import { Inject, Injectable, Logger } from '@nestjs/common';
import { AppError, type StoredMessage } from '@squirret/contracts';
import { QueryFailedError, type DataSource } from 'typeorm';
import { CHAT_CLOCK, CHAT_DATA_SOURCE, type Clock } from '../chat.tokens';
import { MESSAGE_COLUMNS, toStoredMessage, type AppendResult, type MessageRow, type NewMessage, type SessionTurns } from './stored-message';

interface PendingGroup {
  readonly messages: readonly NewMessage[];
  resolve(results: AppendResult[]): void;
  reject(err: unknown): void;
}

/** Most messages written by one statement. */
const MAX_BATCH = 1024;
/**
 * Statements running at once. Correctness does not depend on it (each locks its rooms' heads in
 * order); a second one hides the round trip while the first commits, but only when it carries
 * enough: statements on the same rooms run one after the other anyway, so a small one started
 * beside a running one would only split the next batch in two.
 */
const MAX_IN_FLIGHT = 2;
/** Messages waiting before a second statement is started beside a running one. */
const MIN_PARALLEL_BATCH = 256;

/**
 * Stores messages with group commit: appends that arrive while a statement is in flight are
 * written together by the next one, so throughput grows with load instead of one round trip per
 * message. Each batch is one SQL statement, committed on its own (one round trip): each room's
 * sequence is taken under a row lock on its head, in room-key order (no deadlock between
 * instances), so a message with id N commits only after N-1 did: a gap in what an instance has
 * seen is always readable from PostgreSQL. A couple member's line (`chat` with a session) also
 * counts a turn of its session in the same statement, rather than one contended row update per
 * message.
 */
@Injectable()
export class MessageWriter {
  private readonly logger = new Logger('chat-writer');
  private pending: PendingGroup[] = [];
  /** Messages in `pending`. */
  private pendingMessages = 0;
  private inFlight = 0;
  private failedStatements = 0;

  constructor(
    @Inject(CHAT_DATA_SOURCE) private readonly ds: DataSource,
    @Inject(CHAT_CLOCK) private readonly clock: Clock,
  ) {}

  /** What the writer holds now, for metrics: messages waiting, statements running (of at most `maxInFlight`), failures so far. */
  stats(): { pending: number; inFlight: number; maxInFlight: number; failedStatements: number } {
    return { pending: this.pendingMessages, inFlight: this.inFlight, maxInFlight: MAX_IN_FLIGHT, failedStatements: this.failedStatements };
  }

  /** Stores one message; resolves once it is committed. */
  async append(message: NewMessage): Promise<AppendResult> {
    const [result] = await this.appendAll([message]);
    return result!;
  }

  /** Stores several messages in one statement: all or none (a trainer's spread). */
  appendAll(messages: readonly NewMessage[]): Promise<AppendResult[]> {
    return new Promise((resolve, reject) => {
      this.pending.push({ messages, resolve, reject });
      this.pendingMessages += messages.length;
      this.pump();
    });
  }

  /** Starts a statement when none runs, or a second one when enough messages wait for it. */
  private pump(): void {
    while (this.pending.length > 0 && (this.inFlight === 0 || (this.inFlight < MAX_IN_FLIGHT && this.pendingMessages >= MIN_PARALLEL_BATCH))) {
      const batch: PendingGroup[] = [];
      let size = 0;
      while (this.pending.length > 0 && (batch.length === 0 || size + this.pending[0]!.messages.length <= MAX_BATCH)) {
        const g = this.pending.shift()!;
        batch.push(g);
        size += g.messages.length;
      }
      this.pendingMessages -= size;
      this.inFlight++;
      void this.flush(batch).finally(() => {
        this.inFlight--;
        this.pump();
      });
    }
  }

  private async flush(batch: PendingGroup[]): Promise<void> {
    try {
      const results = await this.write(batch.flatMap((g) => g.messages));
      let i = 0;
      for (const g of batch) {
        g.resolve(results.slice(i, i + g.messages.length));
        i += g.messages.length;
      }
    } catch (err) {
      this.failedStatements++;
      if (batch.length === 1) {
        batch[0]!.reject(this.storeError(err));
        return;
      }
      // One bad group (or a race on a clientId with another instance) must not fail the others:
      // retry each group in its own transaction.
      for (const g of batch) {
        try {
          g.resolve(await this.write(g.messages));
        } catch (e) {
          g.reject(this.storeError(e));
        }
      }
    }
  }

  private storeError(err: unknown): AppError {
    if (err instanceof AppError) return err;
    if (isDataError(err)) {
      // The database refuses this message's data (it would refuse a retry too): a refusal, not an outage.
      return new AppError('VALIDATION_ERROR', 'the message holds data that cannot be stored');
    }
    this.logger.error({ err: String(err) }, 'storing chat messages failed');
    return new AppError('CHAT_STORE_FAILED', 'the message could not be stored; retry with the same clientId');
  }

  /**
   * Writes a batch; when a concurrent writer stored one of its clientIds after the statement's
   * snapshot (unique index), writes again: the new statement sees that message and answers with it.
   */
  private async write(messages: readonly NewMessage[]): Promise<AppendResult[]> {
    for (let attempt = 1; ; attempt++) {
      try {
        return await this.writeOnce(messages);
      } catch (err) {
        if (attempt >= 3 || !isClientIdRace(err)) throw err;
      }
    }
  }

  private async writeOnce(messages: readonly NewMessage[]): Promise<AppendResult[]> {
    const keys = [...new Set(messages.map((m) => m.roomKey))].sort();
    // Within the batch, a repeated (room, sender, clientId) answers with its first occurrence.
    const firstOf = new Map<string, number>();
    const canonical: number[] = [];
    const unique: number[] = [];
    messages.forEach((m, i) => {
      const key = m.clientId !== null && m.senderId !== null ? dedupeKey(m.roomKey, m.senderId, m.clientId) : undefined;
      const first = key !== undefined ? firstOf.get(key) : undefined;
      if (first !== undefined) {
        canonical.push(first);
        return;
      }
      if (key !== undefined) firstOf.set(key, i);
      canonical.push(i);
      unique.push(i);
    });
    const u = unique.map((i) => messages[i]!);
    const withClient = unique.filter((i) => messages[i]!.clientId !== null && messages[i]!.senderId !== null);
    const at = new Date(this.clock.now());
    const params: unknown[] = [
      u.map((m) => m.roomKey),
      u.map((m) => m.kind),
      u.map((m) => m.senderId),
      u.map((m) => m.senderName),
      u.map((m) => m.speaker),
      u.map((m) => m.content),
      u.map((m) => m.sessionId),
      u.map((m) => m.clientId),
      u.map((m) => m.event),
      keys,
      at,
    ];
    if (withClient.length > 0) params.push(withClient.map((i) => unique.indexOf(i) + 1));
    const rows: WriteRow[] = await this.ds.query(withClient.length > 0 ? WRITE_DEDUPED_SQL : WRITE_SQL, params);
    const row = rows[0]!;
    if (!row.ok) throw new AppError('ROOM_NOT_FOUND', 'the room no longer exists');

    // Positions (1-based, in `u`) of the fresh messages with their ids, and of the already stored ones.
    const stored = new Map<number, StoredMessage>();
    const duplicate = new Set<number>();
    for (const d of row.dups ?? []) {
      const { ord, ...r } = d;
      stored.set(ord, toStoredMessage({ ...r, created_at: new Date(r.created_at) }));
      duplicate.add(ord);
    }
    const ords = row.ords ?? [];
    const seqs = row.seqs ?? [];
    const createdAt = at.toISOString();
    for (let j = 0; j < ords.length; j++) {
      const ord = Number(ords[j]);
      const m = u[ord - 1]!;
      stored.set(ord, {
        roomKey: m.roomKey,
        id: Number(seqs[j]),
        kind: m.kind,
        senderId: m.senderId,
        senderName: m.senderName,
        speaker: m.speaker,
        content: m.content,
        sessionId: m.sessionId,
        clientId: m.clientId,
        event: m.event,
        createdAt,
      });
    }
    const turns = new Map<number, SessionTurns>();
    for (const t of row.turns ?? []) turns.set(Number(t.id), { turns: t.turns, turnsSinceCheck: t.turns_since_check, awaitingResponse: t.awaiting_response });

    const ordOf = new Map<number, number>(unique.map((i, j) => [i, j + 1]));
    return messages.map((_, i) => {
      const c = canonical[i]!;
      const ord = ordOf.get(c)!;
      const message = stored.get(ord);
      if (!message) throw new Error('the message log did not answer for every message of the batch');
      const dup = c !== i || duplicate.has(ord);
      if (dup || turns.size === 0 || message.kind !== 'chat' || message.sessionId === null) return { message, duplicate: dup };
      return { message, duplicate: false, turns: turns.get(message.sessionId) ?? null };
    });
  }
}

/** The single row the write statement answers. */
interface WriteRow {
  /** Every room of the batch exists (else nothing was written). */
  ok: boolean;
  /** Positions of the fresh messages, and their ids (bigint[] comes back as strings). */
  ords: (string | number)[] | null;
  seqs: (string | number)[] | null;
  /** Messages already stored under the same clientId, with the position that asked for them. */
  dups: (Omit<MessageRow, 'created_at'> & { created_at: string; ord: number })[] | null;
  /** Counters of the open couple sessions this batch counted turns for. */
  turns: { id: number | string; turns: number; turns_since_check: number; awaiting_response: boolean }[] | null;
}

/**
 * One statement (one round trip, committed on its own) per batch: locks the batch's room heads in
 * room-key order (waiting takes the latest head), leaves out messages already stored under their
 * clientId, numbers the rest per room after the head, inserts them, moves the heads, and counts
 * the couple sessions' turns (session rows locked in id order, after the heads). If a room is
 * missing, nothing is written. A clientId stored by a concurrent statement after this one's
 * snapshot fails on the unique index; the caller then retries, and the retry finds it.
 */
function writeSql(deduped: boolean): string {
  return `
WITH v AS (
  SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[], $6::text[], $7::bigint[], $8::text[], $9::text[])
    WITH ORDINALITY AS v(r, k, si, sn, sp, c, ss, ci, e, ord)
),
heads AS (
  SELECT room_key, last_seq FROM chat_room_heads WHERE room_key = ANY($10::text[]) ORDER BY room_key FOR UPDATE
),
ok AS (
  SELECT count(*) = cardinality($10::text[]) AS ok FROM heads
),${
    deduped
      ? `
dup AS (
  SELECT m.room_key, m.seq, m.kind, m.sender_id, m.sender_name, m.speaker, m.content, m.session_id, m.client_id, m.event, m.created_at, v.ord
    FROM v JOIN chat_messages m ON m.room_key = v.r AND m.sender_id = v.si AND m.client_id = v.ci AND m.client_id IS NOT NULL
   WHERE v.ord = ANY($12::bigint[])
),`
      : ''
  }
fresh AS (
  SELECT v.*, h.last_seq + row_number() OVER (PARTITION BY v.r ORDER BY v.ord) AS seq
    FROM v JOIN heads h ON h.room_key = v.r
   WHERE (SELECT ok FROM ok)${deduped ? ' AND NOT EXISTS (SELECT 1 FROM dup d WHERE d.ord = v.ord)' : ''}
),
ins AS (
  INSERT INTO chat_messages (${MESSAGE_COLUMNS})
  SELECT r, seq, k, si, sn, sp, c, ss, ci, e, $11::timestamptz FROM fresh
),
moved AS (
  UPDATE chat_room_heads h SET last_seq = f.last, last_activity = $11::timestamptz
    FROM (SELECT r, max(seq) AS last FROM fresh GROUP BY r) f WHERE h.room_key = f.r
),
counted AS (
  SELECT ss AS id, count(*)::int AS n FROM fresh WHERE k = 'chat' AND ss IS NOT NULL GROUP BY ss
),
slocked AS (
  SELECT s.id FROM chat_couple_sessions s WHERE s.id IN (SELECT id FROM counted) ORDER BY s.id FOR UPDATE
),
turned AS (
  UPDATE chat_couple_sessions s
     SET turns = s.turns + c.n, turns_since_check = s.turns_since_check + c.n, last_message_at = $11::timestamptz
    FROM counted c JOIN slocked l ON l.id = c.id
   WHERE s.id = c.id AND s.ended_at IS NULL
  RETURNING s.id, s.turns, s.turns_since_check, s.awaiting_response
)
SELECT (SELECT ok FROM ok) AS ok,
       (SELECT array_agg(ord ORDER BY ord) FROM fresh) AS ords,
       (SELECT array_agg(seq ORDER BY ord) FROM fresh) AS seqs,
       ${deduped ? '(SELECT json_agg(dup) FROM dup)' : 'NULL::json'} AS dups,
       (SELECT json_agg(turned) FROM turned) AS turns`;
}

const WRITE_SQL = writeSql(false);
const WRITE_DEDUPED_SQL = writeSql(true);

/** A unique violation on (room, sender, clientId): another writer stored that message meanwhile. */
function isClientIdRace(err: unknown): boolean {
  const driverError: unknown = err instanceof QueryFailedError ? err.driverError : err;
  if (typeof driverError !== 'object' || driverError === null) return false;
  const e = driverError as { code?: unknown; constraint?: unknown };
  return e.code === '23505' && e.constraint === 'chat_messages_client_idx';
}

/** SQLSTATE class 22 (data exception: bad encoding, out of range…) or a check violation: the data, not the database. */
function isDataError(err: unknown): boolean {
  const driverError: unknown = err instanceof QueryFailedError ? err.driverError : err;
  const code = typeof driverError === 'object' && driverError !== null ? (driverError as { code?: unknown }).code : undefined;
  return typeof code === 'string' && (code.startsWith('22') || code === '23514');
}

const dedupeKey = (room: string, sender: string | null, client: string | null) => `${room}\u0000${sender ?? ''}\u0000${client ?? ''}`;

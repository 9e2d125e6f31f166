import { Inject, Injectable, Logger } from '@nestjs/common';
import { AppError, type StoredMessage } from '@squirret/contracts';
import type { DataSource, EntityManager } from 'typeorm';
import { CHAT_CLOCK, CHAT_DATA_SOURCE, type Clock } from '../chat.tokens';
import { MESSAGE_COLUMNS, toStoredMessage, type AppendResult, type MessageRow, type NewMessage, type SessionTurns } from './stored-message';

interface PendingGroup {
  readonly messages: readonly NewMessage[];
  resolve(results: AppendResult[]): void;
  reject(err: unknown): void;
}

/** Most messages written by one transaction. */
const MAX_BATCH = 256;
/**
 * Transactions running at once. Correctness does not depend on it (each locks its rooms' heads in
 * order); more than one hides the commit's round trip and fsync, within the pool's connections.
 */
const MAX_IN_FLIGHT = 4;

/**
 * Stores messages with group commit: appends that arrive while transactions are in flight are
 * written together by the next one, so throughput grows with load instead of one round trip per
 * message. Each room's sequence is taken under a row lock on its head, in room-key order (no
 * deadlock between instances), so a message with id N commits only after N-1 did: a gap in what
 * an instance has seen is always readable from PostgreSQL. A couple member's line (`chat` with a
 * session) also counts a turn of its session in the same transaction: one statement per batch
 * rather than one contended row update per message.
 */
@Injectable()
export class MessageWriter {
  private readonly logger = new Logger('chat-writer');
  private pending: PendingGroup[] = [];
  private inFlight = 0;

  constructor(
    @Inject(CHAT_DATA_SOURCE) private readonly ds: DataSource,
    @Inject(CHAT_CLOCK) private readonly clock: Clock,
  ) {}

  /** Stores one message; resolves once it is committed. */
  async append(message: NewMessage): Promise<AppendResult> {
    const [result] = await this.appendAll([message]);
    return result!;
  }

  /** Stores several messages in one transaction: all or none (a trainer's spread). */
  appendAll(messages: readonly NewMessage[]): Promise<AppendResult[]> {
    return new Promise((resolve, reject) => {
      this.pending.push({ messages, resolve, reject });
      this.pump();
    });
  }

  /** Starts transactions while there is work and fewer than MAX_IN_FLIGHT are running. */
  private pump(): void {
    while (this.pending.length > 0 && this.inFlight < MAX_IN_FLIGHT) {
      const batch: PendingGroup[] = [];
      let size = 0;
      while (this.pending.length > 0 && (batch.length === 0 || size + this.pending[0]!.messages.length <= MAX_BATCH)) {
        const g = this.pending.shift()!;
        batch.push(g);
        size += g.messages.length;
      }
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
    this.logger.error({ err: String(err) }, 'storing chat messages failed');
    return new AppError('CHAT_STORE_FAILED', 'the message could not be stored; retry with the same clientId');
  }

  private write(messages: readonly NewMessage[]): Promise<AppendResult[]> {
    return this.ds.transaction((tx) => this.writeIn(tx, messages));
  }

  private async writeIn(tx: EntityManager, messages: readonly NewMessage[]): Promise<AppendResult[]> {
    const keys = [...new Set(messages.map((m) => m.roomKey))].sort();
    const heads: { room_key: string; last_seq: string }[] = await tx.query(
      'SELECT room_key, last_seq FROM chat_room_heads WHERE room_key = ANY($1::text[]) ORDER BY room_key FOR UPDATE',
      [keys],
    );
    const last = new Map(heads.map((h) => [h.room_key, Number(h.last_seq)]));
    for (const k of keys) if (!last.has(k)) throw new AppError('ROOM_NOT_FOUND', 'the room no longer exists');

    // Messages already stored under the same (room, sender, clientId): answered, not stored again.
    const withClient = messages.filter((m) => m.clientId !== null && m.senderId !== null);
    const existing = new Map<string, StoredMessage>();
    if (withClient.length > 0) {
      const rows: MessageRow[] = await tx.query(
        `SELECT ${MESSAGE_COLUMNS} FROM chat_messages
          WHERE (room_key, sender_id, client_id) IN (SELECT * FROM unnest($1::text[], $2::text[], $3::text[]))`,
        [withClient.map((m) => m.roomKey), withClient.map((m) => m.senderId), withClient.map((m) => m.clientId)],
      );
      for (const r of rows) existing.set(dedupeKey(r.room_key, r.sender_id, r.client_id), toStoredMessage(r));
    }

    const at = new Date(this.clock.now());
    const results: AppendResult[] = [];
    const fresh: StoredMessage[] = [];
    for (const m of messages) {
      const key = m.clientId !== null && m.senderId !== null ? dedupeKey(m.roomKey, m.senderId, m.clientId) : undefined;
      const seen = key !== undefined ? existing.get(key) : undefined;
      if (seen) {
        results.push({ message: seen, duplicate: true });
        continue;
      }
      const seq = last.get(m.roomKey)! + 1;
      last.set(m.roomKey, seq);
      const stored: StoredMessage = {
        roomKey: m.roomKey,
        id: seq,
        kind: m.kind,
        senderId: m.senderId,
        senderName: m.senderName,
        speaker: m.speaker,
        content: m.content,
        sessionId: m.sessionId,
        clientId: m.clientId,
        event: m.event,
        createdAt: at.toISOString(),
      };
      if (key !== undefined) existing.set(key, stored);
      fresh.push(stored);
      results.push({ message: stored, duplicate: false });
    }
    if (fresh.length === 0) return results;
    await tx.query(
      `INSERT INTO chat_messages (${MESSAGE_COLUMNS})
       SELECT r, s, k, si, sn, sp, c, ss, ci, e, $11::timestamptz
         FROM unnest($1::text[], $2::bigint[], $3::text[], $4::text[], $5::text[], $6::text[], $7::text[], $8::bigint[], $9::text[], $10::text[])
           AS v(r, s, k, si, sn, sp, c, ss, ci, e)`,
      [
        fresh.map((m) => m.roomKey),
        fresh.map((m) => m.id),
        fresh.map((m) => m.kind),
        fresh.map((m) => m.senderId),
        fresh.map((m) => m.senderName),
        fresh.map((m) => m.speaker),
        fresh.map((m) => m.content),
        fresh.map((m) => m.sessionId),
        fresh.map((m) => m.clientId),
        fresh.map((m) => m.event),
        at,
      ],
    );
    const touched = [...new Set(fresh.map((m) => m.roomKey))];
    await tx.query(
      `UPDATE chat_room_heads h SET last_seq = v.s, last_activity = $3
         FROM unnest($1::text[], $2::bigint[]) AS v(r, s) WHERE h.room_key = v.r`,
      [touched, touched.map((k) => last.get(k)!), at],
    );
    const turns = await this.countTurns(tx, fresh, at);
    if (turns.size === 0) return results;
    return results.map((r) => (r.duplicate || r.message.kind !== 'chat' || r.message.sessionId === null ? r : { ...r, turns: turns.get(r.message.sessionId) ?? null }));
  }

  /** Adds each couple session's member lines of this batch to its counters (rows locked in id order). */
  private async countTurns(tx: EntityManager, fresh: readonly StoredMessage[], at: Date): Promise<Map<number, SessionTurns>> {
    const counts = new Map<number, number>();
    for (const m of fresh) if (m.kind === 'chat' && m.sessionId !== null) counts.set(m.sessionId, (counts.get(m.sessionId) ?? 0) + 1);
    const out = new Map<number, SessionTurns>();
    if (counts.size === 0) return out;
    const ids = [...counts.keys()].sort((a, b) => a - b);
    await tx.query('SELECT id FROM chat_couple_sessions WHERE id = ANY($1::bigint[]) ORDER BY id FOR UPDATE', [ids]);
    const raw: unknown = await tx.query(
      `UPDATE chat_couple_sessions s SET turns = s.turns + v.n, turns_since_check = s.turns_since_check + v.n, last_message_at = $3
         FROM unnest($1::bigint[], $2::int[]) AS v(id, n) WHERE s.id = v.id AND s.ended_at IS NULL
       RETURNING s.id, s.turns, s.turns_since_check, s.awaiting_response`,
      [ids, ids.map((id) => counts.get(id)!), at],
    );
    // TypeORM's postgres driver answers UPDATE … RETURNING with [rows, count].
    const rows = (Array.isArray(raw) && raw.length === 2 && Array.isArray(raw[0]) ? raw[0] : raw) as { id: string; turns: number; turns_since_check: number; awaiting_response: boolean }[];
    for (const r of rows) out.set(Number(r.id), { turns: r.turns, turnsSinceCheck: r.turns_since_check, awaitingResponse: r.awaiting_response });
    return out;
  }
}

const dedupeKey = (room: string, sender: string | null, client: string | null) => `${room}\u0000${sender ?? ''}\u0000${client ?? ''}`;

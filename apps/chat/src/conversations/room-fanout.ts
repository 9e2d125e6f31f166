import type { StoredMessage } from '@squirret/contracts';

/** Where the fan-out reads what it did not see live: a resuming client's backlog, or a gap on the bus. */
export interface MessageSource {
  head(roomKey: string): Promise<number>;
  range(roomKey: string, after: number, upTo: number, limit: number): Promise<StoredMessage[]>;
}

/** Turns a stored message into one contract's wire text; shared by every subscriber of that contract, so a message is serialized once per room. */
export type WireFormat = (message: StoredMessage) => string;

/** A presence notice (not stored): someone joined or left the room. */
export interface RoomNotice {
  readonly roomKey: string;
  readonly event: 'join' | 'leave';
  readonly userId: string;
  readonly userName: string | null;
  readonly at: string;
}

/** A local client of a room, as the fan-out sees it. */
export interface RoomSubscriber {
  readonly roomKey: string;
  readonly format: WireFormat;
  /** Id of the newest message this subscriber has been sent; only newer ones are sent. */
  cursor: number;
  deliver(message: StoredMessage, wire: string): void;
  notice(notice: RoomNotice): void;
  /** The room could not be kept in order (storage unreachable): the client should reconnect and resume. */
  abort(reason: string): void;
}

type Work = { readonly kind: 'message'; readonly message: StoredMessage } | { readonly kind: 'join'; readonly sub: RoomSubscriber; readonly after: number | null; readonly done: (err?: unknown) => void };

interface RoomState {
  readonly key: string;
  lastSeq: number;
  initialized: boolean;
  draining: boolean;
  readonly work: Work[];
  readonly subs: Set<RoomSubscriber>;
}

/** Page size when reading a backlog or a gap from storage. */
const PAGE = 500;

/**
 * Per-instance fan-out of every room that has local subscribers. Messages may reach it out of
 * order (two instances commit 5 then 6, but 6's bus event arrives first) or twice (local delivery
 * plus the bus echo): each room keeps the id of the last message it delivered, drops anything at or
 * below it, and reads a gap from storage before going on. A joining client gets what it missed
 * since its last id from storage, inside the same ordered queue, so every client sees every
 * message once, in order. The in-order case is delivered synchronously, with no promise per message.
 */
export class RoomFanout {
  private readonly rooms = new Map<string, RoomState>();
  /** Called once per message delivered to this instance's subscribers (metrics: delivery lag). */
  onDelivered: ((m: StoredMessage) => void) | undefined;

  constructor(
    private readonly source: MessageSource,
    private readonly onError: (roomKey: string, err: unknown) => void = () => undefined,
  ) {}

  /** Adds a subscriber; resolves once it has been sent everything after `after` (null: only what comes next). */
  join(sub: RoomSubscriber, after: number | null): Promise<void> {
    let room = this.rooms.get(sub.roomKey);
    if (!room) {
      room = { key: sub.roomKey, lastSeq: 0, initialized: false, draining: false, work: [], subs: new Set() };
      this.rooms.set(sub.roomKey, room);
    }
    const r = room;
    return new Promise((resolve, reject) => {
      this.enqueue(r, { kind: 'join', sub, after, done: (err) => (err === undefined ? resolve() : reject(err)) });
    });
  }

  leave(sub: RoomSubscriber): void {
    const room = this.rooms.get(sub.roomKey);
    if (!room) return;
    room.subs.delete(sub);
    this.dropIfIdle(room);
  }

  /** A stored message, from this instance or from the bus. */
  accept(message: StoredMessage): void {
    const room = this.rooms.get(message.roomKey);
    if (room) this.enqueue(room, { kind: 'message', message });
  }

  /** A presence notice for a room's local subscribers, except `skip` (the one it is about). */
  notice(notice: RoomNotice, skip?: RoomSubscriber): void {
    for (const s of this.rooms.get(notice.roomKey)?.subs ?? []) if (s !== skip) s.notice(notice);
  }

  /** Rooms with local subscribers, and how many (metrics, the mediator's idle sweep). */
  localRooms(): string[] {
    return [...this.rooms.values()].filter((r) => r.subs.size > 0).map((r) => r.key);
  }

  subscribers(roomKey: string): number {
    return this.rooms.get(roomKey)?.subs.size ?? 0;
  }

  private enqueue(room: RoomState, work: Work): void {
    room.work.push(work);
    if (!room.draining) void this.drain(room);
  }

  private async drain(room: RoomState): Promise<void> {
    room.draining = true;
    try {
      while (room.work.length > 0) {
        const w = room.work.shift()!;
        try {
          const pending = this.step(room, w);
          if (pending) await pending;
          // Resolved from here, so the queue is idle again by the time the joiner's code runs.
          if (w.kind === 'join') w.done();
        } catch (err) {
          if (w.kind === 'join') w.done(err);
          else this.fail(room, err);
        }
      }
    } finally {
      room.draining = false;
      this.dropIfIdle(room);
    }
  }

  /** Runs one piece of work; returns a promise only when storage has to be read. */
  private step(room: RoomState, w: Work): Promise<void> | undefined {
    if (w.kind === 'join') return this.admit(room, w.sub, w.after);
    const m = w.message;
    if (!room.initialized || m.id <= room.lastSeq) return undefined;
    if (m.id === room.lastSeq + 1) {
      this.deliverAll(room, m);
      return undefined;
    }
    return this.fillGap(room, m);
  }

  private async admit(room: RoomState, sub: RoomSubscriber, after: number | null): Promise<void> {
    if (!room.initialized) {
      room.lastSeq = await this.source.head(room.key);
      room.initialized = true;
    }
    let from = after ?? room.lastSeq;
    if (from > room.lastSeq) {
      // The client has seen more than this instance so far (its bus is behind): newer messages still come.
      sub.cursor = from;
    } else {
      sub.cursor = from;
      while (from < room.lastSeq) {
        const backlog = await this.source.range(room.key, from, room.lastSeq, PAGE);
        if (backlog.length === 0) break;
        for (const m of backlog) this.deliverOne(sub, m, sub.format(m));
        from = backlog[backlog.length - 1]!.id;
      }
      sub.cursor = Math.max(sub.cursor, room.lastSeq);
    }
    room.subs.add(sub);
  }

  private async fillGap(room: RoomState, m: StoredMessage): Promise<void> {
    while (room.lastSeq < m.id - 1) {
      const missing = await this.source.range(room.key, room.lastSeq, m.id - 1, PAGE);
      if (missing.length === 0) throw new Error(`messages ${room.lastSeq + 1}..${m.id - 1} of ${room.key} are not readable`);
      for (const x of missing) if (x.id === room.lastSeq + 1) this.deliverAll(room, x);
    }
    this.deliverAll(room, m);
  }

  private deliverAll(room: RoomState, m: StoredMessage): void {
    room.lastSeq = m.id;
    if (room.subs.size > 0) this.onDelivered?.(m);
    // Serialize once per wire format (all subscribers of a room usually share one).
    let lastFormat: WireFormat | undefined;
    let wire = '';
    for (const s of room.subs) {
      if (s.format !== lastFormat) {
        lastFormat = s.format;
        wire = s.format(m);
      }
      this.deliverOne(s, m, wire);
    }
  }

  private deliverOne(s: RoomSubscriber, m: StoredMessage, wire: string): void {
    if (m.id <= s.cursor) return;
    s.cursor = m.id;
    s.deliver(m, wire);
  }

  /** Storage failed while keeping order: the room's clients reconnect and resume rather than miss messages. */
  private fail(room: RoomState, err: unknown): void {
    this.onError(room.key, err);
    for (const s of [...room.subs]) s.abort('room could not be kept in order; reconnect and resume');
    room.subs.clear();
    room.initialized = false;
  }

  private dropIfIdle(room: RoomState): void {
    if (room.subs.size === 0 && room.work.length === 0 && !room.draining && this.rooms.get(room.key) === room) this.rooms.delete(room.key);
  }
}

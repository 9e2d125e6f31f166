import { randomUUID } from 'node:crypto';
import { Inject, Injectable, Logger, type OnApplicationShutdown, type OnModuleInit } from '@nestjs/common';
import type { Bus, Unsubscribe } from '@squirret/bus';
import type { ChatRoomEvent, StoredMessage } from '@squirret/contracts';
import { CHAT_BUS } from '../chat.tokens';
import { MessagesRepository } from './messages.repository';
import { RoomFanout, type RoomNotice, type RoomSubscriber } from './room-fanout';

/**
 * Connects this instance's fan-out to the others through the bus (`chat.room`): a stored message
 * is delivered here at once and published for the rest; events from other instances are fed to
 * the fan-out, which orders and de-duplicates them. With the in-memory bus (one process) the
 * echo of our own events is ignored by origin.
 */
@Injectable()
export class RoomRelay implements OnModuleInit, OnApplicationShutdown {
  private readonly logger = new Logger('chat-relay');
  readonly instanceId = randomUUID();
  readonly fanout: RoomFanout;
  private off: Unsubscribe | undefined;

  constructor(
    @Inject(CHAT_BUS) private readonly bus: Bus,
    messages: MessagesRepository,
  ) {
    this.fanout = new RoomFanout(messages, (roomKey, err) => this.logger.error({ roomKey, err: String(err) }, 'room fan-out failed; its clients were asked to resume'));
  }

  async onModuleInit(): Promise<void> {
    this.off = await this.bus.subscribe('chat.room', (e) => this.onEvent(e));
  }

  async onApplicationShutdown(): Promise<void> {
    await this.off?.();
  }

  /** Delivers stored messages to local subscribers now and to other instances through the bus. */
  publish(messages: readonly StoredMessage[]): void {
    for (const m of messages) {
      this.fanout.accept(m);
      this.bus.publish('chat.room', { kind: 'message', origin: this.instanceId, message: m }).catch((err: unknown) =>
        // Other instances catch up from PostgreSQL on the room's next message.
        this.logger.warn({ roomKey: m.roomKey, err: String(err) }, 'could not publish a chat message on the bus'),
      );
    }
  }

  /** A presence notice for the room's other clients, here and elsewhere. */
  notice(notice: RoomNotice, from?: RoomSubscriber): void {
    this.fanout.notice(notice, from);
    this.bus
      .publish('chat.room', { kind: 'notice', origin: this.instanceId, ...notice })
      .catch((err: unknown) => this.logger.warn({ roomKey: notice.roomKey, err: String(err) }, 'could not publish a presence notice'));
  }

  private onEvent(e: ChatRoomEvent): void {
    if (e.origin === this.instanceId) return;
    if (e.kind === 'message') this.fanout.accept(e.message);
    else this.fanout.notice({ roomKey: e.roomKey, event: e.event, userId: e.userId, userName: e.userName, at: e.at });
  }
}

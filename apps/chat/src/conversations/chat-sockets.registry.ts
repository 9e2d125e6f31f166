import { Inject, Injectable, type BeforeApplicationShutdown, type OnModuleInit } from '@nestjs/common';
import { CLOSE_CODES } from '@squirret/contracts';
import { CHAT_CLOCK, CHAT_CONFIG, type Clock } from '../chat.tokens';
import type { ChatConfig } from '../config/chat.config';
import type { ChatSocket } from './chat-socket';

/**
 * Every open chat socket of this instance, swept by one timer (not one per socket, which keeps an
 * idle connection small): one whose token expired is closed (4001) so the client reconnects with
 * a fresh one and resumes. (Dead peers are found by the realtime layer's pings: 4010.)
 */
@Injectable()
export class ChatSocketsRegistry implements OnModuleInit, BeforeApplicationShutdown {
  private readonly sockets = new Set<ChatSocket>();
  private timer: NodeJS.Timeout | undefined;

  constructor(
    @Inject(CHAT_CONFIG) private readonly config: ChatConfig,
    @Inject(CHAT_CLOCK) private readonly clock: Clock,
  ) {}

  onModuleInit(): void {
    this.timer = setInterval(() => this.sweep(), this.config.CHAT_PING_MS);
    this.timer.unref();
  }

  /** The realtime layer drains the sockets; this only stops the sweep. */
  beforeApplicationShutdown(): void {
    if (this.timer) clearInterval(this.timer);
  }

  add(s: ChatSocket): void {
    this.sockets.add(s);
  }

  remove(s: ChatSocket): void {
    this.sockets.delete(s);
  }

  get size(): number {
    return this.sockets.size;
  }

  private sweep(): void {
    const nowSec = this.clock.now() / 1000;
    for (const s of [...this.sockets]) {
      if (s.identity.expiresAt <= nowSec) s.close(CLOSE_CODES.TOKEN_EXPIRED, 'token expired; reconnect with a fresh token');
    }
  }
}

import { Inject, Module, type DynamicModule, type OnModuleInit } from '@nestjs/common';
import type { Bus } from '@squirret/bus';
import { HealthRegistry } from '@squirret/server-kit';
import type { DataSource } from 'typeorm';
import { CHAT_BUS, CHAT_CLOCK, CHAT_CONFIG, CHAT_DATA_SOURCE, systemClock, type Clock } from './chat.tokens';
import type { ChatConfig } from './config/chat.config';
import { ClientEventsRepository } from './session-channel/client-events.repository';
import { SessionChannelGateway } from './session-channel/session-channel.gateway';
import { SessionChannelService } from './session-channel/session-channel.service';

/** The chat service's I/O, built by its runtime (standalone) or by the all-in-one process. */
export interface ChatDeps {
  readonly config: ChatConfig;
  readonly bus: Bus;
  readonly dataSource: DataSource;
  readonly clock?: Clock;
}

class ChatHealth implements OnModuleInit {
  constructor(
    private readonly health: HealthRegistry,
    @Inject(CHAT_BUS) private readonly bus: Bus,
    @Inject(CHAT_DATA_SOURCE) private readonly ds: DataSource,
  ) {}

  onModuleInit(): void {
    this.health.register('chat.bus', () => this.bus.ping());
    this.health.register('chat.database', async () => {
      await this.ds.query('SELECT 1');
    });
  }
}

/** The chat service: the app's STOMP session channel (rooms come with their own issue). */
@Module({})
export class ChatModule {
  static forRoot(deps: ChatDeps): DynamicModule {
    return {
      module: ChatModule,
      providers: [
        { provide: CHAT_CONFIG, useValue: deps.config },
        { provide: CHAT_BUS, useValue: deps.bus },
        { provide: CHAT_DATA_SOURCE, useValue: deps.dataSource },
        { provide: CHAT_CLOCK, useValue: deps.clock ?? systemClock },
        ClientEventsRepository,
        SessionChannelService,
        SessionChannelGateway,
        ChatHealth,
      ],
      exports: [SessionChannelService, ClientEventsRepository],
    };
  }
}

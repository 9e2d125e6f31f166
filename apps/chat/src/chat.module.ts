import { Inject, Module, type DynamicModule, type OnModuleInit } from '@nestjs/common';
import type { Bus } from '@squirret/bus';
import { HealthRegistry } from '@squirret/server-kit';
import type { ChatConfig } from './config/chat.config';

const CHAT_BUS = Symbol('CHAT_BUS');
const CHAT_CONFIG = Symbol('CHAT_CONFIG');

/** The chat service's I/O, built by its own main or by the all-in-one process. */
export interface ChatDeps {
  readonly config: ChatConfig;
  readonly bus: Bus;
}

class ChatHealth implements OnModuleInit {
  constructor(
    private readonly health: HealthRegistry,
    @Inject(CHAT_BUS) private readonly bus: Bus,
  ) {}

  onModuleInit(): void {
    this.health.register('chat.bus', () => this.bus.ping());
  }
}

/** The chat service. In this version: health only; its endpoints come with their own issue. */
@Module({})
export class ChatModule {
  static forRoot(deps: ChatDeps): DynamicModule {
    return {
      module: ChatModule,
      providers: [{ provide: CHAT_CONFIG, useValue: deps.config }, { provide: CHAT_BUS, useValue: deps.bus }, ChatHealth],
    };
  }
}

import { Module, type DynamicModule } from '@nestjs/common';
import type { Bus } from '@squirret/bus';
import { DependencyHealth, type RateLimiter } from '@squirret/server-kit';
import type { DataSource } from 'typeorm';
import { ChatAdminController } from './admin/chat-admin.controller';
import { ChatAdminService } from './admin/chat-admin.service';
import type { ChatAssistant } from './assistant/chat-assistant';
import { MediatorService } from './assistant/mediator.service';
import { RuleBasedMediator } from './assistant/rule-based-mediator';
import { CHAT_ASSISTANT, CHAT_BUS, CHAT_CLOCK, CHAT_CONFIG, CHAT_DATA_SOURCE, CHAT_MESSAGE_LIMITER, systemClock, type Clock } from './chat.tokens';
import type { ChatConfig } from './config/chat.config';
import { ChatSocketsRegistry } from './conversations/chat-sockets.registry';
import { MessageLimits } from './conversations/message-limits';
import { MessageWriter } from './conversations/message-writer';
import { ChatMetrics } from './chat.metrics';
import { MessagesRepository } from './conversations/messages.repository';
import { RoomRelay } from './conversations/room-relay.service';
import { DemoDataSeeder } from './distributor/demo-data';
import { DistributorChatGateway } from './distributor/distributor-chat.gateway';
import { DistributorChatService } from './distributor/distributor-chat.service';
import { DistributorPagesController } from './distributor/distributor-pages.controller';
import { DistributorService } from './distributor/distributor.service';
import { PtRepository } from './distributor/pt.repository';
import { CoupleChatGateway } from './rooms/couple-chat.gateway';
import { CoupleChatService } from './rooms/couple-chat.service';
import { CoupleRoomsController } from './rooms/couple-rooms.controller';
import { CoupleRoomsRepository } from './rooms/couple-rooms.repository';
import { CoupleRoomsService } from './rooms/couple-rooms.service';
import { CoupleSessionsRepository } from './rooms/couple-sessions.repository';
import { ChatCors } from './spring-auth/chat-cors';
import { SpringAuthGuard } from './spring-auth/spring-auth.guard';
import { SpringAuthService } from './spring-auth/spring-auth.service';
import { ClientEventsRepository } from './session-channel/client-events.repository';
import { SessionChannelGateway } from './session-channel/session-channel.gateway';
import { SessionChannelService } from './session-channel/session-channel.service';

/** The chat service's I/O, built by its runtime (standalone) or by the all-in-one process. */
export interface ChatDeps {
  readonly config: ChatConfig;
  readonly bus: Bus;
  readonly dataSource: DataSource;
  /** The per-user message rate limiter (built by the runtime on the process's Redis, if any). */
  readonly messageRateLimiter: RateLimiter;
  readonly clock?: Clock;
  /** The couple chat's AI participant; default: the rule-based mediator from config. */
  readonly assistant?: ChatAssistant;
}

/** The assistant the config describes when none is given: the rule-based mediator, or one that never speaks. */
function defaultAssistant(c: ChatConfig): ChatAssistant {
  const turns = c.CHAT_MEDIATOR_ENABLED ? c.CHAT_MEDIATOR_TURNS : Number.MAX_SAFE_INTEGER;
  const mediator = new RuleBasedMediator({ turns, heatedWords: c.CHAT_MEDIATOR_ENABLED ? c.CHAT_MEDIATOR_HEATED_WORDS : [] });
  return c.CHAT_MEDIATOR_ENABLED ? mediator : { onMessage: () => [], onIdle: () => [], onContinue: () => [], summarize: (v, t) => mediator.summarize(v, t) };
}


/** The chat service: the app's STOMP session channel, the couple chat (docs/contracts/couple-chat.md) and the trainer-member chat (docs/contracts/distributor-chat.md). */
@Module({})
export class ChatModule {
  static forRoot(deps: ChatDeps): DynamicModule {
    return {
      module: ChatModule,
      controllers: [CoupleRoomsController, DistributorPagesController, ChatAdminController],
      providers: [
        { provide: CHAT_CONFIG, useValue: deps.config },
        { provide: CHAT_BUS, useValue: deps.bus },
        { provide: CHAT_DATA_SOURCE, useValue: deps.dataSource },
        { provide: CHAT_CLOCK, useValue: deps.clock ?? systemClock },
        { provide: CHAT_MESSAGE_LIMITER, useValue: deps.messageRateLimiter },
        ClientEventsRepository,
        SessionChannelService,
        SessionChannelGateway,
        DependencyHealth.provider('chat', { database: CHAT_DATA_SOURCE, bus: CHAT_BUS }),
        // chat rooms (docs/chat-rooms.md)
        { provide: CHAT_ASSISTANT, useValue: deps.assistant ?? defaultAssistant(deps.config) },
        SpringAuthService,
        SpringAuthGuard,
        ChatCors,
        MessagesRepository,
        MessageWriter,
        MessageLimits,
        RoomRelay,
        ChatMetrics,
        ChatSocketsRegistry,
        CoupleRoomsRepository,
        CoupleSessionsRepository,
        CoupleRoomsService,
        MediatorService,
        CoupleChatService,
        CoupleChatGateway,
        PtRepository,
        ChatAdminService,
        DistributorService,
        DistributorChatService,
        DistributorChatGateway,
        DemoDataSeeder,
      ],
      exports: [SessionChannelService, ClientEventsRepository],
    };
  }
}

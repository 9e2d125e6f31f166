export * from './config/chat.config';
export * from './chat.module';
export * from './runtime';
export * from './session-channel/session-channel.service';
export * from './assistant/chat-assistant';
export * from './assistant/rule-based-mediator';
export * from './distributor/demo-data';
export * from './spring-auth/spring-token.verifier';

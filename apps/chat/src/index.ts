export * from './config/chat.config';
export * from './chat.module';
export * from './runtime';
export * from './session-channel/session-channel.service';

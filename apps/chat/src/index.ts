export * from './config/chat.config';
export * from './chat.module';

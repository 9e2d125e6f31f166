import { Inject, Logger } from '@nestjs/common';
import { JwtError, SessionTokenVerifier } from '@squirret/auth';
import type { SessionTokenClaims } from '@squirret/contracts';
import { RealtimeGateway, type Admission, type RealtimeGatewayHooks, type RealtimeServer, type RealtimeSocket } from '@squirret/server-kit';
import { selectSubprotocol } from '@squirret/stomp';
import { CHAT_CONFIG } from '../chat.tokens';
import type { ChatConfig } from '../config/chat.config';
import { SessionChannelService } from './session-channel.service';
import { StompConnection, type ConnectionIdentity } from './stomp-connection';

const DEVICE_ID = /^[A-Za-z0-9._:-]{1,64}$/;

/**
 * `/ws?token=<wsToken>`: the app's STOMP 1.2 session channel on the realtime layer. The token
 * (guest or user, from the control plane) is checked before the upgrade; a bad, expired or missing
 * one gets 401 and is never logged. The subprotocol is echoed only when the client asked for one.
 * STOMP has its own heart-beats, so the layer sends no pings here.
 */
@RealtimeGateway('stomp', /^\/ws$/)
export class SessionChannelGateway implements RealtimeGatewayHooks<ConnectionIdentity> {
  private readonly logger = new Logger('session-channel');
  private readonly tokens: SessionTokenVerifier;

  constructor(
    private readonly channel: SessionChannelService,
    @Inject(CHAT_CONFIG) private readonly config: ChatConfig,
  ) {
    this.tokens = new SessionTokenVerifier(config.SESSION_TOKEN_SECRET, config.TOKEN_CLOCK_SKEW_SEC);
  }

  afterInit(server: RealtimeServer<ConnectionIdentity>): void {
    server.configure({
      maxPayload: this.config.CHAT_STOMP_MAX_FRAME_BYTES,
      maxBufferedBytes: this.config.WS_MAX_BUFFERED_BYTES,
      pingMs: 0,
      handleProtocols: (protocols) => selectSubprotocol(protocols) ?? false,
      authenticate: (_req, { query }) => this.admit(query),
    });
  }

  handleConnection(socket: RealtimeSocket<ConnectionIdentity>): void {
    new StompConnection(
      socket,
      socket.context,
      {
        heartbeat: { canSend: this.config.CHAT_STOMP_HEARTBEAT_SEND_MS, wantReceive: this.config.CHAT_STOMP_HEARTBEAT_RECEIVE_MS },
        connectTimeoutMs: this.config.CHAT_STOMP_CONNECT_TIMEOUT_MS,
        maxFrameBytes: this.config.CHAT_STOMP_MAX_FRAME_BYTES,
        serverName: 'squirret/0.1',
      },
      this.channel,
    );
  }

  private admit(query: URLSearchParams): Admission<ConnectionIdentity> {
    const identity = this.authenticate(query);
    if (typeof identity !== 'string') return { accept: identity };
    this.logger.warn({ reason: identity }, 'STOMP handshake refused');
    return { refuse: 'UNAUTHORIZED', message: 'a valid session token is required (?token=)', path: '/ws' };
  }

  /** The connection's identity, or why the token was refused (safe to log: never the token). */
  private authenticate(query: URLSearchParams): ConnectionIdentity | string {
    const token = query.get('token');
    if (!token) return 'missing token';
    let claims: SessionTokenClaims;
    try {
      claims = this.tokens.verify(token);
    } catch (err) {
      return err instanceof JwtError ? err.reason : 'invalid token';
    }
    if (claims.role !== 'guest' && claims.role !== 'user') return 'unknown role';
    const device = query.get('deviceId');
    return {
      sessionId: claims.sub,
      role: claims.role,
      userId: claims.uid,
      deviceId: device && DEVICE_ID.test(device) ? device : 'default',
    };
  }
}

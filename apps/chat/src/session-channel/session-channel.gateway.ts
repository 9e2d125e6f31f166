import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import { Inject, Injectable, Logger, type OnModuleInit } from '@nestjs/common';
import { JwtError, SessionTokenVerifier } from '@squirret/auth';
import type { SessionTokenClaims } from '@squirret/contracts';
import { WsUpgradeRouter, rejectUpgrade } from '@squirret/server-kit';
import { selectSubprotocol } from '@squirret/stomp';
import { WebSocketServer } from 'ws';
import { CHAT_CONFIG } from '../chat.tokens';
import type { ChatConfig } from '../config/chat.config';
import { SessionChannelService } from './session-channel.service';
import { StompConnection, type ConnectionIdentity } from './stomp-connection';

const DEVICE_ID = /^[A-Za-z0-9._:-]{1,64}$/;

/**
 * `/ws?token=<wsToken>`: the app's STOMP 1.2 session channel. The token (guest or user, from the
 * control plane) is checked before the upgrade; a bad, expired or missing one gets 401 and is
 * never logged. The subprotocol is echoed only when the client asked for one.
 */
@Injectable()
export class SessionChannelGateway implements OnModuleInit {
  private readonly logger = new Logger('session-channel');
  private readonly wss: WebSocketServer;
  private readonly tokens: SessionTokenVerifier;

  constructor(
    private readonly router: WsUpgradeRouter,
    private readonly channel: SessionChannelService,
    @Inject(CHAT_CONFIG) private readonly config: ChatConfig,
  ) {
    this.tokens = new SessionTokenVerifier(config.SESSION_TOKEN_SECRET, config.TOKEN_CLOCK_SKEW_SEC);
    this.wss = new WebSocketServer({
      noServer: true,
      maxPayload: config.STOMP_MAX_FRAME_BYTES,
      perMessageDeflate: false,
      handleProtocols: (protocols) => selectSubprotocol(protocols) ?? false,
    });
  }

  onModuleInit(): void {
    this.router.register('stomp', /^\/ws$/, (req, socket, head, { query }) => this.upgrade(req, socket, head, query));
  }

  private upgrade(req: IncomingMessage, socket: Duplex, head: Buffer, query: URLSearchParams): void {
    const identity = this.authenticate(query);
    if (typeof identity === 'string') {
      this.logger.warn({ reason: identity }, 'STOMP handshake refused');
      rejectUpgrade(socket, 'UNAUTHORIZED', 'a valid session token is required (?token=)', '/ws');
      return;
    }
    this.wss.handleUpgrade(req, socket, head, (ws) => {
      new StompConnection(
        ws,
        identity,
        {
          heartbeat: { canSend: this.config.STOMP_HEARTBEAT_SEND_MS, wantReceive: this.config.STOMP_HEARTBEAT_RECEIVE_MS },
          connectTimeoutMs: this.config.STOMP_CONNECT_TIMEOUT_MS,
          maxFrameBytes: this.config.STOMP_MAX_FRAME_BYTES,
          maxBufferedBytes: this.config.WS_MAX_BUFFERED_BYTES,
          serverName: 'squirret/0.1',
        },
        this.channel,
      );
    });
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

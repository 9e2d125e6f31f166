import { z } from 'zod';
import { CoupleClientMessageSchema, DistributorClientMessageSchema } from './chat-rooms';
import { CLOSE_CODES } from './close-codes';
import { BINARY_FRAME, FrameMessageSchema, AuthMessageSchema, INFERENCE_ERROR_CODES } from './inference';
import { COCO17, FOOT_POINTS, JudgementSchema, POSE_MODELS, SquatStageSchema } from './pose';
import { ClientEventMessageSchema, PingMessageSchema, SESSION_CHANNEL } from './session-channel';

/**
 * The AsyncAPI 3 document of the platform's sockets: the inference frame stream (JSON and binary),
 * the app's STOMP session channel, the two chat-room sockets and the FSR stream. What clients send
 * is the contracts' own zod schemas (converted with zod's JSON Schema output); what the servers send
 * is typed by interfaces here, so their JSON schemas are written below and checked against typed
 * samples of those interfaces in `asyncapi.spec.ts`. Committed as docs/asyncapi.yaml; the spec
 * fails on drift (`npm run asyncapi -w packages/contracts` rewrites it).
 */

type Schema = Record<string, unknown>;

/** A zod schema as the JSON Schema (draft 7, what AsyncAPI's schema format extends) a client must send. */
function fromZod(schema: z.ZodType): Schema {
  const { $schema: _drop, ...rest } = z.toJSONSchema(schema, { target: 'draft-7', io: 'input', unrepresentable: 'any' }) as Schema;
  return rest;
}

const str = (description?: string): Schema => ({ type: 'string', ...(description ? { description } : {}) });
const num = (description?: string): Schema => ({ type: 'number', ...(description ? { description } : {}) });
const int = (description?: string): Schema => ({ type: 'integer', ...(description ? { description } : {}) });
const bool = (description?: string): Schema => ({ type: 'boolean', ...(description ? { description } : {}) });
const konst = (value: string): Schema => ({ type: 'string', const: value });
const nullable = (s: Schema): Schema => ({ oneOf: [s, { type: 'null' }] });
const arr = (items: Schema): Schema => ({ type: 'array', items });
/** An object with exactly these properties; `optional` names the ones that may be absent. */
function obj(properties: Record<string, Schema>, optional: readonly string[] = [], description?: string): Schema {
  return {
    type: 'object',
    ...(description ? { description } : {}),
    properties,
    required: Object.keys(properties).filter((k) => !optional.includes(k)),
    additionalProperties: false,
  };
}

const judgement: Schema = { type: 'string', enum: [...JudgementSchema.options] };
const joints = ['lumbar', 'knee', 'ankle'] as const;
const reason = obj({ joint: { type: 'string', enum: ['lumbar', 'knee', 'ankle', 'depth'] }, code: str(), message: str() });
const keypoint = obj({ name: { type: 'string', enum: [...COCO17] }, x: num('0-1 from the left'), y: num('0-1 from the top'), score: num('0-1') });
const footKeypoint = obj({ name: { type: 'string', enum: [...FOOT_POINTS] }, x: num(), y: num(), score: num() });
const landmark = obj({ x: num(), y: num(), z: num(), visibility: num() });

const fsrFoot = obj({ side: { type: 'string', enum: ['left', 'right'] }, ratio1: num(), ratio2: num(), ratio3: num(), ratio4: num(), ratio5: num(), ratio6: num() });

/** Server → client payloads (interfaces in the contracts), keyed by message name. */
export const ASYNCAPI_SERVER_PAYLOADS = {
  analysis: obj(
    {
      type: konst('analysis'),
      frameNumber: int(),
      lumbar: judgement,
      knee: judgement,
      ankle: judgement,
      score: nullable(num('0-100; null when no joint could be judged')),
      stage: { type: 'string', enum: [...SquatStageSchema.options] },
      reps: int(),
      keypoints: arr(keypoint),
      reasons: arr(reason),
      processingMs: num(),
      inferenceMs: num(),
      dropped: int('frames replaced by a newer one before they were analysed'),
      poseModel: { type: 'string', enum: [...POSE_MODELS] },
      feet: arr(footKeypoint),
      landmarks: arr(landmark),
      confidence: obj(Object.fromEntries(joints.map((j) => [j, nullable(num())]))),
    },
    ['poseModel', 'feet', 'landmarks', 'confidence'],
    'The analysis of one frame.',
  ),
  rep: obj(
    {
      type: konst('rep'),
      index: int(),
      lumbar: judgement,
      knee: judgement,
      ankle: judgement,
      depth: num(),
      depthJudgement: judgement,
      formClass: str(),
      score: num(),
      reasons: arr(reason),
      confidence: obj(Object.fromEntries(joints.map((j) => [j, nullable(num())]))),
    },
    ['confidence'],
    'Sent when a repetition completes.',
  ),
  inferenceError: obj(
    { type: konst('error'), code: { type: 'string', enum: Object.values(INFERENCE_ERROR_CODES) }, message: str(), frameNumber: int() },
    ['frameNumber'],
    'A refused message; the socket stays open (INFERENCE_MAX_CONSECUTIVE_ERRORS in a row close it with 4009).',
  ),
  data: obj(
    {
      type: konst('DATA'),
      payload: obj({
        value: num('left-right balance in [-1, 1]'),
        ts: num('Unix epoch seconds'),
        ai: obj(Object.fromEntries(joints.map((j) => [j, judgement]))),
        hasFsr: bool(),
      }),
    },
    [],
    'Every CHAT_DATA_PUSH_MS (1 s) on the subscribed user queue.',
  ),
  voice: obj({ type: konst('voice'), text: str() }, [], 'A sentence to speak, when the FSR or the AI judged something bad.'),
  pong: obj({ type: konst('PONG'), payload: obj({ ts: nullable(num()), serverTs: num() }) }, [], 'Answer to a PING.'),
  chatAck: obj(
    { type: konst('ack'), clientId: nullable(str()), messageId: int(), duplicate: bool(), spread_rooms: int() },
    ['spread_rooms'],
    'Sent only after the message is stored; `duplicate` when this clientId was already stored.',
  ),
  chatError: obj(
    { type: konst('error'), code: str('from the error table'), message: str(), clientId: nullable(str()), retry_after: num() },
    ['clientId', 'retry_after'],
    'A refused message; the socket stays open.',
  ),
  coupleSession: obj(
    {
      type: konst('session'),
      session_id: int(),
      content: str(),
      room_id: int(),
      topic: nullable(str()),
      user_a_id: nullable(str()),
      user_b_id: nullable(str()),
      started_at: str(),
      participants: arr(obj({ user_id: str(), speaker_type: { type: 'string', enum: ['A', 'B', 'AI'] } })),
      you: obj({ user_id: str(), speaker_type: { type: 'string', enum: ['A', 'B', 'AI'] } }),
      awaiting_response: bool(),
      last_message_id: int(),
    },
    [],
    'First message after connecting: the session, its participants and topic.',
  ),
  coupleMessage: obj(
    {
      type: konst('message'),
      content: str(),
      sender_id: nullable(str()),
      speaker_type: { type: 'string', enum: ['A', 'B', 'AI'] },
      id: int('per-room message id (ack, resume with ?lastMessageId=, history)'),
      room_id: int(),
      session_id: nullable(int()),
      timestamp: str(),
      clientId: str(),
    },
    ['clientId'],
  ),
  coupleSystem: obj({ type: konst('system'), content: str(), id: int(), room_id: int(), session_id: nullable(int()), timestamp: str(), event: nullable(str()) }),
  distributorMessage: obj(
    {
      type: { type: 'string', enum: ['chat', 'spread', 'system'] },
      id: int(),
      content: str(),
      user_id: nullable(str()),
      user_name: nullable(str()),
      sender_role: nullable(str()),
      room_id: str('pt_<id>'),
      timestamp: str(),
      clientId: str(),
    },
    ['clientId'],
  ),
  distributorNotice: obj({ type: konst('system'), event: { type: 'string', enum: ['join', 'leave'] }, content: str(), user_id: str(), user_name: nullable(str()), room_id: str(), timestamp: str() }),
  fsrSnapshot: obj(
    { type: konst('snapshot'), deviceId: str(), left: nullable(fsrFoot), right: nullable(fsrFoot) },
    [],
    'On connect: the latest feet (decodes as the seed’s FSRLatest).',
  ),
  fsrSample: obj(
    {
      type: konst('sample'),
      deviceId: str(),
      at: num('epoch ms'),
      side: { type: 'string', enum: ['left', 'right'] },
      ratio1: num(),
      ratio2: num(),
      ratio3: num(),
      ratio4: num(),
      ratio5: num(),
      ratio6: num(),
    },
    [],
    'Every new sample (decodes as the seed’s FSRFoot).',
  ),
} as const satisfies Record<string, Schema>;


const binaryFrameLayout = [
  `A ${BINARY_FRAME.headerBytes}-byte little-endian header, then the image bytes (JPEG, PNG or WebP):`,
  '',
  '| offset | size | field |',
  '|---|---|---|',
  `| 0 | 4 | magic \`${BINARY_FRAME.magic}\` (0x53 0x51 0x46 0x31) |`,
  '| 4 | 4 | frameNumber, uint32 |',
  '| 8 | 8 | timestamp, float64 epoch milliseconds (0 = the server clock) |',
  `| ${BINARY_FRAME.headerBytes} | … | image bytes |`,
].join('\n');

const closeCodeTable = ['| close code | name |', '|---|---|', ...Object.entries(CLOSE_CODES).sort((a, b) => a[1] - b[1]).map(([name, code]) => `| ${code} | ${name} |`)].join('\n');

type Message = { name: string; title: string; summary?: string; contentType: string; payload: Schema; examples?: { name: string; payload: unknown }[] };
const json = (name: string, title: string, payload: Schema, summary?: string, example?: unknown): Message => ({
  name,
  title,
  ...(summary ? { summary } : {}),
  contentType: 'application/json',
  payload,
  ...(example !== undefined ? { examples: [{ name, payload: example }] } : {}),
});
const ref = (path: string) => ({ $ref: path });

const tokenQuery = (description: string) => ({ ws: { query: obj({ token: str(description) }), bindingVersion: '0.1.0' } });

/** The whole document (JSON-compatible); `asyncApiYaml` is its committed text. */
export function buildAsyncApi(): Record<string, unknown> {
  const S = ASYNCAPI_SERVER_PAYLOADS;
  const messages: Record<string, Message> = {
    frameJson: json('frameJson', 'Frame (JSON base64, the seed’s)', fromZod(FrameMessageSchema), 'timestamp in epoch seconds', {
      type: 'frame',
      frameNumber: 0,
      image_base64: '/9j/4AAQ…',
      timestamp: 1764800000.25,
    }),
    frameBinary: {
      name: 'frameBinary',
      title: 'Frame (binary SQF1)',
      summary: binaryFrameLayout,
      contentType: 'application/octet-stream',
      payload: { type: 'string', format: 'binary', description: binaryFrameLayout },
    },
    auth: json('auth', 'In-band token refresh', fromZod(AuthMessageSchema), 'A fresh inference token before the current one expires (else 4001).'),
    analysis: json('analysis', 'Analysis of one frame', S.analysis),
    rep: json('rep', 'Repetition completed', S.rep),
    inferenceError: json('inferenceError', 'Error', S.inferenceError),
    ping: json('ping', 'PING', fromZod(PingMessageSchema), undefined, { type: 'PING', payload: { ts: 1764800000 } }),
    clientEvent: json('clientEvent', 'CLIENT_EVENT', fromZod(ClientEventMessageSchema), 'Stored and published as client.event.', { type: 'CLIENT_EVENT', payload: { name: 'workout_started', ts: 1764800000 } }),
    data: json('data', 'DATA push', S.data, undefined, { type: 'DATA', payload: { value: 0.123, ts: 1730892345, ai: { lumbar: 'good', knee: 'bad', ankle: 'null' }, hasFsr: true } }),
    voice: json('voice', 'voice push', S.voice, undefined, { type: 'voice', text: '뒷꿈치를 좀 더 누르세요' }),
    pong: json('pong', 'PONG', S.pong),
    coupleClient: json('coupleClient', 'Couple chat: client message', fromZod(CoupleClientMessageSchema), 'message, response (네/아니오 to the mediator’s question) or read receipt', { type: 'message', content: '안녕', clientId: 'c-1' }),
    coupleSession: json('coupleSession', 'Couple chat: session', S.coupleSession),
    coupleMessage: json('coupleMessage', 'Couple chat: message', S.coupleMessage),
    coupleSystem: json('coupleSystem', 'Couple chat: system line', S.coupleSystem),
    distributorClient: json('distributorClient', 'Trainer-member chat: client message', fromZod(DistributorClientMessageSchema), 'chat, spread (trainer to every member room) or read receipt'),
    distributorMessage: json('distributorMessage', 'Trainer-member chat: message', S.distributorMessage),
    distributorNotice: json('distributorNotice', 'Trainer-member chat: join / leave', S.distributorNotice),
    chatAck: json('chatAck', 'Chat: ack', S.chatAck),
    chatError: json('chatError', 'Chat: error', S.chatError),
    fsrSnapshot: json('fsrSnapshot', 'FSR snapshot', S.fsrSnapshot),
    fsrSample: json('fsrSample', 'FSR sample', S.fsrSample),
  };
  const m = (...names: string[]) => Object.fromEntries(names.map((n) => [n, ref(`#/components/messages/${n}`)]));
  const opMessages = (channel: string, ...names: string[]) => names.map((n) => ref(`#/channels/${channel}/messages/${n}`));
  const spring = 'A Spring HS256 token (`?token=`); a refusal closes with 1008, an unknown room with 4004.';
  return {
    asyncapi: '3.0.0',
    info: {
      title: 'Squirret sockets',
      version: '1.0.0',
      description: [
        'The WebSocket protocols of the Squirret platform: the inference frame stream, the app’s STOMP session channel (seed 004 §4), the couple chat (seed 000), the trainer-member chat (seed 003) and the FSR stream (seed 004 §5.3). REST endpoints are in the OpenAPI documents (/openapi.json).',
        '',
        'Every socket closes with a code from one table (packages/contracts close-codes):',
        '',
        closeCodeTable,
      ].join('\n'),
    },
    defaultContentType: 'application/json',
    servers: {
      platform: { host: '127.0.0.1:8080', protocol: 'ws', description: 'The all-in-one process (`npm start`); wss behind TLS in production.' },
      platformStomp: { host: '127.0.0.1:8080', pathname: '/ws', protocol: 'stomp', protocolVersion: '1.2', description: 'STOMP 1.2 (1.1, 1.0) over WebSocket; subprotocol v12.stomp / v11.stomp / v10.stomp echoed only when asked.' },
    },
    channels: {
      inference: {
        address: '/ws/{sessionId}',
        title: 'Inference frame stream',
        description:
          'The `wsUrl` answered by POST /api/session (or …/refresh), with `?token=<wsToken>` (HS256, aud inference-ws, sub = sessionId). One frame is analysed at a time per session; a newer frame waiting replaces the older (dropped). Closes: 1008 token refused, 4001 token expired, 4002 replaced by a newer socket, 4009 too many bad messages, 4010 the previous liveness ping not answered (INFERENCE_WS_PING_MS; the slot is freed), 1009 too big, 1012 node draining (refresh and reconnect), 1013 node full.',
        servers: [ref('#/servers/platform')],
        parameters: { sessionId: { description: 'The inference session id (UUID).' } },
        bindings: tokenQuery('the wsToken from POST /api/session'),
        messages: m('frameJson', 'frameBinary', 'auth', 'analysis', 'rep', 'inferenceError'),
      },
      sessionQueue: {
        address: SESSION_CHANNEL.userQueue,
        title: 'STOMP: the session’s user queue',
        description: 'SUBSCRIBE after CONNECT on `/ws?token=<session token>` (aud session-ws; refused handshakes get 401). Only this connection’s own session’s messages arrive here. MESSAGE frames carry a `timestamp` header (ms).',
        servers: [ref('#/servers/platformStomp')],
        messages: m('data', 'voice', 'pong'),
      },
      sessionApp: {
        address: SESSION_CHANNEL.appDestination,
        title: 'STOMP: app → server',
        description: 'SEND with `content-type:application/json`. Any other destination: ERROR frame and close.',
        servers: [ref('#/servers/platformStomp')],
        messages: m('ping', 'clientEvent'),
      },
      coupleRoom: {
        address: '/api/sessions/ws/{room_id}',
        title: 'Couple chat room (seed 000)',
        description: `${spring} \`?lastMessageId=N\` resumes after N. A message is acked only after it is stored; "아니오" to the mediator ends the session (4003).`,
        servers: [ref('#/servers/platform')],
        parameters: { room_id: { description: 'The couple room id.' } },
        bindings: tokenQuery('a Spring token'),
        messages: m('coupleClient', 'coupleSession', 'coupleMessage', 'coupleSystem', 'chatAck', 'chatError'),
      },
      distributorRoom: {
        address: '/distributor/ws/chat/{room_id}',
        title: 'Trainer-member chat room (seed 003)',
        description: `${spring} A trainer reaches their own members’ rooms, a member their trainer’s.`,
        servers: [ref('#/servers/platform')],
        parameters: { room_id: { description: 'pt_<id>' } },
        bindings: tokenQuery('a Spring token'),
        messages: m('distributorClient', 'distributorMessage', 'distributorNotice', 'chatAck', 'chatError'),
      },
      fsrStream: {
        address: '/ws/fsr-data',
        title: 'FSR stream (plain WebSocket JSON)',
        description: 'Optional `?deviceId=`. A snapshot on connect, then every new sample. Clients send nothing. Slow consumers are closed with 4008.',
        servers: [ref('#/servers/platform')],
        messages: m('fsrSnapshot', 'fsrSample'),
      },
    },
    operations: {
      sendFrames: { action: 'send', channel: ref('#/channels/inference'), title: 'Stream camera frames', messages: opMessages('inference', 'frameJson', 'frameBinary', 'auth') },
      receiveAnalysis: { action: 'receive', channel: ref('#/channels/inference'), title: 'Per-frame analysis and reps', messages: opMessages('inference', 'analysis', 'rep', 'inferenceError') },
      receiveSessionQueue: { action: 'receive', channel: ref('#/channels/sessionQueue'), title: 'DATA, voice and PONG pushes', messages: opMessages('sessionQueue', 'data', 'voice', 'pong') },
      sendSessionMessage: { action: 'send', channel: ref('#/channels/sessionApp'), title: 'PING and CLIENT_EVENT', messages: opMessages('sessionApp', 'ping', 'clientEvent') },
      sendCoupleMessage: { action: 'send', channel: ref('#/channels/coupleRoom'), messages: opMessages('coupleRoom', 'coupleClient') },
      receiveCoupleMessages: { action: 'receive', channel: ref('#/channels/coupleRoom'), messages: opMessages('coupleRoom', 'coupleSession', 'coupleMessage', 'coupleSystem', 'chatAck', 'chatError') },
      sendDistributorMessage: { action: 'send', channel: ref('#/channels/distributorRoom'), messages: opMessages('distributorRoom', 'distributorClient') },
      receiveDistributorMessages: { action: 'receive', channel: ref('#/channels/distributorRoom'), messages: opMessages('distributorRoom', 'distributorMessage', 'distributorNotice', 'chatAck', 'chatError') },
      receiveFsrStream: { action: 'receive', channel: ref('#/channels/fsrStream'), messages: opMessages('fsrStream', 'fsrSnapshot', 'fsrSample') },
    },
    components: {
      messages,
    },
  };
}

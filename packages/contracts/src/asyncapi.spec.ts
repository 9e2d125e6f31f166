import { strict as assert } from 'node:assert';
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { describe, it } from 'node:test';
import { Parser } from '@asyncapi/parser';
import Ajv from 'ajv';
import { parse } from 'yaml';
import { ASYNCAPI_SERVER_PAYLOADS } from './asyncapi';
import { asyncApiYaml } from './asyncapi-text';
import type { ChatAck, ChatSocketError } from './chat-rooms';
import { CLOSE_CODES } from './close-codes';
import type { FsrStreamSample, FsrStreamSnapshot } from './fsr';
import { FrameMessageSchema, encodeBinaryFrame, type AnalysisMessage, type InferenceErrorMessage, type RepMessage } from './inference';
import { AppToServerMessageSchema, type DataPush, type PongPush, type VoicePush } from './session-channel';
import { CoupleClientMessageSchema } from './chat-rooms';

const COMMITTED = resolve(__dirname, '../../../docs/asyncapi.yaml');

// Typed samples of every server message: the compiler checks them against the contracts'
// interfaces, and the schemas in the document (additionalProperties: false) must accept them, so
// a field added to an interface and not to the document fails here.
const foot = { side: 'left' as const, ratio1: 10, ratio2: 10, ratio3: 20, ratio4: 20, ratio5: 20, ratio6: 20 };
const analysis: AnalysisMessage = {
  type: 'analysis',
  frameNumber: 3,
  lumbar: 'good',
  knee: 'bad',
  ankle: 'null',
  score: 67,
  stage: 'descent',
  reps: 1,
  keypoints: [{ name: 'nose', x: 0.5, y: 0.1, score: 0.9 }],
  reasons: [{ joint: 'knee', code: 'KNEE_VALGUS', message: 'knees in' }],
  processingMs: 40,
  inferenceMs: 30,
  dropped: 0,
  poseModel: 'blazepose-lite',
  feet: [{ name: 'left_heel', x: 0.4, y: 0.9, score: 0.8 }],
  landmarks: [{ x: 0.5, y: 0.5, z: 0, visibility: 0.9 }],
  confidence: { lumbar: 0.9, knee: 0.7, ankle: null },
};
const samples: Record<keyof typeof ASYNCAPI_SERVER_PAYLOADS, unknown[]> = {
  analysis: [analysis, { ...analysis, score: null, poseModel: undefined, feet: undefined, landmarks: undefined, confidence: undefined }].map((m) => JSON.parse(JSON.stringify(m))),
  rep: [{ type: 'rep', index: 1, lumbar: 'good', knee: 'good', ankle: 'bad', depth: 0.7, depthJudgement: 'good', formClass: 'heels_lifting', score: 80, reasons: [] } satisfies RepMessage],
  inferenceError: [{ type: 'error', code: 'INVALID_FRAME', message: 'bad', frameNumber: 2 } satisfies InferenceErrorMessage, { type: 'error', code: 'MALFORMED_JSON', message: 'x' } satisfies InferenceErrorMessage],
  data: [{ type: 'DATA', payload: { value: 0.1, ts: 1, ai: { lumbar: 'good', knee: 'bad', ankle: 'null' }, hasFsr: true } } satisfies DataPush],
  voice: [{ type: 'voice', text: '뒷꿈치를 좀 더 누르세요' } satisfies VoicePush],
  pong: [{ type: 'PONG', payload: { ts: null, serverTs: 5 } } satisfies PongPush],
  chatAck: [{ type: 'ack', clientId: 'c1', messageId: 4, duplicate: false } satisfies ChatAck, { type: 'ack', clientId: null, messageId: 5, duplicate: true, spread_rooms: 3 } satisfies ChatAck],
  chatError: [{ type: 'error', code: 'RATE_LIMITED', message: 'slow down', clientId: 'c', retry_after: 2 } satisfies ChatSocketError],
  coupleSession: [],
  coupleMessage: [],
  coupleSystem: [],
  distributorMessage: [],
  distributorNotice: [],
  fsrSnapshot: [{ type: 'snapshot', deviceId: 'default', left: foot, right: null } satisfies FsrStreamSnapshot],
  fsrSample: [{ type: 'sample', deviceId: 'd', at: 1, ...foot } satisfies FsrStreamSample],
};

describe('AsyncAPI document (docs/asyncapi.yaml)', () => {
  it('matches the committed file (run `npm run asyncapi -w packages/contracts` after changing a socket contract)', () => {
    assert.equal(asyncApiYaml(), readFileSync(COMMITTED, 'utf8'));
  });

  it('is a valid AsyncAPI 3 document for the official parser: no errors, no warnings', async () => {
    const { document, diagnostics } = await new Parser().parse(readFileSync(COMMITTED, 'utf8'));
    const serious = diagnostics.filter((d) => d.severity <= 1).map((d) => `${d.code}: ${d.message} at ${d.path.join('.')}`);
    assert.deepEqual(serious, []);
    assert.ok(document, 'parsed');
    const channels = document.channels().all().map((c) => c.address());
    for (const address of ['/ws/{sessionId}', '/user/queue/session', '/app/session.message', '/api/sessions/ws/{room_id}', '/distributor/ws/chat/{room_id}', '/ws/fsr-data']) {
      assert.ok(channels.includes(address), `${address} is documented`);
    }
    assert.equal(document.operations().all().length, 9);
  });

  it('server messages: typed samples of the contracts’ interfaces match the documented schemas', () => {
    const ajv = new Ajv({ strict: false, allErrors: true });
    for (const [name, schema] of Object.entries(ASYNCAPI_SERVER_PAYLOADS)) {
      const validate = ajv.compile(schema);
      const list = samples[name as keyof typeof samples];
      for (const sample of list) assert.ok(validate(sample), `${name}: ${JSON.stringify(validate.errors)}`);
      // a field the interface does not have is refused (the check can fail)
      if (list.length > 0) assert.equal(validate({ ...(list[0] as object), extra: 1 }), false, `${name} refuses extra fields`);
    }
  });

  it('client messages: the documented examples are accepted by the contracts’ zod schemas; the binary layout is the encoder’s', () => {
    const doc = parse(readFileSync(COMMITTED, 'utf8')) as { components: { messages: Record<string, { examples?: { payload: unknown }[]; summary?: string }> }; info: { description: string } };
    const msgs = doc.components.messages;
    assert.ok(FrameMessageSchema.safeParse(msgs.frameJson!.examples![0]!.payload).success);
    assert.ok(AppToServerMessageSchema.safeParse(msgs.ping!.examples![0]!.payload).success);
    assert.ok(AppToServerMessageSchema.safeParse(msgs.clientEvent!.examples![0]!.payload).success);
    assert.ok(CoupleClientMessageSchema.safeParse(msgs.coupleClient!.examples![0]!.payload).success);
    const frame = encodeBinaryFrame(7, 1000, Buffer.from([0xff, 0xd8]));
    assert.equal(frame.subarray(0, 4).toString('ascii'), 'SQF1');
    assert.equal(frame.readUInt32LE(4), 7);
    assert.equal(frame.readDoubleLE(8), 1000);
    assert.match(msgs.frameBinary!.summary!, /\| 0 \| 4 \| magic `SQF1`/);
    for (const [name, code] of Object.entries(CLOSE_CODES)) assert.ok(doc.info.description.includes(`| ${code} | ${name} |`), `close code ${name}`);
  });
});

import { createCipheriv, createDecipheriv, createHash, randomBytes } from 'node:crypto';
import { METADATA_ENCODING_KEY, ValueError, type DataConverter, type Payload, type PayloadCodec } from '@temporalio/common';
import proto from '@temporalio/proto';

/**
 * Everything the coordinator hands Temporal — workflow and update arguments,
 * activity inputs and results, continued state — names debtors, staff and
 * reply addresses. Temporal stores it in its history for as long as the
 * namespace retains it, so each payload is sealed with AES-256-GCM before it
 * leaves the process, and only processes holding the key (the worker, the
 * API, the codec endpoint for authorised users) read it back.
 *
 * The whole payload (its metadata and data, as protobuf) is sealed, so the
 * inner encoding is hidden too. Each sealed payload names the key that sealed
 * it: after a rotation the previous keys still open what they sealed, which
 * may sit in histories for months. Payloads that are not sealed (histories
 * recorded before encryption was turned on) pass through unchanged.
 */
export const ENCRYPTED_ENCODING = 'binary/encrypted';
export const KEY_ID_METADATA = 'encryption-key-id';

const { Payload: PayloadMessage } = proto.temporal.api.common.v1;
const ALGORITHM = 'aes-256-gcm';
const KEY_BYTES = 32;
const IV_BYTES = 12;
const TAG_BYTES = 16;

export interface PayloadKeys {
  /** Base64 (or base64url) of 32 bytes: seals every new payload. */
  current: string;
  /** Earlier keys: they open what they sealed, and seal nothing. */
  previous?: readonly string[];
}

/** 32 bytes from base64 or base64url, or an error that says what is wrong without showing the key. */
export function payloadKeyBytes(encoded: string): Buffer {
  const trimmed = encoded.trim();
  const bytes = /^[A-Za-z0-9+/_-]+={0,2}$/.test(trimmed) ? Buffer.from(trimmed, 'base64') : Buffer.alloc(0);
  if (bytes.length !== KEY_BYTES) throw new Error(`a payload key must be the base64 of ${KEY_BYTES} random bytes (openssl rand -base64 32)`);
  return bytes;
}

/** Eight hex digits derived from the key: names it in every payload without revealing it. */
export function payloadKeyIdOf(key: Buffer): string {
  return createHash('sha256').update('jsc-temporal-payload-key-id\n').update(key).digest('hex').slice(0, 8);
}

const text = (value: string) => new TextEncoder().encode(value);
const textOf = (value: Uint8Array | null | undefined) => (value ? new TextDecoder().decode(value) : undefined);

export function isEncryptedPayload(payload: Payload): boolean {
  return textOf(payload.metadata?.[METADATA_ENCODING_KEY]) === ENCRYPTED_ENCODING;
}

export function keyIdOfPayload(payload: Payload): string | undefined {
  return textOf(payload.metadata?.[KEY_ID_METADATA]);
}

export interface EncryptionCodec extends PayloadCodec {
  /** The id of the key new payloads are sealed with. */
  readonly currentKeyId: string;
}

export function createEncryptionCodec(keys: PayloadKeys): EncryptionCodec {
  const current = payloadKeyBytes(keys.current);
  const currentKeyId = payloadKeyIdOf(current);
  const byId = new Map<string, Buffer>();
  for (const key of [current, ...(keys.previous ?? []).map(payloadKeyBytes)]) {
    const id = payloadKeyIdOf(key);
    if (!byId.has(id)) byId.set(id, key);
  }

  const seal = (payload: Payload): Payload => {
    const iv = randomBytes(IV_BYTES);
    const cipher = createCipheriv(ALGORITHM, current, iv);
    // The key id is authenticated too: a payload relabelled with another key id does not open.
    cipher.setAAD(Buffer.from(currentKeyId));
    const sealed = Buffer.concat([cipher.update(PayloadMessage.encode(payload).finish()), cipher.final()]);
    return {
      metadata: { [METADATA_ENCODING_KEY]: text(ENCRYPTED_ENCODING), [KEY_ID_METADATA]: text(currentKeyId) },
      data: Buffer.concat([iv, sealed, cipher.getAuthTag()]),
    };
  };

  const open = (payload: Payload): Payload => {
    if (!isEncryptedPayload(payload)) return payload;
    const keyId = keyIdOfPayload(payload);
    const key = keyId === undefined ? undefined : byId.get(keyId);
    if (!key) throw new ValueError(`payload sealed with key ${keyId ?? '(none)'}, which is neither TEMPORAL_PAYLOAD_KEY nor in TEMPORAL_PAYLOAD_PREVIOUS_KEYS`);
    const data = payload.data ?? new Uint8Array();
    if (data.length < IV_BYTES + TAG_BYTES) throw new ValueError('sealed payload too short');
    const decipher = createDecipheriv(ALGORITHM, key, data.subarray(0, IV_BYTES));
    decipher.setAAD(Buffer.from(keyId!));
    decipher.setAuthTag(data.subarray(data.length - TAG_BYTES));
    const plain = Buffer.concat([decipher.update(data.subarray(IV_BYTES, data.length - TAG_BYTES)), decipher.final()]);
    const decoded = PayloadMessage.decode(plain);
    return { metadata: decoded.metadata, data: decoded.data };
  };

  return {
    currentKeyId,
    encode: async (payloads) => payloads.map(seal),
    decode: async (payloads) => payloads.map(open),
  };
}

/** For every Temporal client and worker of the coordinator: the default converters, then the codec. */
export function encryptingDataConverter(codec: PayloadCodec): DataConverter {
  return { payloadCodecs: [codec] };
}

import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { DefaultPayloadConverter, type Payload } from '@temporalio/common';
import { createEncryptionCodec, ENCRYPTED_ENCODING, KEY_ID_METADATA, payloadKeyBytes, payloadKeyIdOf } from '../../platform/payload-codec.js';

const newKey = () => randomBytes(32).toString('base64');
const converter = new DefaultPayloadConverter();
const text = (bytes: Uint8Array | null | undefined) => new TextDecoder().decode(bytes ?? new Uint8Array());
const update = { by: '王小明', note: '请回复 reply+abc@sanctions.example', idNumber: '11010519491231002X' };

describe('the payload codec', () => {
  it('seals each payload with AES-256-GCM under the current key, naming the key, and opens it again', async () => {
    const key = newKey();
    const codec = createEncryptionCodec({ current: key });
    const plain = converter.toPayload(update);
    const [sealed] = await codec.encode([plain]);
    expect(text(sealed!.metadata!.encoding)).toBe(ENCRYPTED_ENCODING);
    expect(text(sealed!.metadata![KEY_ID_METADATA])).toBe(payloadKeyIdOf(payloadKeyBytes(key)));
    expect(codec.currentKeyId).toBe(payloadKeyIdOf(payloadKeyBytes(key)));
    const wire = Buffer.from(sealed!.data!).toString('latin1') + JSON.stringify(sealed!.metadata);
    for (const secret of ['王小明', 'reply+abc', '11010519491231002X', 'json/plain']) expect(wire).not.toContain(secret);
    const [opened] = await codec.decode([sealed!]);
    expect(converter.fromPayload(opened!)).toEqual(update);
    expect(text(opened!.metadata!.encoding)).toBe('json/plain');
  });

  it('uses a fresh IV for every payload: the same value never seals to the same bytes', async () => {
    const codec = createEncryptionCodec({ current: newKey() });
    const [a, b] = await codec.encode([converter.toPayload(update), converter.toPayload(update)]);
    expect(Buffer.from(a!.data!).equals(Buffer.from(b!.data!))).toBe(false);
  });

  it('after a rotation, opens what the previous key sealed and seals with the new one', async () => {
    const oldKey = newKey();
    const newer = newKey();
    const [sealedBefore] = await createEncryptionCodec({ current: oldKey }).encode([converter.toPayload(update)]);
    const rotated = createEncryptionCodec({ current: newer, previous: [oldKey] });
    expect(converter.fromPayload((await rotated.decode([sealedBefore!]))[0]!)).toEqual(update);
    const [sealedAfter] = await rotated.encode([converter.toPayload(update)]);
    expect(text(sealedAfter!.metadata![KEY_ID_METADATA])).toBe(payloadKeyIdOf(payloadKeyBytes(newer)));
    // Without the previous key, the old payload does not open, and the error names its key id.
    await expect(createEncryptionCodec({ current: newer }).decode([sealedBefore!])).rejects.toThrow(payloadKeyIdOf(payloadKeyBytes(oldKey)));
  });

  it('passes through payloads that were never sealed (histories recorded before encryption)', async () => {
    const codec = createEncryptionCodec({ current: newKey() });
    const plain: Payload = converter.toPayload(update);
    const [passed] = await codec.decode([plain]);
    expect(passed).toBe(plain);
  });

  it('refuses a payload whose bytes or key id were tampered with', async () => {
    const codec = createEncryptionCodec({ current: newKey() });
    const [sealed] = await codec.encode([converter.toPayload(update)]);
    const flipped = Buffer.from(sealed!.data!);
    flipped[20] = flipped[20]! ^ 1;
    await expect(codec.decode([{ ...sealed!, data: flipped }])).rejects.toThrow();
  });

  it('accepts base64 and base64url keys of 32 bytes only, without showing them', () => {
    const bytes = randomBytes(32);
    expect(payloadKeyBytes(bytes.toString('base64')).equals(bytes)).toBe(true);
    expect(payloadKeyBytes(bytes.toString('base64url')).equals(bytes)).toBe(true);
    expect(() => payloadKeyBytes(randomBytes(16).toString('base64'))).toThrow(/32 random bytes/);
    expect(() => payloadKeyBytes('not a key!')).toThrow(/32 random bytes/);
  });
});

import { createPrivateKey, createPublicKey, randomBytes, sign, verify, type KeyObject } from 'node:crypto';
import canonicalize from 'canonicalize';
import smCrypto, { type KeyPairHex } from 'sm-crypto';

// Uses node:crypto and sm-crypto: the API and activities import this module, never workflow code.

/**
 * Documents exchanged with institutions carry a detached signature: `signature` is the base64 signature over
 * the RFC 8785 (JCS) canonical JSON of the document without its `signature` and `keyId` members, so any party
 * that re-serializes the JSON (other member order, other whitespace) still verifies it; `keyId` names the key.
 */
export const SIGNATURE_ALGORITHMS = ['Ed25519', 'SM2'] as const;
export type SignatureAlgorithm = (typeof SIGNATURE_ALGORITHMS)[number];

export interface VerificationKey {
  alg: SignatureAlgorithm;
  /** Ed25519: base64 of the raw 32-byte key; SM2: base64 of the 65-byte uncompressed point (0x04‖x‖y). */
  publicKey: string;
}

export interface Signer {
  keyId: string;
  alg: SignatureAlgorithm;
  /** Ed25519: base64 of the 32-byte seed; SM2: the private key as 64 hex digits. */
  privateKey: string;
}

export interface SigningKey {
  alg: SignatureAlgorithm;
  privateKey: string;
  publicKey: string;
}

export type SignedDocument<T> = T & { keyId: string; signature: string };

/** What sm-crypto 0.5.8 has beyond what @types/sm-crypto 0.3.4 declares. */
interface Sm2Extras {
  verifyPublicKey(publicKeyHex: string): boolean;
  getPublicKeyFromPrivateKey(privateKeyHex: string): string;
  generateKeyPairHex(bits: number, random: { nextBytes(bytes: number[]): void }): KeyPairHex;
}
const sm2 = smCrypto.sm2 as typeof smCrypto.sm2 & Sm2Extras;

// Fixed DER headers around the raw Ed25519 key bytes (RFC 8410), so raw keys travel as plain base64.
const ED25519_SPKI_PREFIX = Buffer.from('302a300506032b6570032100', 'hex');
const ED25519_PKCS8_PREFIX = Buffer.from('302e020100300506032b657004220420', 'hex');
const ED25519_KEY_BYTES = 32;
const ED25519_SIGNATURE_BYTES = 64;

const SM2_POINT_BYTES = 65;
const SM2_RAW_SIGNATURE_BYTES = 64;
/** GB/T 32918.2: a private key d lies in [1, n − 2]. */
const SM2_ORDER = 0xfffffffeffffffffffffffffffffffff7203df6b21c6052b53bbf40939d54123n;
/** GB/T 32918 and GM/T 0009's default signer id; `hash: true` makes sm-crypto hash Z(id, key) ‖ message with SM3. */
const SM2_DEFAULT_USER_ID = '1234567812345678';

/** The canonical JSON a signature covers: the document without `signature` and `keyId`. */
export function signedContent(document: Record<string, unknown>): string {
  const { signature: _signature, keyId: _keyId, ...content } = document;
  const canonical = canonicalize(content);
  if (canonical === undefined) throw new TypeError('a signed document must be a JSON object');
  return canonical;
}

/** Why `publicKey` is not a usable key for `alg`; null when it is. */
export function publicKeyProblem(alg: SignatureAlgorithm, publicKey: string): string | null {
  const bytes = strictBase64(publicKey);
  if (alg === 'Ed25519') {
    if (!bytes) return 'an Ed25519 public key must be base64 of its raw 32 bytes';
    if (bytes.length !== ED25519_KEY_BYTES) return `an Ed25519 public key has ${ED25519_KEY_BYTES} bytes, this one ${bytes.length}`;
    return ed25519PublicKey(bytes) ? null : 'this Ed25519 public key does not import';
  }
  if (!bytes) return 'an SM2 public key must be base64 of its 65-byte uncompressed point (0x04‖x‖y)';
  if (bytes.length !== SM2_POINT_BYTES || bytes[0] !== 0x04) {
    return `an SM2 public key is the ${SM2_POINT_BYTES}-byte uncompressed point starting with 0x04; this one has ${bytes.length} bytes starting with 0x${(bytes[0] ?? 0).toString(16).padStart(2, '0')}`;
  }
  return sm2.verifyPublicKey(bytes.toString('hex')) ? null : 'this SM2 public key is not a point on the SM2 curve';
}

/**
 * Whether `document.signature` signs the document under `key`. Anything malformed — document, signature or
 * key — is simply not a valid signature: this never throws. Choosing the key by `document.keyId` is the caller's.
 */
export function verifyDocument(document: Record<string, unknown>, key: VerificationKey): boolean {
  try {
    const signature = typeof document.signature === 'string' ? strictBase64(document.signature) : null;
    if (!signature) return false;
    const content = signedContent(document);
    return key.alg === 'Ed25519' ? verifyEd25519(content, signature, key.publicKey) : verifySm2(content, signature, key.publicKey);
  } catch {
    return false;
  }
}

/** The document with `keyId` and a `signature` by `signer` (an existing signature is replaced). */
export function signDocument<T extends Record<string, unknown>>(document: T, signer: Signer): SignedDocument<T> {
  return documentSigner(signer)(document);
}

export type DocumentSigner = <T extends Record<string, unknown>>(document: T) => SignedDocument<T>;

/** `signDocument` with the private key read once: importing a key costs many times what one signature does. */
export function documentSigner({ keyId, alg, privateKey }: Signer): DocumentSigner {
  const signatureOf = alg === 'Ed25519' ? ed25519Signature(privateKey) : sm2Signature(privateKey);
  return (document) => ({ ...document, keyId, signature: signatureOf(signedContent(document)).toString('base64') });
}

function ed25519Signature(seedBase64: string): (content: string) => Buffer {
  const key = ed25519PrivateKey(seedBase64);
  return (content) => sign(null, Buffer.from(content, 'utf8'), key);
}

function sm2Signature(privateKey: string): (content: string) => Buffer {
  const privateKeyHex = sm2PrivateKeyHex(privateKey);
  // Handing sm-crypto the public key spares it a scalar multiplication per signature.
  const options = { hash: true, der: true, userId: SM2_DEFAULT_USER_ID, publicKey: sm2.getPublicKeyFromPrivateKey(privateKeyHex) };
  return (content) => Buffer.from(sm2.doSignature(content, privateKeyHex, options), 'hex');
}

/** The public key, in the format `verifyDocument` takes, of a private key in the format `signDocument` takes. */
export function publicKeyOf(alg: SignatureAlgorithm, privateKey: string): string {
  if (alg === 'Ed25519') {
    const spki = createPublicKey(ed25519PrivateKey(privateKey)).export({ format: 'der', type: 'spki' });
    return spki.subarray(ED25519_SPKI_PREFIX.length).toString('base64');
  }
  return Buffer.from(sm2.getPublicKeyFromPrivateKey(sm2PrivateKeyHex(privateKey)), 'hex').toString('base64');
}

/** A fresh key pair from the operating system's random source. */
export function generateSigningKey(alg: SignatureAlgorithm): SigningKey {
  if (alg === 'Ed25519') {
    const privateKey = randomBytes(ED25519_KEY_BYTES).toString('base64');
    return { alg, privateKey, publicKey: publicKeyOf(alg, privateKey) };
  }
  // sm-crypto's own generator draws from an RC4 stream seeded once; its documented hook takes ours instead.
  const { privateKey, publicKey } = sm2.generateKeyPairHex(256, { nextBytes: fillFromOperatingSystem });
  return { alg, privateKey, publicKey: Buffer.from(publicKey, 'hex').toString('base64') };
}

function fillFromOperatingSystem(bytes: number[]): void {
  const random = randomBytes(bytes.length);
  for (let index = 0; index < bytes.length; index += 1) bytes[index] = random[index]!;
}

function verifyEd25519(content: string, signature: Buffer, publicKeyBase64: string): boolean {
  const raw = strictBase64(publicKeyBase64);
  const key = raw?.length === ED25519_KEY_BYTES ? ed25519PublicKey(raw) : null;
  return key !== null && signature.length === ED25519_SIGNATURE_BYTES && verify(null, Buffer.from(content, 'utf8'), key, signature);
}

/** Signers differ in how they encode (r, s): DER (GB/T 35276, what we make) or the raw 64 bytes r‖s. */
function verifySm2(content: string, signature: Buffer, publicKeyBase64: string): boolean {
  if (publicKeyProblem('SM2', publicKeyBase64) !== null) return false;
  const publicKeyHex = Buffer.from(publicKeyBase64, 'base64').toString('hex');
  const signatureHex = signature.toString('hex');
  const options = { hash: true, userId: SM2_DEFAULT_USER_ID };
  // A DER encoding can be 64 bytes long too (small r and s), so a 64-byte value starting like DER gets both readings.
  if (signature[0] === 0x30 && sm2.doVerifySignature(content, signatureHex, publicKeyHex, { ...options, der: true })) return true;
  return signature.length === SM2_RAW_SIGNATURE_BYTES && sm2.doVerifySignature(content, signatureHex, publicKeyHex, { ...options, der: false });
}

function ed25519PublicKey(raw: Buffer): KeyObject | null {
  try {
    return createPublicKey({ key: Buffer.concat([ED25519_SPKI_PREFIX, raw]), format: 'der', type: 'spki' });
  } catch {
    return null;
  }
}

// Private key errors never quote the key: they may reach logs.
function ed25519PrivateKey(seedBase64: string): KeyObject {
  const seed = strictBase64(seedBase64);
  if (!seed || seed.length !== ED25519_KEY_BYTES) throw new Error('an Ed25519 private key must be base64 of its 32-byte seed');
  return createPrivateKey({ key: Buffer.concat([ED25519_PKCS8_PREFIX, seed]), format: 'der', type: 'pkcs8' });
}

function sm2PrivateKeyHex(privateKey: string): string {
  if (!/^[0-9a-fA-F]{64}$/.test(privateKey)) throw new Error('an SM2 private key must be 64 hex digits');
  const d = BigInt(`0x${privateKey}`);
  if (d < 1n || d > SM2_ORDER - 2n) throw new Error('an SM2 private key must lie between 1 and n − 2');
  return privateKey.toLowerCase();
}

/** Standard padded base64 and nothing else: no whitespace, no URL alphabet, no stray bits in the padding. */
function strictBase64(text: string): Buffer | null {
  if (typeof text !== 'string' || text.length === 0 || text.length % 4 !== 0 || !/^[A-Za-z0-9+/]*={0,2}$/.test(text)) return null;
  const bytes = Buffer.from(text, 'base64');
  return bytes.toString('base64') === text ? bytes : null;
}

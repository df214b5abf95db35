import { createHash, hkdfSync } from 'node:crypto';
import { documentSigner, publicKeyOf, verifyDocument, type DocumentSigner, type SignedDocument } from './signed-documents.js';

/**
 * Each court seals the notices it sends institutions with an Ed25519 key of its own. The key is derived from the
 * signing secret (HKDF-SHA256, the court's code as info), so no private key is ever stored and a new court has a
 * key the moment it first signs. Keys of previous secrets keep verifying what was sealed before a rotation.
 */
export interface CourtKey {
  keyId: string;
  alg: 'Ed25519';
  publicKey: string;
}

export interface PublishedCourtKey extends CourtKey {
  courtCode: string;
  /** False for a previous secret's key: it verifies old notices and signs nothing new. */
  current: boolean;
}

export interface CourtSeals {
  keyFor(courtCode: string): CourtKey;
  sign<T extends Record<string, unknown>>(courtCode: string, document: T): SignedDocument<T>;
  /** Current and previous keys of each court, for institutions to register. */
  publicKeys(courtCodes: string[]): PublishedCourtKey[];
  /** Whether the document bears a valid seal of the court its `keyId` names, by a current or previous key. */
  verify(document: Record<string, unknown>): boolean;
}

const KEY_ID_PREFIX = 'court:';
const FINGERPRINT_HEX_DIGITS = 12;

function deriveKey(secret: string, courtCode: string): CourtKey & { seed: string } {
  const seed = Buffer.from(hkdfSync('sha256', secret, 'court-seal', courtCode, 32)).toString('base64');
  const publicKey = publicKeyOf('Ed25519', seed);
  const fingerprint = createHash('sha256').update(Buffer.from(publicKey, 'base64')).digest('hex').slice(0, FINGERPRINT_HEX_DIGITS);
  return { keyId: `${KEY_ID_PREFIX}${courtCode}:${fingerprint}`, alg: 'Ed25519', publicKey, seed };
}

/** The court a key id names; court codes may themselves hold a colon, the fingerprint never does. */
function courtOfKeyId(keyId: string): string | null {
  if (!keyId.startsWith(KEY_ID_PREFIX)) return null;
  const fingerprintStart = keyId.lastIndexOf(':');
  return fingerprintStart > KEY_ID_PREFIX.length ? keyId.slice(KEY_ID_PREFIX.length, fingerprintStart) : null;
}

const publicPart = ({ keyId, alg, publicKey }: CourtKey): CourtKey => ({ keyId, alg, publicKey });

/** `secret`: the current signing secret; `previousSecrets`: those it replaced, whose seals still verify. */
export function createCourtSeals(secret: string, previousSecrets: string[] = []): CourtSeals {
  if (secret.length === 0) throw new Error('court seals need a non-empty signing secret');
  const secrets = [...new Set([secret, ...previousSecrets.filter((previous) => previous.length > 0)])];
  // Courts this platform signs for: a bounded set, each with its signer ready. Keys looked up only to verify are
  // derived, not remembered, so key ids naming made-up courts cannot grow memory.
  const signingCourts = new Map<string, { keys: CourtKey[]; signer: DocumentSigner }>();

  const keysOf = (courtCode: string): CourtKey[] => secrets.map((each) => publicPart(deriveKey(each, courtCode)));
  const signingCourt = (courtCode: string) => {
    if (typeof courtCode !== 'string' || courtCode.length === 0) throw new Error('a court seal needs the court code');
    let court = signingCourts.get(courtCode);
    if (!court) {
      const derived = secrets.map((each) => deriveKey(each, courtCode));
      const current = derived[0]!;
      court = { keys: derived.map(publicPart), signer: documentSigner({ keyId: current.keyId, alg: 'Ed25519', privateKey: current.seed }) };
      signingCourts.set(courtCode, court);
    }
    return court;
  };

  return {
    keyFor: (courtCode) => publicPart(signingCourt(courtCode).keys[0]!),
    sign: (courtCode, document) => signingCourt(courtCode).signer(document),
    // Asked about, not signed for: derived and forgotten, so a caller naming made-up courts cannot grow memory.
    publicKeys: (courtCodes) =>
      courtCodes.flatMap((courtCode) => (signingCourts.get(courtCode)?.keys ?? keysOf(courtCode)).map((key, index) => ({ courtCode, ...publicPart(key), current: index === 0 }))),
    verify(document) {
      const keyId = document?.keyId;
      if (typeof keyId !== 'string') return false;
      const courtCode = courtOfKeyId(keyId);
      if (courtCode === null) return false;
      const key = (signingCourts.get(courtCode)?.keys ?? keysOf(courtCode)).find((candidate) => candidate.keyId === keyId);
      return key !== undefined && verifyDocument(document, key);
    },
  };
}

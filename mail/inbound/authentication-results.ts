/**
 * Whether a relay we trust authenticated the sender of an inbound message, as
 * it says in its Authentication-Results header (RFC 8601). The listener does
 * not check DKIM itself: the organisation's mail relay does, and names itself
 * in the header by its authserv-id.
 *
 * Anyone can write such a header into a message, naming any authserv-id, so
 * only the headers the trusted relay added count: those at the top of the
 * message, above the relay's own Received header (or between it and the next
 * one, for relays that write Received first). The relay must also remove
 * Authentication-Results headers bearing its id from the mail it receives
 * (RFC 8601 §5), as common relays do.
 */
export interface TraceHeader {
  /** Lower case: `received` or `authentication-results`. */
  name: string;
  value: string;
}

export interface ResultInfo {
  method: string;
  result: string;
  /** `ptype.property` (lower case) → value, e.g. `header.d` → `example.org`. */
  properties: Record<string, string>;
}

export interface AuthenticationResults {
  authservId: string;
  results: ResultInfo[];
}

/** Removes RFC 5322 comments, which may nest and hold anything but are never inside quoted strings. */
function withoutComments(value: string): string {
  let out = '';
  let depth = 0;
  let quoted = false;
  for (let index = 0; index < value.length; index++) {
    const char = value[index]!;
    if (char === '\\' && (quoted || depth > 0)) {
      if (depth === 0) out += char + (value[index + 1] ?? '');
      index++;
    } else if (quoted) {
      out += char;
      if (char === '"') quoted = false;
    } else if (char === '(') depth++;
    else if (char === ')' && depth > 0) depth--;
    else if (depth === 0) {
      if (char === '"') quoted = true;
      out += char;
    }
  }
  return out;
}

/** Splits on `separator` outside quoted strings. */
function splitOutsideQuotes(value: string, separator: RegExp): string[] {
  const parts: string[] = [];
  let current = '';
  let quoted = false;
  for (let index = 0; index < value.length; index++) {
    const char = value[index]!;
    if (char === '\\' && quoted) {
      current += char + (value[index + 1] ?? '');
      index++;
    } else if (char === '"') {
      quoted = !quoted;
      current += char;
    } else if (!quoted && separator.test(char)) {
      parts.push(current);
      current = '';
    } else current += char;
  }
  parts.push(current);
  return parts.map((part) => part.trim()).filter((part) => part !== '');
}

const unquoted = (value: string) => (value.startsWith('"') && value.endsWith('"') && value.length >= 2 ? value.slice(1, -1).replace(/\\(.)/g, '$1') : value);

/** One Authentication-Results header, or null when it is not one. */
export function parseAuthenticationResults(header: string): AuthenticationResults | null {
  const [head, ...resinfos] = splitOutsideQuotes(withoutComments(header.replace(/\r?\n[ \t]+/g, ' ')), /;/);
  const authservId = head?.split(/\s+/)[0];
  if (!authservId) return null;
  const results: ResultInfo[] = [];
  for (const resinfo of resinfos) {
    const [first, ...rest] = splitOutsideQuotes(resinfo.replace(/\s*=\s*/g, '='), /\s/);
    const match = /^([A-Za-z0-9_.-]+)(?:\/\d+)?=([A-Za-z0-9_-]+)$/.exec(first ?? '');
    if (!match) continue; // "none", or a method we cannot read
    const properties: Record<string, string> = {};
    for (const pair of rest) {
      const at = pair.indexOf('=');
      if (at > 0) properties[pair.slice(0, at).toLowerCase()] = unquoted(pair.slice(at + 1));
    }
    results.push({ method: match[1]!.toLowerCase(), result: match[2]!.toLowerCase(), properties });
  }
  return { authservId: unquoted(authservId).toLowerCase(), results };
}

/** The results the trusted relay added: the topmost Authentication-Results headers bearing a trusted authserv-id. */
export function relayResults(trace: readonly TraceHeader[], trustedAuthservIds: readonly string[]): AuthenticationResults[] {
  const trusted = new Set(trustedAuthservIds.map((id) => id.trim().toLowerCase()).filter(Boolean));
  if (trusted.size === 0) return [];
  const found: AuthenticationResults[] = [];
  let received = 0;
  for (const header of trace) {
    if (header.name === 'received') {
      received++;
      // Below the relay's Received header (and the one after it) lies what the sender wrote.
      if (found.length > 0 || received >= 2) break;
    } else if (header.name === 'authentication-results') {
      const parsed = parseAuthenticationResults(header.value);
      if (parsed && trusted.has(parsed.authservId)) found.push(parsed);
    }
  }
  return found;
}

const domainOf = (address: string) => address.slice(address.lastIndexOf('@') + 1).trim().toLowerCase().replace(/\.$/, '');

/** DMARC's relaxed alignment without a public-suffix list: the same domain, or the From domain under the signing domain. */
function aligned(signingDomain: string, fromDomain: string): boolean {
  const signer = signingDomain.trim().toLowerCase().replace(/^@/, '').replace(/\.$/, '');
  if (!signer.includes('.')) return false;
  return fromDomain === signer || fromDomain.endsWith(`.${signer}`);
}

/**
 * True when the trusted relay reports `dmarc=pass` for the From domain, or
 * `dkim=pass` by a signature of the From domain (aligned).
 */
export function senderAuthenticated(trace: readonly TraceHeader[], trustedAuthservIds: readonly string[], from: string | null): boolean {
  if (!from || !from.includes('@')) return false;
  const fromDomain = domainOf(from);
  return relayResults(trace, trustedAuthservIds).some(({ results }) =>
    results.some(({ method, result, properties }) => {
      if (result !== 'pass') return false;
      if (method === 'dmarc') return !properties['header.from'] || domainOf(`@${properties['header.from']}`) === fromDomain;
      if (method === 'dkim') {
        const signer = properties['header.d'] ?? (properties['header.i'] ? domainOf(properties['header.i']) : undefined);
        return signer !== undefined && aligned(signer, fromDomain);
      }
      return false;
    }),
  );
}

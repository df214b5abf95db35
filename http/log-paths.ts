/** The path of a request as logged: no query, no link token. */
export function redactPath(url: string): string {
  return url.split('?')[0]!.replace(/^\/ack\/[^/]+/, '/ack/[token]');
}

import { maxHeaderSize, type Server } from 'node:http';
import type { Socket } from 'node:net';

/** What Node's HTTP parser reports for a request it refuses before Express sees it. */
interface ClientError extends Error {
  code?: string;
}

const statusOf = (error: ClientError): { status: number; title: string; detail: string } => {
  if (error.code === 'HPE_HEADER_OVERFLOW') {
    return { status: 431, title: 'Request header fields too large', detail: `The request line and headers together exceed the server's limit of ${Math.round(maxHeaderSize / 1024)} KB.` };
  }
  if (error.code === 'ERR_HTTP_REQUEST_TIMEOUT') {
    return { status: 408, title: 'Request timeout', detail: 'The request was not received in time.' };
  }
  return { status: 400, title: 'Bad request', detail: 'The request is not valid HTTP/1.1.' };
};

/**
 * Requests Node refuses itself — headers too large, malformed, too slow —
 * are answered as problem+json like every other error, instead of Node's bare
 * status line. The connection is closed after the answer: what follows on it
 * cannot be parsed.
 */
export function answerClientErrorsAsProblems(server: Server): void {
  server.on('clientError', (error: ClientError, socket: Socket) => {
    // A reset connection or one already answered has no one left to tell.
    if (error.code === 'ECONNRESET' || !socket.writable || (socket as Socket & { _httpMessage?: { headersSent?: boolean } })._httpMessage?.headersSent) {
      socket.destroy();
      return;
    }
    const { status, title, detail } = statusOf(error);
    const body = JSON.stringify({ type: 'about:blank', status, title, detail });
    socket.end(
      `HTTP/1.1 ${status} ${title.replace(/\b\w/g, (letter) => letter.toUpperCase())}\r\n` +
        'Content-Type: application/problem+json\r\n' +
        `Content-Length: ${Buffer.byteLength(body)}\r\n` +
        'Connection: close\r\n\r\n' +
        body,
    );
  });
}

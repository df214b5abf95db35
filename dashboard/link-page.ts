import type { Response } from 'express';
import { renderPage } from './render.js';

/** A page opened from an emailed link: never cached, never telling the next site where it came from (the token is in the path). */
export function sendLinkPage(res: Response, status: number, title: string, view: string, data: Record<string, unknown>): void {
  res
    .status(status)
    .set('Cache-Control', 'no-store')
    .set('Referrer-Policy', 'no-referrer')
    .type('html')
    .send(renderPage('ack-layout', { title, body: renderPage(view, { ...data, heading: data.heading ?? title }) }));
}

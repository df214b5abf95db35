import type { Request, Response } from 'express';
import { contextOf } from './context.js';
import { takeFlash } from './flash.js';
import { renderPage } from './render.js';

export interface PageOptions {
  title: string;
  status?: number;
  data?: Record<string, unknown>;
}

/** Sends a view inside the layout, in the request's language, with the signed-in user's header. */
export function sendPage(req: Request, res: Response, view: string, { title, status = 200, data = {} }: PageOptions): void {
  const context = contextOf(res);
  const common = {
    lang: context.locale,
    principal: context.principal,
    csrfToken: context.csrfToken,
    hasMailCatcher: context.hasMailCatcher,
    outage: context.outage,
    path: req.path,
  };
  const flash = req.method === 'GET' && status === 200 ? takeFlash(req, res, context.strings) : null;
  const body = renderPage(view, { ...common, ...data });
  res.status(status).type('html').send(renderPage('layout', { ...common, title, flash, body }));
}

/** An error page: the status, what went wrong in the user's language, and the service's detail if any. */
export function sendErrorPage(req: Request, res: Response, status: number, message: string, detail?: string): void {
  const { strings } = contextOf(res);
  sendPage(req, res, 'error', { title: strings.errors.title, status, data: { message, detail: detail ?? null } });
}

import { Router } from 'express';

import { contextOf } from '../context.js';
import { sendErrorPage, sendPage } from '../page.js';
import type { Mailbox } from '../mailbox.js';
import type { Chains } from './chains.js';

/**
 * The built-in mail catcher's messages. It runs only on embedded defaults for
 * local development, so these pages need no sign-in; the notices in it carry
 * identifiers masked already.
 */
export function mailRoutes(mailbox: Mailbox, { page }: Chains): Router {
  const router = Router();

  router.get('/mail', ...page, (req, res) => {
    const messages = [...mailbox.messages].reverse().map((m) => ({
      id: m.id,
      receivedAt: m.receivedAt,
      to: m.envelopeTo.join(', '),
      type: m.headers['x-notice-type'] ?? '',
      subject: m.subject,
    }));
    sendPage(req, res, 'mail-list', { title: contextOf(res).strings.mail.title, data: { messages } });
  });

  router.get('/mail/:id', ...page, (req, res) => {
    const message = mailbox.messages.find((m) => m.id === req.params.id);
    if (!message) return sendErrorPage(req, res, 404, contextOf(res).strings.mail.notFound);
    sendPage(req, res, 'mail-message', { title: message.subject, data: { message } });
  });

  return router;
}

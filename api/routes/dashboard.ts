import { Router } from 'express';
import type { PrismaClient } from '../../prisma/generated/client.js';
import type { MailCatcher } from '../../mail/catcher.js';
import { renderPage } from '../../dashboard/render.js';

function page(title: string, view: string, data: Record<string, unknown>, hasMailCatcher: boolean): string {
  return renderPage('layout', { title, hasMailCatcher, body: renderPage(view, data) });
}

/** The web pages. The overview shows counts only: nothing personal without signing in. */
export function dashboardRoutes({ prisma, mailCatcher }: { prisma: PrismaClient; mailCatcher?: MailCatcher | undefined }): Router {
  const router = Router();
  const hasMailCatcher = Boolean(mailCatcher);

  router.get('/', async (_req, res) => {
    const [listingCounts, taskCounts, departmentCount] = await Promise.all([
      prisma.listing.groupBy({ by: ['status'], _count: { _all: true } }),
      prisma.task.groupBy({ by: ['kind', 'status'], _count: { _all: true } }),
      prisma.department.count(),
    ]);
    res.type('html').send(
      page('概览', 'overview', {
        listingCounts: listingCounts.map((row) => ({ status: row.status, count: row._count._all })),
        taskCounts: taskCounts.map((row) => ({ kind: row.kind, status: row.status, count: row._count._all })),
        departmentCount,
      }, hasMailCatcher),
    );
  });

  if (mailCatcher) {
    router.get('/mail', (_req, res) => {
      const messages = [...mailCatcher.messages].reverse().map((m) => ({
        id: m.id,
        receivedAt: m.receivedAt.toISOString(),
        to: m.envelopeTo.join(', '),
        type: m.headers['x-notice-type'] ?? '',
        subject: m.subject,
      }));
      res.type('html').send(page('邮件', 'mail-list', { messages }, true));
    });
    router.get('/mail/:id', (req, res) => {
      const message = mailCatcher.messages.find((m) => m.id === req.params.id);
      if (!message) return void res.status(404).type('html').send(page('Not found', 'mail-list', { messages: [] }, true));
      res.type('html').send(page(message.subject, 'mail-message', { message }, true));
    });
  }
  return router;
}

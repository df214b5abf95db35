import express, { Router, type Response } from 'express';
import { sendLinkPage as page } from '../link-page.js';
import type { AckLinkService, LinkOutcome } from '../../app/ack-links.js';
import { formatChinaTime } from '../../mail/render.js';


const refusals: Record<'unknown' | 'expired' | 'used', [number, string, string]> = {
  unknown: [404, '链接无效 · Link not valid', '此链接无法识别，可能不完整或已被改动。请使用通知邮件中的原始链接，或直接回复通知邮件。This link is not recognised: it may be incomplete or altered.'],
  expired: [410, '链接已过期 · Link expired', '此链接已过期。请登录平台办理，或回复通知邮件。This link has expired; sign in to the dashboard or reply to the notice.'],
  used: [410, '链接已使用 · Link already used', '此链接已经使用过，无需重复办理。This link has already been used; nothing more is needed.'],
};

function outcomePage(res: Response, outcome: LinkOutcome): void {
  if ('state' in outcome) {
    const [status, title, message] = refusals[outcome.state];
    return page(res, status, title, 'ack-message', { message });
  }
  if (outcome.outcome === 'retry-later') {
    res.set('Retry-After', '5');
    return page(res, 503, '请稍后重试 · Please try again', 'ack-message', { message: '系统正在处理此惩戒的其他事项，本次未作任何登记。请稍候几秒后再次点击按钮。The system is busy with this listing and nothing was recorded; please press the button again in a few seconds.', detail: outcome.detail });
  }
  if (outcome.outcome === 'refused') {
    return page(res, 409, '无法办理 · Not possible', 'ack-message', { message: '该任务已无法办理（例如惩戒已解除、任务已取消）。This task can no longer be acted on.', detail: outcome.detail });
  }
  const done = outcome.status === 'completed' ? '已登记完成 · Completion recorded' : '已确认收到 · Acknowledged';
  return page(res, 200, done, 'ack-message', { message: outcome.changed ? '谢谢，已登记。Thank you, it is recorded.' : '此前已登记，无需重复办理。It was already recorded.' });
}

/** `/ack/:token`: GET shows the task and a button; POST acts. Answers in HTML. */
export function ackLinkRoutes(links: AckLinkService): Router {
  const router = Router();
  router.get('/:token', async (req, res) => {
    const link = await links.inspect(req.params.token);
    if (link.state !== 'valid') return outcomePage(res, link);
    const action = link.claims.action === 'acknowledge' ? '确认收到 · Acknowledge' : '反馈完成 · Report completion';
    page(res, 200, action, 'ack-confirm', {
      ...link.view,
      acknowledgeDueAt: formatChinaTime(link.view.acknowledgeDueAt),
      completeDueAt: formatChinaTime(link.view.completeDueAt),
      button: action,
    });
  });
  router.post('/:token', express.urlencoded({ extended: false, limit: '8kb' }), async (req, res) => {
    const note = typeof req.body?.note === 'string' ? req.body.note : undefined;
    outcomePage(res, await links.use(req.params.token, note));
  });
  return router;
}

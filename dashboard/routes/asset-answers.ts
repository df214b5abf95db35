import express, { Router, type Response } from 'express';
import { sendLinkPage as page } from '../link-page.js';
import type { AssetSearchService } from '../../app/asset-searches.js';
import { isAppError } from '../../app/errors.js';
import { ASSET_KINDS } from '../../domain/freeze-periods.js';
import { formatChinaTime } from '../../mail/render.js';
import { httpStatusOf } from '../../http/app-error-status.js';

/** Finding rows the page offers: a small institution rarely holds more of one debtor. */
const ROWS = 5;
const KIND_LABELS: Record<(typeof ASSET_KINDS)[number], string> = {
  deposit: '存款 Deposit',
  securities: '证券 Securities',
  insurance: '保险 Insurance',
  'real-estate': '不动产 Real estate',
  vehicle: '车辆 Vehicle',
  other: '其他 Other',
};


/** The finding rows filled in: a row counts when it has a description; an amount must be a number. */
function findingsOf(body: Record<string, unknown>) {
  const findings: Record<string, unknown>[] = [];
  for (let row = 0; row < ROWS; row++) {
    const field = (name: string) => (typeof body[`${name}${row}`] === 'string' ? (body[`${name}${row}`] as string).trim() : '');
    if (field('description') === '') continue;
    const amount = field('amount');
    findings.push({
      kind: field('kind') || 'other',
      ...(field('account') ? { account: field('account') } : {}),
      ...(amount ? { amountYuan: Number(amount.replace(/,/g, '')) } : {}),
      description: field('description'),
    });
  }
  return findings;
}

/**
 * `/asset-answers/:token`, the link in an asset request's email: GET shows
 * the request and a form, POST records the institution's answer.
 */
export function assetAnswerRoutes(searches: AssetSearchService): Router {
  const router = Router();
  const refusal = (res: Response, error: unknown) => {
    if (!isAppError(error)) throw error;
    // An expired link is gone, as /ack says of its own.
    const status = error.facts.linkExpired ? 410 : httpStatusOf(error.kind).status;
    const fields = (error.facts.fields ?? []).map((field) => `${field.field}: ${field.message}`).join('; ');
    page(res, status, '无法办理 · Not possible', 'ack-message', { message: error.detail, ...(fields ? { detail: fields } : {}) });
  };
  router.get('/:token', async (req, res) => {
    try {
      const link = await searches.linkRequest(req.params.token);
      page(res, 200, '协助查询答复 · Answer the query', 'asset-answer', {
        institutionName: link.institutionName,
        caseNumber: link.caseNumber,
        courtCode: link.courtCode,
        debtorName: link.debtorName,
        dueAt: formatChinaTime(new Date(link.request.dueAt)),
        status: link.request.status,
        rows: ROWS,
        kinds: ASSET_KINDS.map((kind) => ({ value: kind, label: KIND_LABELS[kind] })),
      });
    } catch (error) {
      refusal(res, error);
    }
  });
  router.post('/:token', express.urlencoded({ extended: false, limit: '16kb', parameterLimit: 40 }), async (req, res) => {
    try {
      const { changed, request } = await searches.answerByLink(req.params.token, { findings: findingsOf(req.body ?? {}) });
      const found = request.findings.length;
      page(res, 200, '已登记答复 · Answer recorded', 'ack-message', {
        message: changed ? `谢谢，已登记答复（${found} 项财产）。Thank you: the answer is recorded (${found} asset(s)).` : '此前已登记相同答复，无需重复办理。The same answer was recorded before.',
      });
    } catch (error) {
      refusal(res, error);
    }
  });
  return router;
}

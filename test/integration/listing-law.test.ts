// The listing as the SPC listing rules (2017) define it, each rule named by
// its article: intake (arts. 3, 4, 6), case numbers compared in one written
// form, deletion on every ground of art. 10 ¶1 with its clock from the
// decision, relisting (art. 10 ¶3–4), and the persons an entity's listing binds
// (consumption restriction rules 2015, art. 3).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { defaultCatalog, parseCatalog } from '../../domain/catalog.js';
import { parsePolicy, taskSchedule } from '../../domain/policy.js';
import { VALID_CREDIT_CODE, creditCode, entityListing, individualListing, residentId } from '../support/fixtures.js';
import { list, listingStatus, tasksOf } from '../support/listing-client.js';
import { startTestStack, type TestStack } from '../support/stack.js';

/** Measures for every kind of subject, on two departments: each bound role binds something. */
const catalog = parseCatalog({
  ...defaultCatalog,
  measures: defaultCatalog.measures
    .filter((measure) => ['M01', 'M28', 'M37', 'M38'].includes(measure.code))
    .map((measure, index) => ({ ...measure, departments: [index % 2 === 0 ? 'D05' : 'D06'] })),
});
const policy = parsePolicy({ impose: { acknowledge: 'PT1H', complete: 'PT2H' }, lift: { acknowledge: '1bd', complete: '3bd' }, escalation: [{ after: 'P30D', notify: 'department-supervisor' }] });

let stack: TestStack;
let clerk: string;
let d05: string;

beforeAll(async () => {
  stack = await startTestStack({ catalog, policy });
  clerk = await stack.key('clerk', { courtCode: 'NX-YC-01' });
  d05 = await stack.key('department', { departmentCode: 'D05' });
});

afterAll(async () => {
  await stack?.stop();
});

const post = (path: string, body: unknown) => stack.request('POST', path, { key: clerk, body });
const fieldsOf = (answer: { body: { errors?: { field: string }[] } }) => (answer.body.errors ?? []).map((error) => error.field);

describe('intake (arts. 3, 4, 6)', () => {
  it('art. 3: circumstance 1 is refused unless no adequate security was given and seized assets do not suffice', async () => {
    const base = individualListing({ caseNumber: '（2026）宁01执7001号', debtor: { kind: 'individual', name: '甲', idNumber: residentId('19800101', 701) } });
    const { securityProvided: _s, seizedAssetsSufficient: _a, ...withoutFacts } = base;
    const missing = await post('/api/listings', withoutFacts);
    expect(missing.status).toBe(400);
    expect(fieldsOf(missing).sort()).toEqual(['securityProvided', 'seizedAssetsSufficient']);
    expect(missing.body.errors[0].message).toMatch(/art\. 3/);
    const secured = await post('/api/listings', { ...base, securityProvided: true });
    expect(secured.status).toBe(400);
    expect(fieldsOf(secured)).toEqual(['securityProvided']);
    expect((await post('/api/listings', base)).status).toBe(201);
  });

  it('art. 6: the enforcement basis, filing and decision dates are kept; a fixed period counts from the decision', async () => {
    const answer = await post('/api/listings', entityListing({
      caseNumber: '（2026）宁01执7002号',
      debtor: { kind: 'entity', name: '乙公司', idNumber: creditCode(7002) },
      enforcementBasis: { issuer: '银川市中级人民法院', documentNumber: '（2025）宁01民初88号' },
      filedAt: '2026-10-09',
      decidedAt: '2026-11-20',
    }));
    expect(answer.status).toBe(201);
    expect(answer.body).toMatchObject({ enforcementBasis: { issuer: '银川市中级人民法院', documentNumber: '（2025）宁01民初88号' }, periodYears: 2 });
    expect(answer.body.decidedAt).toBe(new Date('2026-11-20T00:00:00+08:00').toISOString());
    expect(answer.body.expiresAt).toBe(new Date('2028-11-20T00:00:00+08:00').toISOString());
  });

  it('art. 6: a decision cannot be in the future or precede the filing', async () => {
    const future = await post('/api/listings', entityListing({ caseNumber: '（2026）宁01执7003号', decidedAt: new Date(Date.now() + 86_400_000).toISOString() }));
    expect(future.status).toBe(400);
    expect(fieldsOf(future)).toEqual(['decidedAt']);
    const early = await post('/api/listings', entityListing({ caseNumber: '（2026）宁01执7003号', filedAt: '2026-11-10', decidedAt: '2026-11-01' }));
    expect(fieldsOf(early)).toEqual(['decidedAt']);
  });

  it('art. 6: an entity without a unified social credit code is listed by its organisation code (GB 11714), checked', async () => {
    const listed = await post('/api/listings', entityListing({ caseNumber: '（2026）宁01执7004号', debtor: { kind: 'entity', name: '老企业', idType: 'organization-code', idNumber: 'D2143569-X' } }));
    expect(listed.status, JSON.stringify(listed.body)).toBe(201);
    expect(listed.body.debtor).toMatchObject({ idType: 'organization-code', idNumber: 'D2143569-X' });
    const wrong = await post('/api/listings', entityListing({ caseNumber: '（2026）宁01执7005号', debtor: { kind: 'entity', name: '老企业', idType: 'organization-code', idNumber: 'D21435691' } }));
    expect(wrong.status).toBe(400);
    expect(fieldsOf(wrong)).toEqual(['debtor.idNumber']);
  });

  it('art. 6: a person without a resident ID is listed by passport with its country; the country is required', async () => {
    const body = individualListing({ caseNumber: '（2026）宁01执7006号', debtor: { kind: 'individual', name: 'John Doe', idType: 'passport', idNumber: 'e12345678', country: 'GB' } });
    const listed = await post('/api/listings', body);
    expect(listed.status, JSON.stringify(listed.body)).toBe(201);
    expect(listed.body.debtor).toMatchObject({ idType: 'passport', idNumber: 'E12345678', country: 'GB' });
    const noCountry = await post('/api/listings', individualListing({ caseNumber: '（2026）宁01执7007号', debtor: { kind: 'individual', name: 'John Doe', idType: 'passport', idNumber: 'E12345679' } }));
    expect(fieldsOf(noCountry)).toEqual(['debtor.country']);
  });
});

describe('case numbers', () => {
  it('（2026）and (2026), with or without spaces, are one case: one listing, one workflow', async () => {
    const debtor = { kind: 'entity', name: '丙公司', idNumber: creditCode(7010) };
    const first = await post('/api/listings', entityListing({ caseNumber: '（2026）宁01执7010号', debtor }));
    expect(first.status).toBe(201);
    const second = await post('/api/listings', entityListing({ caseNumber: '(2026) 宁01执7010号', debtor }));
    expect(second.status).toBe(200);
    expect(second.body.id).toBe(first.body.id);
    expect(second.body.caseNumber).toBe('（2026）宁01执7010号');
  });
});

describe('deletion (art. 10 ¶1) and relisting (art. 10 ¶3–4)', () => {
  const tenDaysAgo = () => new Date(Date.now() - 10 * 86_400_000).toISOString();
  const deleteOn = (id: string, body: Record<string, unknown>) => post(`/api/listings/${id}/deletion`, body);
  const closeLift = async (id: string) => {
    for (const task of await tasksOf(stack, id, 'lift', 2)) {
      const key = task.departmentCode === 'D05' ? d05 : await stack.key('department', { departmentCode: task.departmentCode });
      expect((await stack.request('POST', `/api/tasks/${task.id}/complete`, { key, body: { by: '经办人' } })).status).toBe(200);
    }
    await listingStatus(stack, id, 'lifted');
  };

  it.each([
    ['performed', '(1) performed or fully enforced'],
    ['settlement-performed', '(2) a settlement reached and performed'],
    ['suspended', '(5) suspended by retrial or bankruptcy'],
    ['not-enforced', '(6) a ruling not to enforce'],
    ['terminated', '(7) a ruling terminating enforcement'],
  ])('ground %s, %s: the lift tasks’ 3 working days count from the decision', async (ground, _reading) => {
    const id = await list(stack, clerk, entityListing({ caseNumber: `（2026）宁01执71${ground.length}${ground.charCodeAt(0)}号`, debtor: { kind: 'entity', name: `丁${ground}`, idNumber: creditCode(7100 + ground.length * 10 + ground.charCodeAt(1)) }, decidedAt: tenDaysAgo() }));
    await tasksOf(stack, id, 'impose', 2);
    const decidedAt = new Date(Date.now() - 2 * 86_400_000);
    const answer = await deleteOn(id, { ground, decidedAt: decidedAt.toISOString(), note: '依法删除' });
    expect(answer.status, JSON.stringify(answer.body)).toBe(202);
    const lift = await tasksOf(stack, id, 'lift', 2);
    const expected = taskSchedule(policy, 'lift', decidedAt);
    const stored = await stack.prisma.task.findUniqueOrThrow({ where: { id: lift[0]!.id } });
    expect(stored.completeDueAt).toEqual(expected.completeDueAt);
    const listing = await stack.prisma.listing.findUniqueOrThrow({ where: { id } });
    expect(listing).toMatchObject({ deletionGround: ground, liftDecidedAt: decidedAt, liftReason: ground === 'performed' ? 'performance' : 'deletion' });
  });

  it('ground no-assets-found (4) needs the dates of two network searches that found nothing', async () => {
    const id = await list(stack, clerk, entityListing({ caseNumber: '（2026）宁01执7201号', debtor: { kind: 'entity', name: '戊公司', idNumber: creditCode(7201) }, decidedAt: tenDaysAgo() }));
    const decidedAt = new Date(Date.now() - 86_400_000).toISOString();
    const one = await deleteOn(id, { ground: 'no-assets-found', decidedAt, note: '终本后两次查询无财产', networkSearches: ['2026-10-01'] });
    expect(one.status).toBe(400);
    expect(fieldsOf(one)).toEqual(['networkSearches']);
    expect((await deleteOn(id, { ground: 'no-assets-found', decidedAt, note: '终本后两次查询无财产', networkSearches: ['2026-10-01', '2026-11-01'] })).status).toBe(202);
    await tasksOf(stack, id, 'lift', 2);
    const event = await stack.prisma.event.findFirstOrThrow({ where: { listingId: id, type: 'lift-requested' } });
    expect(event.data).toMatchObject({ ground: 'no-assets-found', networkSearches: [new Date('2026-10-01T00:00:00+08:00').toISOString(), new Date('2026-11-01T00:00:00+08:00').toISOString()] });
  });

  it('a decision in the future or before the listing is refused and changes nothing', async () => {
    const id = await list(stack, clerk, entityListing({ caseNumber: '（2026）宁01执7202号', debtor: { kind: 'entity', name: '己公司', idNumber: creditCode(7202) } }));
    const future = await deleteOn(id, { ground: 'performed', decidedAt: new Date(Date.now() + 86_400_000).toISOString(), note: 'x' });
    expect(fieldsOf(future)).toEqual(['decidedAt']);
    const early = await deleteOn(id, { ground: 'performed', decidedAt: '2020-01-01', note: 'x' });
    expect(fieldsOf(early)).toEqual(['decidedAt']);
    expect((await stack.prisma.listing.findUniqueOrThrow({ where: { id } })).status).toBe('active');
  });

  it('art. 10 ¶3: after a deletion the debtor may be listed again, as a new listing', async () => {
    const body = entityListing({ caseNumber: '（2026）宁01执7301号', debtor: { kind: 'entity', name: '庚公司', idNumber: creditCode(7301) } });
    const id = await list(stack, clerk, body);
    await tasksOf(stack, id, 'impose', 2);
    expect((await deleteOn(id, { ground: 'settlement-performed', decidedAt: new Date().toISOString(), note: '和解履行完毕' })).status).toBe(202);
    await closeLift(id);
    const again = await post('/api/listings', body);
    expect(again.status).toBe(201);
    expect(again.body.id).not.toBe(id);
  });

  it('art. 10 ¶4: within six months of a deletion on the creditor’s request, relisting is refused with 409', async () => {
    const body = entityListing({ caseNumber: '（2026）宁01执7302号', debtor: { kind: 'entity', name: '辛公司', idNumber: creditCode(7302) } });
    const id = await list(stack, clerk, body);
    await tasksOf(stack, id, 'impose', 2);
    expect((await deleteOn(id, { ground: 'creditor-request', decidedAt: new Date().toISOString(), note: '申请执行人申请删除' })).status).toBe(202);
    await closeLift(id);
    const refused = await post('/api/listings', body);
    expect(refused.status).toBe(409);
    expect(refused.headers.get('content-type')).toMatch(/problem\+json/);
    expect(refused.body.detail).toMatch(/art\. 10 ¶4/);
    expect(await stack.prisma.listing.count({ where: { caseNumber: '（2026）宁01执7302号' } })).toBe(1);
  });
});

describe('persons an entity binds (consumption restriction rules art. 3; listing rules art. 6)', () => {
  it('each bound person is dispatched for the measures of its role and restricted in the check', async () => {
    const persons = [
      { role: 'principal', name: '主要负责人', idNumber: residentId('19700101', 801) },
      { role: 'directly-responsible', name: '直接责任人', idNumber: residentId('19700101', 802) },
      { role: 'actual-controller', name: '实际控制人', idNumber: residentId('19700101', 803) },
    ];
    const answer = await post('/api/listings', entityListing({
      caseNumber: '（2026）宁01执7401号',
      debtor: { kind: 'entity', name: '壬公司', idNumber: VALID_CREDIT_CODE.replace('Y43', 'Y43'), legalRepresentative: { name: '法代', idNumber: residentId('19700101', 800) }, boundPersons: persons },
    }));
    expect(answer.status, JSON.stringify(answer.body)).toBe(201);
    expect(answer.body.debtor.boundPersons.map((p: { role: string }) => p.role)).toEqual(['legal-representative', 'principal', 'directly-responsible', 'actual-controller']);
    const tasks = await tasksOf(stack, answer.body.id, 'impose', 2);
    const subjectsOf = (role: string) => ({ 'legal-representative': 'legal_representative', principal: 'principal_responsible_person', 'directly-responsible': 'directly_responsible_person', 'actual-controller': 'actual_controller' })[role]!;
    const expectedMeasures = new Set(catalog.measures.filter((m) => ['entity', ...persons.map((p) => subjectsOf(p.role)), 'legal_representative'].some((s) => m.applies_to.includes(s as never))).map((m) => m.code));
    expect(new Set(tasks.flatMap((task) => task.measures))).toEqual(expectedMeasures);
    const supervisor = await stack.key('supervisor');
    for (const person of persons) {
      const check = await stack.request('GET', `/api/restrictions/check?idNumber=${person.idNumber}`, { key: supervisor });
      const expected = catalog.measures.filter((m) => m.applies_to.includes(subjectsOf(person.role) as never)).map((m) => m.code).sort();
      expect(check.body.restrictions.map((r: { measure: string }) => r.measure).sort(), person.role).toEqual(expected);
      expect(new Set(check.body.restrictions.map((r: { role: string }) => r.role))).toEqual(new Set([person.role]));
    }
  });
});

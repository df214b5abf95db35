import { z } from 'zod';
import { isStorableText } from './text.js';
import directoryJson from './institution-data/directory.json' with { type: 'json' };

// Pure: workflows that fan a search out to institutions import this module into their sandbox.

export const INSTITUTION_KINDS = ['bank', 'securities', 'insurer', 'payment', 'real-estate-registry', 'vehicle-registry', 'other'] as const;
export type InstitutionKind = (typeof INSTITUTION_KINDS)[number];

/** `national`: 总对总, through the Supreme People's Court's network; `local`: 点对点, straight from the region's courts. */
export const INSTITUTION_CHANNELS = ['national', 'local'] as const;
export type InstitutionChannel = (typeof INSTITUTION_CHANNELS)[number];

export const CONTROL_ACTIONS = ['query', 'freeze', 'renew', 'deduct', 'release'] as const;
export type ControlAction = (typeof CONTROL_ACTIONS)[number];

export const INSTITUTION_CODE = /^[A-Z0-9][A-Z0-9-]{1,31}$/;

// Every connected institution answers queries: a search goes to all of them, controls only to those able to act.
const capabilitiesSchema = z
  .array(z.enum(CONTROL_ACTIONS))
  .min(1)
  .superRefine((capabilities, ctx) => {
    const seen = new Set<ControlAction>();
    capabilities.forEach((action, index) => {
      if (seen.has(action)) ctx.addIssue({ code: 'custom', path: [index], message: `capability ${action} is listed twice` });
      seen.add(action);
    });
    if (!seen.has('query')) ctx.addIssue({ code: 'custom', message: 'capabilities must include query' });
  });

/** Names PostgreSQL can store: no NUL, no unpaired surrogate. */
const storable = (max: number) => z.string().trim().min(1).max(max).refine(isStorableText, 'must not contain NUL characters or unpaired surrogates');

export const institutionSchema = z.strictObject({
  code: z.string().regex(INSTITUTION_CODE, 'code must be 2–32 upper-case letters, digits or hyphens, not starting with a hyphen'),
  name: storable(200),
  kind: z.enum(INSTITUTION_KINDS),
  channel: z.enum(INSTITUTION_CHANNELS),
  capabilities: capabilitiesSchema,
  contactEmail: z.email().max(254),
  supervisorEmail: z.email().max(254),
});

export const institutionDirectorySchema = z
  .strictObject({
    region: storable(200),
    institutions: z.array(institutionSchema).min(1),
  })
  .superRefine((directory, ctx) => {
    const seen = new Set<string>();
    directory.institutions.forEach((institution, index) => {
      if (seen.has(institution.code)) {
        ctx.addIssue({ code: 'custom', path: ['institutions', index, 'code'], message: `duplicate code ${institution.code}` });
      }
      seen.add(institution.code);
    });
  });

export type Institution = z.infer<typeof institutionSchema>;
export type InstitutionDirectory = z.infer<typeof institutionDirectorySchema>;

/** Validates a directory; the error lists every problem as `path: message` (e.g. `institutions.3.code: …`). */
export function parseInstitutionDirectory(json: unknown): InstitutionDirectory {
  const result = institutionDirectorySchema.safeParse(json);
  if (result.success) return result.data;
  const problems = result.error.issues.map((issue) => `- ${issue.path.length > 0 ? issue.path.join('.') : '(directory)'}: ${issue.message}`);
  throw new Error(`invalid institution directory:\n${problems.join('\n')}`);
}

export const defaultInstitutionDirectory: InstitutionDirectory = parseInstitutionDirectory(directoryJson);

/** A region's seed figure: institutions connected to its courts in one year. */
const REGION_INSTITUTION_COUNT = 3595;

interface GeneratedKind {
  kind: InstitutionKind;
  name: string;
  capabilities: readonly ControlAction[];
}

const BANKING: readonly ControlAction[] = CONTROL_ACTIONS;
const HOLDINGS: readonly ControlAction[] = ['query', 'freeze', 'renew', 'release'];
const REGISTRY: readonly ControlAction[] = ['query', 'freeze', 'release'];

/**
 * One cycle of twenty generated institutions: beyond the national banks, what a region connects is mostly its
 * rural credit cooperatives, village banks and bank branches, with a few brokers, insurers and county registries.
 */
const GENERATED_CYCLE: readonly GeneratedKind[] = [
  ...Array<GeneratedKind>(7).fill({ kind: 'bank', name: '农村信用合作社', capabilities: BANKING }),
  ...Array<GeneratedKind>(4).fill({ kind: 'bank', name: '村镇银行', capabilities: BANKING }),
  ...Array<GeneratedKind>(2).fill({ kind: 'bank', name: '城市商业银行支行', capabilities: BANKING }),
  ...Array<GeneratedKind>(2).fill({ kind: 'securities', name: '证券公司营业部', capabilities: HOLDINGS }),
  { kind: 'insurer', name: '保险公司分支机构', capabilities: HOLDINGS },
  { kind: 'payment', name: '非银行支付机构', capabilities: BANKING },
  { kind: 'real-estate-registry', name: '区县不动产登记中心', capabilities: REGISTRY },
  { kind: 'vehicle-registry', name: '区县车辆管理所', capabilities: REGISTRY },
  { kind: 'other', name: '小额贷款公司', capabilities: HOLDINGS },
];

function generatedInstitution(ordinal: number): Institution {
  const number = String(ordinal).padStart(5, '0');
  const { kind, name, capabilities } = GENERATED_CYCLE[ordinal % GENERATED_CYCLE.length]!;
  const host = `gen-${number}.example.com`;
  return {
    code: `GEN-${number}`,
    name: `${name}（示例 ${number}）`,
    kind,
    channel: 'local',
    capabilities: [...capabilities],
    contactEmail: `enforcement@${host}`,
    supervisorEmail: `supervision@${host}`,
  };
}

/**
 * A directory of exactly `count` institutions for tests and benchmarks: the default directory's first, then
 * generated ones (`GEN-00001`, …). Derived from the position alone, so every run sees the same directory.
 */
export function generateInstitutionDirectory(count = REGION_INSTITUTION_COUNT): InstitutionDirectory {
  if (!Number.isInteger(count) || count < 1) throw new RangeError(`a directory holds at least one institution, got ${count}`);
  const known = defaultInstitutionDirectory.institutions.slice(0, count).map((institution) => ({ ...institution, capabilities: [...institution.capabilities] }));
  const generated = Array.from({ length: count - known.length }, (_, index) => generatedInstitution(index + 1));
  return parseInstitutionDirectory({ region: defaultInstitutionDirectory.region, institutions: [...known, ...generated] });
}

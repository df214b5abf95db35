import { CIRCUMSTANCES, CIRCUMSTANCE_CODES, type CircumstanceCode } from '../domain/circumstances.js';

/**
 * The column layout of a listings spreadsheet: one row per listing, a header
 * row naming the columns. Courts keep these sheets with Chinese headers, so
 * the Chinese header is the canonical one; the API's field names are accepted
 * too, as are a few spellings seen in practice.
 */
export interface ImportColumn {
  key: ColumnKey;
  /** The header the template writes. */
  header: string;
  /** Other headers that mean the same column. */
  aliases: readonly string[];
  /** The request field the column fills, as named in API errors. */
  field: string;
  required: 'always' | 'when-key-names-no-court' | 'no';
  /** What a clerk writes there, for the template's guide sheet and the README. */
  guideZh: string;
  guideEn: string;
}

export const COLUMN_KEYS = [
  'caseNumber',
  'courtCode',
  'debtorKind',
  'debtorName',
  'debtorIdNumber',
  'legalRepName',
  'legalRepIdNumber',
  'circumstance',
  'obligationDescription',
  'obligationAmountYuan',
  'periodYears',
  'securityProvided',
  'seizedAssetsSufficient',
] as const;
export type ColumnKey = (typeof COLUMN_KEYS)[number];

export const IMPORT_COLUMNS: readonly ImportColumn[] = [
  { key: 'caseNumber', header: '案号', aliases: ['执行案号', 'caseNumber'], field: 'caseNumber', required: 'always',
    guideZh: '执行案号，如（2026）宁01执123号', guideEn: 'Enforcement case number' },
  { key: 'courtCode', header: '执行法院代码', aliases: ['执行法院', '法院代码', 'courtCode'], field: 'courtCode', required: 'when-key-names-no-court',
    guideZh: '执行法院代码；API 密钥已绑定法院时可留空', guideEn: 'Court code; may be empty when the API key names a court' },
  { key: 'debtorKind', header: '被执行人类型', aliases: ['类型', 'debtorKind', 'debtor.kind'], field: 'debtor.kind', required: 'always',
    guideZh: '自然人 或 法人或其他组织（也可写 individual / entity）', guideEn: '自然人 (individual) or 法人或其他组织 (entity)' },
  { key: 'debtorName', header: '被执行人姓名或名称', aliases: ['被执行人', '被执行人名称', '被执行人姓名', 'debtorName', 'debtor.name'], field: 'debtor.name', required: 'always',
    guideZh: '自然人姓名或单位全称', guideEn: "The person's name or the entity's full name" },
  { key: 'debtorIdNumber', header: '证件号码', aliases: ['身份证号码或统一社会信用代码', '身份证号码', '统一社会信用代码', 'debtorIdNumber', 'debtor.idNumber'], field: 'debtor.idNumber', required: 'always',
    guideZh: '自然人填 18 位身份证号码，单位填 18 位统一社会信用代码；请把该列设为文本格式', guideEn: 'Resident ID number or unified social credit code, 18 characters; format the column as text' },
  { key: 'legalRepName', header: '法定代表人或负责人', aliases: ['法定代表人', '负责人', 'legalRepName', 'debtor.legalRepresentative.name'], field: 'debtor.legalRepresentative.name', required: 'no',
    guideZh: '单位的法定代表人或负责人姓名；自然人留空', guideEn: "The entity's legal representative; empty for a person" },
  { key: 'legalRepIdNumber', header: '法定代表人身份证号码', aliases: ['负责人身份证号码', 'legalRepIdNumber', 'debtor.legalRepresentative.idNumber'], field: 'debtor.legalRepresentative.idNumber', required: 'no',
    guideZh: '法定代表人或负责人的身份证号码', guideEn: "The legal representative's resident ID number" },
  { key: 'circumstance', header: '失信情形', aliases: ['失信行为情形', 'circumstance'], field: 'circumstance', required: 'always',
    guideZh: '《关于公布失信被执行人名单信息的若干规定》第一条的项号 1–6、该项原文或代码', guideEn: 'Item 1–6 of art. 1 of the listing rules, its text, or its code' },
  { key: 'obligationDescription', header: '生效法律文书确定的义务', aliases: ['确定的义务', '义务', 'obligationDescription', 'obligation.description'], field: 'obligation.description', required: 'always',
    guideZh: '生效法律文书确定的义务', guideEn: 'The obligation the effective legal document sets' },
  { key: 'obligationAmountYuan', header: '未履行金额（元）', aliases: ['未履行金额', '金额', '标的金额', 'obligationAmountYuan', 'obligation.amountYuan'], field: 'obligation.amountYuan', required: 'no',
    guideZh: '以元为单位的数字，可留空', guideEn: 'A number of yuan; may be empty' },
  { key: 'periodYears', header: '失信期限（年）', aliases: ['失信期限', '期限', 'periodYears'], field: 'periodYears', required: 'no',
    guideZh: '第二至六项情形的期限：2，或加重时 3–5；第一项留空', guideEn: 'For items 2–6: 2, or 3–5 when extended; empty for item 1' },
  { key: 'securityProvided', header: '已提供充分有效担保', aliases: ['提供担保', 'securityProvided'], field: 'securityProvided', required: 'no',
    guideZh: '第一项情形必填：是 或 否；提供了充分有效担保的不得纳入（第三条）', guideEn: 'Item 1 only, required: 是/否 (yes/no); a debtor who gave adequate security is not listed (art. 3)' },
  { key: 'seizedAssetsSufficient', header: '查封扣押冻结财产足以清偿', aliases: ['财产足以清偿', 'seizedAssetsSufficient'], field: 'seizedAssetsSufficient', required: 'no',
    guideZh: '第一项情形必填：是 或 否；已查封、扣押、冻结的财产足以清偿的不得纳入（第三条）', guideEn: 'Item 1 only, required: 是/否 (yes/no); a debtor whose seized assets suffice is not listed (art. 3)' },
];

const YES_NO: Readonly<Record<string, boolean>> = { 是: true, 否: false, yes: true, no: false, true: true, false: false, y: true, n: false, '1': true, '0': false };

/** 是/否, yes/no, true/false. */
export function yesNoOf(value: string): boolean | undefined {
  return YES_NO[normalizeHeader(value)];
}

/** Full-width forms, spaces and case do not distinguish two headers. */
export function normalizeHeader(header: string): string {
  return header
    .normalize('NFKC')
    .replace(/\s+/g, '')
    .replace(/[()（）]/g, (bracket) => (bracket === '（' || bracket === '(' ? '(' : ')'))
    .toLowerCase();
}

const columnByHeader = new Map<string, ImportColumn>(
  IMPORT_COLUMNS.flatMap((column) => [column.header, ...column.aliases].map((header) => [normalizeHeader(header), column] as const)),
);

export function columnOfHeader(header: string): ImportColumn | undefined {
  return columnByHeader.get(normalizeHeader(header));
}

export function columnOfField(field: string): ImportColumn | undefined {
  // `debtor.legalRepresentative` as a whole belongs to its name column.
  return IMPORT_COLUMNS.find((column) => column.field === field) ?? IMPORT_COLUMNS.find((column) => column.field.startsWith(`${field}.`));
}

const DEBTOR_KINDS: Readonly<Record<string, 'individual' | 'entity'>> = {
  individual: 'individual',
  自然人: 'individual',
  个人: 'individual',
  entity: 'entity',
  法人或其他组织: 'entity',
  法人或非法人组织: 'entity',
  法人: 'entity',
  单位: 'entity',
  非法人组织: 'entity',
  其他组织: 'entity',
};

export function debtorKindOf(value: string): 'individual' | 'entity' | undefined {
  return DEBTOR_KINDS[normalizeHeader(value)];
}

/** A circumstance by its code, its item number of art. 1, or its statutory text. */
export function circumstanceOf(value: string): CircumstanceCode | undefined {
  const wanted = normalizeHeader(value).replace(/^第?([1-6一二三四五六])项?$/, '$1');
  const chineseNumerals = '一二三四五六';
  return CIRCUMSTANCE_CODES.find((code) => {
    const circumstance = CIRCUMSTANCES[code];
    return (
      code === wanted ||
      String(circumstance.item) === wanted ||
      chineseNumerals[circumstance.item - 1] === wanted ||
      normalizeHeader(circumstance.zh) === wanted ||
      normalizeHeader(circumstance.zh).replace(/的$/, '') === wanted.replace(/的$/, '')
    );
  });
}

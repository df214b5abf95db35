/** Valid identifiers and listing bodies for tests. */
export const VALID_RESIDENT_ID = '11010519491231002X';
export const VALID_CREDIT_CODE = '91350100M000100Y43';

const residentIdWeights = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
const residentIdChecks = '10X98765432';

/** A valid resident ID number for a birth date and sequence (to make many distinct debtors). */
export function residentId(birth: string, sequence: number, region = '640104'): string {
  const body = `${region}${birth}${String(sequence % 1000).padStart(3, '0')}`;
  const sum = [...body].reduce((total, digit, index) => total + Number(digit) * residentIdWeights[index]!, 0);
  return body + residentIdChecks[sum % 11];
}

const creditAlphabet = '0123456789ABCDEFGHJKLMNPQRTUWXY';
const creditWeights = [1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28];

/** A valid unified social credit code with a numbered body. */
export function creditCode(sequence: number): string {
  const body = `91640100MA${String(sequence).padStart(7, '0')}`;
  const sum = [...body].reduce((total, char, index) => total + creditAlphabet.indexOf(char) * creditWeights[index]!, 0);
  return body + creditAlphabet[(31 - (sum % 31)) % 31];
}

export function entityListing(overrides: Record<string, unknown> = {}) {
  return {
    caseNumber: '（2026）宁01执100号',
    courtCode: 'NX-YC-01',
    debtor: {
      kind: 'entity',
      name: '宁夏某某建设有限公司',
      idNumber: VALID_CREDIT_CODE,
      legalRepresentative: { name: '张三', idNumber: VALID_RESIDENT_ID },
    },
    circumstance: 'evades-enforcement',
    obligation: { description: '支付工程款', amountYuan: 1234567.89 },
    ...overrides,
  };
}

export function individualListing(overrides: Record<string, unknown> = {}) {
  return {
    caseNumber: '（2026）宁01执200号',
    courtCode: 'NX-YC-01',
    debtor: { kind: 'individual', name: '李四', idNumber: residentId('19800101', 123) },
    circumstance: 'refuses-despite-ability',
    // Art. 3: listed for refusing only when no adequate security was given and seized assets do not suffice.
    securityProvided: false,
    seizedAssetsSufficient: false,
    obligation: { description: '偿还借款', amountYuan: 50000 },
    ...overrides,
  };
}

import { describe, expect, it } from 'vitest';
import rawDirectory from '../../domain/institution-data/directory.json' with { type: 'json' };
import {
  CONTROL_ACTIONS, INSTITUTION_CHANNELS, INSTITUTION_KINDS, defaultInstitutionDirectory, generateInstitutionDirectory,
  institutionDirectorySchema, parseInstitutionDirectory,
} from '../../domain/institutions.js';

const copy = (): Record<string, any> => JSON.parse(JSON.stringify(rawDirectory));
const problemsOf = (json: unknown): string => {
  try {
    parseInstitutionDirectory(json);
  } catch (error) {
    return (error as Error).message;
  }
  throw new Error('expected the directory to be refused');
};

describe('default institution directory', () => {
  it('parses, with one region and unique codes', () => {
    expect(defaultInstitutionDirectory.region).toBe('福建省厦门市');
    const codes = defaultInstitutionDirectory.institutions.map((institution) => institution.code);
    expect(new Set(codes).size).toBe(codes.length);
    expect(codes).toEqual(expect.arrayContaining(['ICBC', 'ABC', 'BOC', 'CCB', 'BOCOM', 'PSBC', 'XMBANK', 'CSDC', 'ALIPAY', 'TENPAY', 'XM-REALESTATE', 'XM-VEHICLE']));
  });

  it('reaches the national banks over the national channel and the local banks and registries over the local one', () => {
    const byCode = new Map(defaultInstitutionDirectory.institutions.map((institution) => [institution.code, institution]));
    for (const code of ['ICBC', 'ABC', 'BOC', 'CCB', 'BOCOM', 'PSBC', 'CMB', 'SPDB', 'CITIC', 'CEB', 'HXB', 'CMBC', 'CGB', 'CIB', 'PAB']) {
      expect(byCode.get(code)).toMatchObject({ kind: 'bank', channel: 'national' });
    }
    for (const code of ['XMBANK', 'XIB', 'FJHXBANK', 'XMRCB', 'XM-REALESTATE', 'XM-VEHICLE']) {
      expect(byCode.get(code)?.channel).toBe('local');
    }
  });

  it('gives each kind the actions it really takes', () => {
    for (const institution of defaultInstitutionDirectory.institutions) {
      const expected = {
        bank: [...CONTROL_ACTIONS],
        payment: ['query', 'freeze', 'renew', 'deduct', 'release'],
        'real-estate-registry': ['query', 'freeze', 'release'],
        'vehicle-registry': ['query', 'freeze', 'release'],
      }[institution.kind as string];
      if (expected) expect([...institution.capabilities].sort()).toEqual([...expected].sort());
      expect(institution.capabilities).toContain('query');
    }
  });

  it('uses example addresses only', () => {
    for (const institution of defaultInstitutionDirectory.institutions) {
      expect(institution.contactEmail).toMatch(/@([a-z0-9-]+\.)*example\.com$/);
      expect(institution.supervisorEmail).toMatch(/@([a-z0-9-]+\.)*example\.com$/);
    }
  });
});

describe('parseInstitutionDirectory', () => {
  it('refuses a duplicate code, naming its path', () => {
    const directory = copy();
    directory.institutions[3].code = directory.institutions[0].code;
    expect(problemsOf(directory)).toMatch(/institutions\.3\.code: duplicate code ICBC/);
  });

  it('refuses capabilities without query, naming the path', () => {
    const directory = copy();
    directory.institutions[5].capabilities = ['freeze', 'release'];
    expect(problemsOf(directory)).toMatch(/institutions\.5\.capabilities: capabilities must include query/);
  });

  it('lists every problem: repeated or unknown actions, bad codes, kinds, channels, addresses and unknown members', () => {
    const directory = copy();
    directory.institutions[0].capabilities = ['query', 'query'];
    directory.institutions[1].capabilities = [];
    directory.institutions[2].capabilities = ['query', 'seize'];
    directory.institutions[3].code = 'icbc';
    directory.institutions[4].code = '-ABC';
    directory.institutions[5].kind = 'broker';
    directory.institutions[6].channel = 'regional';
    directory.institutions[7].contactEmail = 'not an address';
    directory.institutions[8].fax = '0592-0000000';
    directory.note = 'members the schema does not name are refused';
    const message = problemsOf(directory);
    for (const path of [
      'institutions.0.capabilities.1', 'institutions.1.capabilities', 'institutions.2.capabilities.1', 'institutions.3.code',
      'institutions.4.code', 'institutions.5.kind', 'institutions.6.channel', 'institutions.7.contactEmail', 'institutions.8',
    ]) {
      expect(message).toContain(`- ${path}:`);
    }
    expect(message).toMatch(/fax/);
    expect(message).toMatch(/note/);
  });

  it('refuses an empty directory and one without a region', () => {
    expect(problemsOf({ region: '福建省厦门市', institutions: [] })).toMatch(/- institutions:/);
    expect(problemsOf({ institutions: copy().institutions })).toMatch(/- region:/);
  });

  it('exposes the vocabularies it checks against', () => {
    expect(INSTITUTION_KINDS).toEqual(['bank', 'securities', 'insurer', 'payment', 'real-estate-registry', 'vehicle-registry', 'other']);
    expect(INSTITUTION_CHANNELS).toEqual(['national', 'local']);
    expect(CONTROL_ACTIONS).toEqual(['query', 'freeze', 'renew', 'deduct', 'release']);
  });
});

describe('generateInstitutionDirectory', () => {
  it('gives a region its 3,595 institutions: the default ones first, then unique generated ones valid per the schema', () => {
    const directory = generateInstitutionDirectory();
    expect(directory.institutions).toHaveLength(3595);
    expect(institutionDirectorySchema.safeParse(directory).success).toBe(true);
    const codes = directory.institutions.map((institution) => institution.code);
    expect(new Set(codes).size).toBe(3595);
    const known = defaultInstitutionDirectory.institutions.length;
    expect(directory.institutions.slice(0, known)).toEqual(defaultInstitutionDirectory.institutions);
    expect(codes[known]).toBe('GEN-00001');
    expect(codes.at(-1)).toBe(`GEN-${String(3595 - known).padStart(5, '0')}`);
    for (const institution of directory.institutions.slice(known)) {
      expect(institution.code).toMatch(/^GEN-\d{5}$/);
      expect(institution.contactEmail).toMatch(/@gen-\d{5}\.example\.com$/);
      expect(institution.channel).toBe('local');
    }
  });

  it('is mostly local banks and credit cooperatives, with every kind present', () => {
    const generated = generateInstitutionDirectory().institutions.slice(defaultInstitutionDirectory.institutions.length);
    const banks = generated.filter((institution) => institution.kind === 'bank');
    expect(banks.length / generated.length).toBeGreaterThan(0.5);
    expect(banks.some((bank) => bank.name.includes('农村信用合作社'))).toBe(true);
    expect(banks.some((bank) => bank.name.includes('村镇银行'))).toBe(true);
    expect(new Set(generated.map((institution) => institution.kind))).toEqual(new Set(INSTITUTION_KINDS));
  });

  it('is deterministic, and a smaller directory is the start of a larger one', () => {
    const full = generateInstitutionDirectory();
    expect(generateInstitutionDirectory()).toEqual(full);
    expect(generateInstitutionDirectory(100).institutions).toEqual(full.institutions.slice(0, 100));
  });

  it('takes the first entries of the default directory when fewer are asked for, and refuses fewer than one', () => {
    expect(generateInstitutionDirectory(1).institutions).toEqual(defaultInstitutionDirectory.institutions.slice(0, 1));
    expect(generateInstitutionDirectory(5).institutions.map((institution) => institution.code)).toEqual(['ICBC', 'ABC', 'BOC', 'CCB', 'BOCOM']);
    expect(() => generateInstitutionDirectory(0)).toThrow(RangeError);
    expect(() => generateInstitutionDirectory(2.5)).toThrow(RangeError);
  });

  it('hands out copies: changing one directory leaves the default untouched', () => {
    const directory = generateInstitutionDirectory(3);
    directory.institutions[0]!.capabilities.push('freeze');
    expect(defaultInstitutionDirectory.institutions[0]!.capabilities).toEqual([...CONTROL_ACTIONS]);
  });
});

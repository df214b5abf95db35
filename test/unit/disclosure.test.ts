import { describe, expect, it } from 'vitest';
import { ROLES } from '../../domain/access.js';
import { disclosedIdentifier, disclosedText } from '../../domain/disclosure.js';

const id = '11010519491231002X';

describe('who sees an identifier in full', () => {
  it('every API caller who may see the listing (a department: the subjects of its own tasks)', () => {
    for (const role of ROLES) expect(disclosedIdentifier({ channel: 'api', role }, id)).toBe(id);
  });

  it('nobody on a page or in an email', () => {
    expect(disclosedIdentifier({ channel: 'page' }, id)).toBe('110105********002X');
    expect(disclosedIdentifier({ channel: 'email' }, id)).toBe('110105********002X');
  });

  it('text people typed keeps its words and loses identifiers on pages', () => {
    expect(disclosedText({ channel: 'page' }, `已核实 ${id}，见附件`)).toBe('已核实 110105********002X，见附件');
    expect(disclosedText({ channel: 'api', role: 'supervisor' }, `已核实 ${id}`)).toBe(`已核实 ${id}`);
  });
});

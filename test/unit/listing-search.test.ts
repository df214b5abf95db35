import { describe, expect, it } from 'vitest';
import { identifierSearchRefusal, mayFindByIdentifier } from '../../domain/listing-search.js';

describe('the listing search for a department', () => {
  it('refuses identifiers, their pieces and their masks', () => {
    for (const q of ['640104198005173214', '91640100MA0000001X', '640104', '19800517', '640104********3214', ' 1980051 7 ']) {
      expect(identifierSearchRefusal('department', q), q).toMatch(/restrictions\/check/);
    }
  });

  it('keeps case numbers and names, and leaves other roles alone', () => {
    for (const q of ['（2026）宁01执4711号', '宁01执100001', '赵某某', 'ACME Holdings', '4711', '3214']) expect(identifierSearchRefusal('department', q), q).toBeNull();
    for (const role of ['clerk', 'supervisor'] as const) {
      expect(identifierSearchRefusal(role, '640104198005173214')).toBeNull();
      expect(mayFindByIdentifier(role)).toBe(true);
    }
    expect(mayFindByIdentifier('department')).toBe(false);
  });
});

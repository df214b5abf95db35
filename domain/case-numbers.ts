/**
 * A case number in one written form, so that the same case is never two
 * listings: brackets full-width as courts write them, `（2026）宁01执123号`,
 * and no spaces; full-width digits and Latin letters become ASCII.
 */
export function normalizeCaseNumber(text: string): string {
  return text
    .replace(/[\s\u3000]+/g, '')
    .replace(/[\uFF10-\uFF19\uFF21-\uFF3A\uFF41-\uFF5A]/g, (char) => String.fromCharCode(char.charCodeAt(0) - 0xfee0))
    .replace(/\(/g, '（')
    .replace(/\)/g, '）');
}

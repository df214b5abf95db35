const KEEP_START = 6;
const KEEP_END = 4;
const SHORT_KEEP_END = 2;

/**
 * Hides the middle of an identifier for emails and logs: `640104********123X`. The first six characters
 * (region or registration authority) and the last four are enough to tell two records apart by eye.
 * A string too short to keep both ends keeps only its last two characters, and one of three or fewer
 * characters is hidden entirely, so no short value is ever shown whole.
 */
export function maskIdentifier(s: string): string {
  const characters = Array.from(s);
  const length = characters.length;
  if (length > KEEP_START + KEEP_END) {
    return characters.slice(0, KEEP_START).join('') + '*'.repeat(length - KEEP_START - KEEP_END) +
      characters.slice(-KEEP_END).join('');
  }
  if (length > SHORT_KEEP_END + 1) {
    return '*'.repeat(length - SHORT_KEEP_END) + characters.slice(-SHORT_KEEP_END).join('');
  }
  return '*'.repeat(length);
}

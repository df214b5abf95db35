/**
 * Why a file could not be read at all, as opposed to a row that breaks a
 * rule. `rule` names what was refused, for the field error of the response.
 */
export type UnreadableRule = 'readable' | 'max-rows' | 'max-columns' | 'max-unpacked-size' | 'max-parts';

export class UnreadableSheet extends Error {
  constructor(
    message: string,
    readonly rule: UnreadableRule = 'readable',
  ) {
    super(message);
  }
}

/** A cell as the file holds it: XLSX keeps numbers apart from text, CSV has text only. */
export type RawCell = string | number | null;

export interface SheetRow {
  /** The row number a spreadsheet program shows; the header is row 1. */
  row: number;
  cells: RawCell[];
}

import Table from 'cli-table3';

/** Tables for people, JSON for scripts. */
export function print(data: unknown, json: boolean, columns?: { header: string; value: (row: any) => unknown }[]): void {
  if (json || !columns || !Array.isArray(data)) {
    process.stdout.write(`${JSON.stringify(data, null, 2)}\n`);
    return;
  }
  const table = new Table({ head: columns.map((c) => c.header), style: { head: [], border: [] } });
  for (const row of data) table.push(columns.map((c) => String(c.value(row) ?? '')));
  process.stdout.write(`${table.toString()}\n${data.length} row${data.length === 1 ? '' : 's'}\n`);
}

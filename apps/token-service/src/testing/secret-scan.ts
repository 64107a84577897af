import type { DataSource } from 'typeorm';

/** Buffers (bytea columns, Kafka values and headers) as text, so a secret stored as bytes is found too. */
export const asText = (value: unknown): string =>
  JSON.stringify(value, (_key, v: unknown) => {
    if (
      v !== null &&
      typeof v === 'object' &&
      (v as { type?: unknown }).type === 'Buffer' &&
      Array.isArray((v as { data?: unknown }).data)
    )
      return Buffer.from((v as { data: number[] }).data).toString('utf8');
    return v;
  });

/** Every row of every table of the service's database, as text (`table: rows` per line), and the tables' names. */
export async function databaseText(db: DataSource): Promise<{ tables: string[]; text: string }> {
  const rows: Array<{ table_name: string }> = await db.query(
    `SELECT table_name FROM information_schema.tables WHERE table_schema = 'public' AND table_type = 'BASE TABLE'`,
  );
  const tables = rows.map((t) => t.table_name);
  const text = (
    await Promise.all(tables.map(async (t) => `${t}: ${asText(await db.query(`SELECT * FROM "${t}"`))}`))
  ).join('\n');
  return { tables, text };
}

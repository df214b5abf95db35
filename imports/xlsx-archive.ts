import { Transform, type Readable } from 'node:stream';
import yauzl, { type Entry, type ZipFile } from 'yauzl';
import { UnreadableSheet } from './unreadable-sheet.js';

/**
 * An XLSX file's ZIP archive, opened so that what it unpacks is bounded: a
 * few kilobytes of deflate can expand to gigabytes, so every entry's bytes
 * are counted as they are inflated, against one budget for the whole file.
 * Entries come from the central directory, and yauzl checks each one's
 * inflated size against the size it declares.
 */
export interface ArchiveLimits {
  /** Inflated bytes of all entries read, together. */
  maxUnpackedBytes: number;
  maxEntries: number;
}

export interface XlsxArchive {
  has(name: string): boolean;
  /** The entry's inflated bytes; the stream fails with UnreadableSheet once the budget is spent. */
  open(name: string): Promise<Readable>;
  close(): void;
}

const megabytes = (bytes: number) => `${Math.round(bytes / 1024 / 1024)} MB`;

export async function openXlsxArchive(file: Buffer, limits: ArchiveLimits): Promise<XlsxArchive> {
  const zip = await new Promise<ZipFile>((resolve, reject) =>
    yauzl.fromBuffer(file, { lazyEntries: true, validateEntrySizes: true, decodeStrings: true }, (error, opened) =>
      error ? reject(new UnreadableSheet(`The XLSX file cannot be read: ${error.message}`)) : resolve(opened),
    ),
  );
  if (zip.entryCount > limits.maxEntries) {
    zip.close();
    throw new UnreadableSheet(`The XLSX file holds ${zip.entryCount} parts; a spreadsheet has at most ${limits.maxEntries}.`, 'max-parts');
  }
  const entries = await new Promise<Map<string, Entry>>((resolve, reject) => {
    const found = new Map<string, Entry>();
    zip.on('entry', (entry: Entry) => {
      found.set(entry.fileName, entry);
      zip.readEntry();
    });
    zip.once('end', () => resolve(found));
    zip.once('error', (error: Error) => reject(new UnreadableSheet(`The XLSX file cannot be read: ${error.message}`)));
    zip.readEntry();
  });

  let unpacked = 0;
  const tooLarge = () =>
    new UnreadableSheet(`The XLSX file unpacks to more than ${megabytes(limits.maxUnpackedBytes)}; a listing spreadsheet is far smaller.`, 'max-unpacked-size');
  const counted = () =>
    new Transform({
      transform(chunk: Buffer, _encoding, done) {
        unpacked += chunk.length;
        done(unpacked > limits.maxUnpackedBytes ? tooLarge() : null, chunk);
      },
    });

  return {
    has: (name) => entries.has(name),
    async open(name) {
      const entry = entries.get(name);
      if (!entry) throw new UnreadableSheet(`The XLSX file has no ${name}.`);
      // A declared size already over the budget is refused before anything is inflated.
      if (unpacked + entry.uncompressedSize > limits.maxUnpackedBytes) throw tooLarge();
      const stream = await new Promise<Readable>((resolve, reject) =>
        zip.openReadStream(entry, (error, opened) => (error ? reject(new UnreadableSheet(`The XLSX file cannot be read: ${error.message}`)) : resolve(opened))),
      );
      const limited = counted();
      stream.once('error', (error) => limited.destroy(error instanceof UnreadableSheet ? error : new UnreadableSheet(`The XLSX file cannot be read: ${error.message}`)));
      return stream.pipe(limited);
    },
    close: () => zip.close(),
  };
}

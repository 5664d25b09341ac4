import { readFileSync } from 'node:fs';
import { inflateRawSync } from 'node:zlib';

/** ZIP record signatures and the compression methods serverless writes (stored and deflate). */
const END_OF_CENTRAL_DIRECTORY = 0x06054b50;
const CENTRAL_DIRECTORY_ENTRY = 0x02014b50;
const STORED = 0;
const DEFLATE = 8;

/** Reads every file of a ZIP archive into memory (enough for the packaged Lambda bundles; no ZIP64). */
export function readZip(file: string): Map<string, Buffer> {
  const data = readFileSync(file);
  let end = data.length - 22;
  while (end >= 0 && data.readUInt32LE(end) !== END_OF_CENTRAL_DIRECTORY) end -= 1;
  if (end < 0) throw new Error(`${file} is not a ZIP archive`);
  const count = data.readUInt16LE(end + 10);
  let offset = data.readUInt32LE(end + 16);
  const files = new Map<string, Buffer>();
  for (let index = 0; index < count; index += 1) {
    if (data.readUInt32LE(offset) !== CENTRAL_DIRECTORY_ENTRY) throw new Error(`${file}: corrupt central directory`);
    const method = data.readUInt16LE(offset + 10);
    const compressedSize = data.readUInt32LE(offset + 20);
    const nameLength = data.readUInt16LE(offset + 28);
    const extraLength = data.readUInt16LE(offset + 30);
    const commentLength = data.readUInt16LE(offset + 32);
    const localHeader = data.readUInt32LE(offset + 42);
    const name = data.toString('utf8', offset + 46, offset + 46 + nameLength);
    const start = localHeader + 30 + data.readUInt16LE(localHeader + 26) + data.readUInt16LE(localHeader + 28);
    const compressed = data.subarray(start, start + compressedSize);
    if (method !== STORED && method !== DEFLATE) throw new Error(`${file}: ${name} uses compression method ${method}`);
    files.set(name, method === STORED ? compressed : inflateRawSync(compressed));
    offset += 46 + nameLength + extraLength + commentLength;
  }
  return files;
}

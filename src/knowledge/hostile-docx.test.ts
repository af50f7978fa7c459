/**
 * Hostile Word files (issue 12): zip bombs built here — a .docx whose XML unpacks to tens of
 * megabytes of tiny paragraphs, too many parts, XML past the size limit — are refused from the
 * zip's central directory within a few seconds; a file that passes those checks but is slow to
 * parse is stopped by the worker's time limit (or its heap limit) while the main thread keeps
 * serving; a normal .docx still parses.
 */
import { createServer, get, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { strToU8 } from 'fflate';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DocumentFormatError } from './document.ts';
import { checkDocxArchive, docxLimits } from './formats.ts';
import { parseUpload, readUpload } from './ingest.ts';
import { docxBomb, docxWithXml as docxWith, documentXml, sampleDocx, slowDocx, tinyParagraphs } from './testing-fixtures.ts';

async function refusal(promise: Promise<unknown>): Promise<{ error: DocumentFormatError }> {
  try {
    await promise;
  } catch (error) {
    expect(error).toBeInstanceOf(DocumentFormatError);
    return { error: error as DocumentFormatError };
  }
  throw new Error('expected the file to be refused');
}

describe('hostile Word files', () => {
  let bomb: Uint8Array;
  beforeAll(async () => {
    bomb = await docxBomb();
  });

  it('a docx bomb (60 MB of tiny paragraphs) is refused from its zip directory, before anything is unpacked', async () => {
    expect(bomb.length).toBeLessThan(1024 * 1024);
    const { error } = await refusal(readUpload(bomb, 'bomb.docx'));
    expect(error.message).toMatch(/^bomb\.docx: /u);
    expect(error.message).toMatch(/恶意构造/u);
    expect(error.message).toMatch(/zip bomb/u);
    // The refusal comes from the central directory alone: the synchronous check that inflates nothing says the same.
    expect(() => checkDocxArchive(bomb, 'bomb.docx')).toThrow(error.message);
    // The in-process path (used when no worker can start) applies the same checks.
    await expect(parseUpload(bomb, 'bomb.docx')).rejects.toThrow(/zip bomb/u);
  });

  it('a small file whose XML packs more than 100 : 1 (the 16 KB → 5 MB case) is refused by its compression ratio', async () => {
    const file = await docxWith(documentXml(tinyParagraphs(130_000)));
    expect(file.length).toBeLessThan(64 * 1024);
    const { error } = await refusal(readUpload(file, 'small-bomb.docx'));
    expect(error.message).toMatch(/压缩比.*compression ratio marks a bomb/u);
  });

  it('XML past the unpacked-size limit is refused even when it packs like ordinary text', async () => {
    let seed = 7;
    const noise = (): string => {
      seed = (seed * 1103515245 + 12345) % 2 ** 31;
      return seed.toString(36);
    };
    const part = documentXml(tinyParagraphs(150_000, noise)); // about 6.5 MB, 26 MB in four parts
    const file = await docxWith(part, { level: 1, extra: { 'word/a.xml': strToU8(part), 'word/b.xml': strToU8(part), 'word/c.xml': strToU8(part) } });
    expect(file.length).toBeLessThan(20 * 1024 * 1024);
    const { error } = await refusal(readUpload(file, 'big-xml.docx'));
    expect(error.message).toMatch(/XML 解压后超过 20 MB.*past the unpacked-size limit/u);
    expect(() => checkDocxArchive(file, 'big-xml.docx')).toThrow(error.message);
  });

  it('more parts than the limit are refused', async () => {
    const extra: Record<string, Uint8Array> = {};
    for (let i = 0; i <= docxLimits.maxEntries; i += 1) extra[`word/media/p${i}.xml`] = strToU8('<a/>');
    const { error } = await refusal(readUpload(await docxWith(documentXml(tinyParagraphs(3)), { extra }), 'many.docx'));
    expect(error.message).toMatch(/2000.*entries/u);
  });

  it('a broken zip is refused as an unreadable Word file', () => {
    expect(() => checkDocxArchive(new Uint8Array([0x50, 0x4b, 0x03, 0x04, 1, 2, 3]), 'broken.docx')).toThrow(/Word 文件已损坏/u);
  });

  describe('a file that passes the zip checks but is slow to parse', () => {
    let slow: Uint8Array;
    let server: Server;
    beforeAll(async () => {
      slow = await slowDocx();
      checkDocxArchive(slow, 'slow.docx');
      server = createServer((_request, response) => response.end('ok'));
      await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    });
    afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

    it('is stopped at the time limit in a worker while the main thread keeps answering', async () => {
      let settled = false;
      const parse = refusal(readUpload(slow, 'slow.docx', {}, { timeoutMs: 2500 })).finally(() => (settled = true));
      const ask = (): Promise<string> =>
        new Promise((resolve, reject) => {
          const port = (server.address() as AddressInfo).port;
          get(`http://127.0.0.1:${port}/healthz`, (response) => {
            let body = '';
            response.on('data', (chunk: Buffer) => (body += chunk.toString()));
            response.on('end', () => resolve(body));
          }).on('error', reject);
        });
      // Answers that came back while the parse was still running: a parse on the main thread would
      // hold the event loop until it ended, so none could (an order, not a clock, is asserted).
      const answeredDuringParse: string[] = [];
      while (!settled) {
        const answer = await ask();
        if (!settled) answeredDuringParse.push(answer);
      }
      const { error } = await parse;
      expect(error.message).toMatch(/^slow\.docx: .*2\.5 秒.*parsing took longer than 2\.5 s/u);
      expect(answeredDuringParse.length).toBeGreaterThanOrEqual(3);
      expect(new Set(answeredDuringParse)).toEqual(new Set(['ok']));
    });

    it('is stopped when it needs more than the worker’s heap', async () => {
      const { error } = await refusal(readUpload(slow, 'slow.docx', {}, { maxHeapMb: 24, timeoutMs: 30_000 }));
      expect(error.message).toMatch(/内存.*more than 24 MB of memory/u);
    });
  });

  it('a normal Word file still parses (in the worker)', async () => {
    const upload = await readUpload(await sampleDocx(), '实习通知.docx');
    expect(upload.source.kind).toBe('docx');
    expect(upload.document.body).toMatch(/第一条/u);
  });
});

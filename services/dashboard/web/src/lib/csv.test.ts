import { describe, expect, it } from 'vitest';
import { csvCell, exportFileName, toCsv, toRecords } from './csv.js';

describe('csv', () => {
  it('quotes only what needs quoting', () => {
    expect(csvCell('plain')).toBe('plain');
    expect(csvCell(42)).toBe('42');
    expect(csvCell(-1.5)).toBe('-1.5');
    expect(csvCell(true)).toBe('true');
    expect(csvCell(null)).toBe('');
    expect(csvCell('a,b')).toBe('"a,b"');
    expect(csvCell('say "hi"')).toBe('"say ""hi"""');
    expect(csvCell('two\nlines')).toBe('"two\nlines"');
    expect(csvCell(' padded')).toBe('" padded"');
  });

  it('defuses spreadsheet formulas in text cells', () => {
    expect(csvCell('=HYPERLINK("x")')).toBe('"\'=HYPERLINK(""x"")"');
    expect(csvCell('+1')).toBe("'+1");
    expect(csvCell('@SUM(A1)')).toBe("'@SUM(A1)");
  });

  it('builds a document with CRLF line ends', () => {
    expect(
      toCsv(
        ['Model', 'Requests'],
        [
          ['llama3', 3],
          ['qwen, 7b', null],
        ],
      ),
    ).toBe('Model,Requests\r\nllama3,3\r\n"qwen, 7b",\r\n');
  });

  it('builds records for JSON', () => {
    expect(toRecords(['model', 'requests'], [['llama3', 3], ['qwen']])).toEqual([
      { model: 'llama3', requests: 3 },
      { model: 'qwen', requests: null },
    ]);
  });

  it('makes safe file names', () => {
    const now = new Date('2026-03-05T10:00:00Z');
    expect(exportFileName('Request log', 'csv', now)).toBe('request-log-2026-03-05.csv');
    expect(exportFileName('***', 'json', now)).toBe('export-2026-03-05.json');
  });
});

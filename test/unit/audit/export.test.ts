import { formatAudit } from '../../../src/audit/export';
import type { AuditEntry } from '../../../src/model/audit';

const header = 'id,at,event,actor_id,operation,channel_id,request_id,targets,outcome,detail';

const requested: AuditEntry = {
  id: 1,
  at: new Date('2026-11-23T10:00:00.000Z'),
  event: 'requested',
  actorId: 'U_REQUESTER',
  operation: 'delete-peer',
  channelId: 'C_OPS',
  requestId: 'R-ABCDEF',
  targets: ['instance-1', 'peer-1', 'peer-2'],
  detail: 'incident 42',
};
const refused: AuditEntry = {
  id: 2,
  at: new Date('2026-11-23T10:05:00.000Z'),
  event: 'refused',
  actorId: 'U_OTHER',
  targets: [],
  outcome: 'no_role',
};

/** RFC 4180 read back: quoted fields may hold commas, doubled quotes and line breaks. */
function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let field = '';
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const char = text[i];
    if (quoted) {
      if (char === '"' && text[i + 1] === '"') field += text[++i];
      else if (char === '"') quoted = false;
      else field += char;
    } else if (char === '"') quoted = true;
    else if (char === ',') {
      row.push(field);
      field = '';
    } else if (char === '\r' && text[i + 1] === '\n') {
      rows.push([...row, field]);
      row = [];
      field = '';
      i++;
    } else field += char;
  }
  expect(field).toBe('');
  return rows;
}

describe('formatAudit as CSV', () => {
  test('a header row, then one row per entry, oldest first, CRLF line ends', () => {
    expect(formatAudit([refused, requested], 'csv')).toBe(
      `${header}\r\n` +
        '1,2026-11-23T10:00:00.000Z,requested,U_REQUESTER,delete-peer,C_OPS,R-ABCDEF,instance-1 peer-1 peer-2,,incident 42\r\n' +
        '2,2026-11-23T10:05:00.000Z,refused,U_OTHER,,,,,no_role,\r\n',
    );
  });

  test('no entries: the header alone', () => {
    expect(formatAudit([], 'csv')).toBe(`${header}\r\n`);
  });

  test('entries at the same time keep the order they were appended in', () => {
    const sameTime = { ...refused, id: 3, at: requested.at };
    expect(parseCsv(formatAudit([sameTime, requested], 'csv')).map((row) => row[0])).toEqual(['id', '1', '3']);
  });

  test.each([
    ['a comma', 'no, not now', '"no, not now"'],
    ['quotes', 'he said "go"', '"he said ""go"""'],
    ['a line break', 'line one\nline two', '"line one\nline two"'],
    ['a carriage return', 'one\r\ntwo', '"one\r\ntwo"'],
    ['an equals sign past its start', 'a=b', 'a=b'],
    ['nothing special', 'plain', 'plain'],
  ])('writes a field with %s as RFC 4180 has it', (_what, detail, field) => {
    const csv = formatAudit([{ ...refused, detail }], 'csv');
    expect(csv.endsWith(`,${field}\r\n`)).toBe(true);
    expect(parseCsv(csv)[1][9]).toBe(detail);
  });

  test.each(['=HYPERLINK("http://evil.example")', '+1+2', '-2+3', '@SUM(A1)', '\t=1', '\r=1'])(
    'makes a field starting like a formula (%j) text with a leading apostrophe',
    (value) => {
      const rows = parseCsv(formatAudit([{ ...refused, actorId: value, detail: value, targets: [value, 'peer-2'] }], 'csv'));
      expect(rows[1][3]).toBe(`'${value}`);
      expect(rows[1][7]).toBe(`'${value} peer-2`);
      expect(rows[1][9]).toBe(`'${value}`);
    },
  );

  test('every row has every column, whatever the fields hold', () => {
    const tricky = { ...requested, id: 3, at: new Date('2026-11-23T10:10:00.000Z'), detail: '=a,"b"\nc', targets: ['-x', 'y,z'] };
    const rows = parseCsv(formatAudit([requested, refused, tricky], 'csv'));
    expect(rows.map((row) => row.length)).toEqual([10, 10, 10, 10]);
    expect(rows[3].slice(7)).toEqual(["'-x y,z", '', '\'=a,"b"\nc']);
  });
});

describe('formatAudit as JSON Lines', () => {
  test('one object per line, oldest first, reading back to the same entries', () => {
    const multiline = { ...refused, detail: 'line one\nline two, "quoted"' };
    const text = formatAudit([multiline, requested], 'jsonl');
    const lines = text.split('\n');
    expect(lines).toHaveLength(3);
    expect(lines[2]).toBe('');
    const read = lines.slice(0, 2).map((line) => {
      const parsed = JSON.parse(line) as AuditEntry & { at: string };
      return { ...parsed, at: new Date(parsed.at) };
    });
    expect(read).toEqual([requested, multiline]);
  });

  test('fields are named as in AuditEntry, dates in ISO 8601, unset fields left out', () => {
    expect(JSON.parse(formatAudit([refused], 'jsonl'))).toStrictEqual({
      id: 2,
      at: '2026-11-23T10:05:00.000Z',
      event: 'refused',
      actorId: 'U_OTHER',
      targets: [],
      outcome: 'no_role',
    });
  });

  test('no entries: nothing at all', () => {
    expect(formatAudit([], 'jsonl')).toBe('');
  });
});

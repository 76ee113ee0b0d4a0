// The transaction lifecycle as data: which status can follow which, and which are still moving or
// final (src/statuses.ts, src/status/machine.ts).
import { predecessorsOf } from '../../src/status/machine.js';
import { ACTIVE, IN_FLIGHT, isActive, isTerminal, NOT_EXECUTED, TERMINAL, TRANSACTION_STATUSES, type TransactionStatus } from '../../src/statuses.js';

const PREDECESSORS: [TransactionStatus, TransactionStatus[]][] = [
  ['ACCEPTED', []],
  ['SUBMITTING', ['ACCEPTED']],
  ['SUBMITTED', ['SUBMITTING']],
  ['CONFIRMED', ['SUBMITTED']],
  ['REVERTED', ['SUBMITTED']],
  ['FAILED', ['ACCEPTED', 'SUBMITTING', 'SUBMITTED']],
  ['EXPIRED', ['ACCEPTED', 'SUBMITTING', 'SUBMITTED']],
];

describe('the status machine', () => {
  it('has a row here for every status', () => {
    expect(PREDECESSORS.map(([status]) => status)).toEqual([...TRANSACTION_STATUSES]);
  });

  it.each(PREDECESSORS)('%s is reached only from %j', (status, from) => {
    expect([...predecessorsOf(status)].sort()).toEqual([...from].sort());
  });

  it('never moves a final status again, nor back to ACCEPTED', () => {
    for (const status of TRANSACTION_STATUSES) {
      for (const from of predecessorsOf(status)) expect(isTerminal(from)).toBe(false);
    }
    expect(predecessorsOf('ACCEPTED')).toEqual([]);
  });

  it('can end a transaction FAILED or EXPIRED from any status still moving', () => {
    for (const end of NOT_EXECUTED) expect([...predecessorsOf(end)].sort()).toEqual([...ACTIVE].sort());
  });
});

describe('the status vocabulary', () => {
  const ROWS: [TransactionStatus, { active: boolean; terminal: boolean; inFlight: boolean; executed: boolean }][] = [
    ['ACCEPTED', { active: true, terminal: false, inFlight: false, executed: false }],
    ['SUBMITTING', { active: true, terminal: false, inFlight: true, executed: false }],
    ['SUBMITTED', { active: true, terminal: false, inFlight: true, executed: false }],
    ['CONFIRMED', { active: false, terminal: true, inFlight: false, executed: true }],
    ['REVERTED', { active: false, terminal: true, inFlight: false, executed: true }],
    ['FAILED', { active: false, terminal: true, inFlight: false, executed: false }],
    ['EXPIRED', { active: false, terminal: true, inFlight: false, executed: false }],
  ];

  it.each(ROWS)('%s: %j', (status, { active, terminal, inFlight, executed }) => {
    expect(isActive(status)).toBe(active);
    expect(isTerminal(status)).toBe(terminal);
    expect((IN_FLIGHT as readonly string[]).includes(status)).toBe(inFlight);
    // Executed on-chain: final, and not one that gives its quota and debit back.
    expect(terminal && !(NOT_EXECUTED as readonly string[]).includes(status)).toBe(executed);
  });

  it('splits every status into exactly one of active and final', () => {
    expect([...ACTIVE, ...TERMINAL].sort()).toEqual([...TRANSACTION_STATUSES].sort());
    expect(ROWS.map(([status]) => status)).toEqual([...TRANSACTION_STATUSES]);
  });
});

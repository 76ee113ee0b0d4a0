// What the definitions' own tests share: contract addresses to build calls on, and an accept context
// that throws when read, for the checks that must refuse before reading the chain or the database.
import { getAddress } from 'viem';
import type { AcceptContext, Requester } from '../../src/operations/types.js';

export const contracts = {
  token: getAddress('0x1000000000000000000000000000000000000001'),
  claimVault: getAddress('0x2000000000000000000000000000000000000002'),
};

export const untouchable = new Proxy(
  {},
  {
    get: () => {
      throw new Error('these checks read nothing');
    },
  },
) as AcceptContext;

export const requester = {} as Requester;

// Every HTTP operation, one file each, named after its operationId in openapi.json.
import type { Route } from '../route.js';
import { createToken } from './createToken.js';
import { createWallet } from './createWallet.js';
import { getBalance } from './getBalance.js';

export const routes: Route[] = [createToken, createWallet, getBalance];

import { listClientTokens } from '../../../admin/client-tokens.js';
import { withAdminDb } from '../../admin-db.js';
import type { CommandInput } from '../../command.js';
import { tokenLines } from './print.js';

export async function run({ out, args }: CommandInput): Promise<void> {
  const tokens = await withAdminDb((db, env) => listClientTokens(db, env.chain, args.ID));
  out.result({ clientId: args.ID, tokens }, tokenLines(args.ID, tokens));
}

import { setClientTokenLimits } from '../../../admin/client-tokens.js';
import { withAdminDb } from '../../admin-db.js';
import { UsageError } from '../../output.js';
import type { CommandInput } from '../../command.js';
import { tokenLines } from './print.js';

export async function run({ out, args }: CommandInput): Promise<void> {
  const spec = args.LIMITS.trim();
  // "1/500", "none/500", "1/none", or '-' to lift both ('-' is also taken for none after `--`).
  const parts = spec === '-' ? ['none', 'none'] : spec.split('/');
  if (parts.length !== 2 || parts.some((p) => p.trim() === '')) throw new UsageError(`LIMITS '${spec}' is not MIN/MAX (e.g. 1/500, none/500) or '-'`);
  const [min, max] = parts.map((p) => (['none', '-'].includes(p.trim()) ? null : p.trim()));
  const tokens = await withAdminDb((db, env) => setClientTokenLimits(db, env.chain, args.ID, args.TOKEN, { min, max }));
  out.result({ clientId: args.ID, tokens }, tokenLines(args.ID, tokens));
}

import { rotateClientSecret } from '../../../admin/clients.js';
import { withAdminDb } from '../../admin-db.js';
import type { CommandInput } from '../../command.js';
import { chronosHome } from '../../../runtime/home.js';

export async function run({ out, args }: CommandInput): Promise<void> {
  const { client, clientSecret } = await withAdminDb(async (db, env) => {
    const rotated = await rotateClientSecret(db, args.ID);
    // The demo client's secret is also in .chronos/dev.json and the banner: keep them working.
    if (env.embedded)
      await (await import('../../../runtime/demo-credentials.js')).recordDemoClientSecrets(chronosHome(), rotated.client.clientId, {
        clientSecret: rotated.clientSecret,
      });
    return rotated;
  });
  out.result({ ...client, clientSecret }, [`new clientSecret for ${client.clientId}: ${clientSecret}   (shown once)`]);
}

// The SDK package itself: its types are the ones openapi.json generates today (regenerated here and
// compared, so a change to the API that skipped `npm run generate -w sdk` fails), it builds with its own
// compiler, and the built package loads as `@chronos/sdk` the way an application imports it.
import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { getAddress, parseEther } from 'viem';
import { mintMessageHash as sdkMintMessageHash } from '../../sdk/src/index.js';
import { mintMessageHash } from '../../src/operations/mint/message-hash.js';

const run = promisify(execFile);
const sdk = join(process.cwd(), 'sdk');

describe('@chronos/sdk package', () => {
  it('has the types openapi.json generates now', async () => {
    const scratch = await mkdtemp(join(tmpdir(), 'chronos-sdk-types-'));
    try {
      const fresh = join(scratch, 'openapi.ts');
      await run(process.execPath, [join(sdk, 'node_modules/openapi-typescript/bin/cli.js'), 'openapi.json', '--output', fresh]);
      const committed = await readFile(join(sdk, 'src/generated/openapi.ts'), 'utf8');
      // Not a diff of 2,000 lines: a drift should say what to run.
      const verdict =
        (await readFile(fresh, 'utf8')) === committed ? 'current' : 'stale: run `npm run generate -w sdk` and commit sdk/src/generated/openapi.ts';
      expect(verdict).toBe('current');
    } finally {
      await rm(scratch, { recursive: true, force: true });
    }
  });

  it('builds with its own TypeScript and loads as @chronos/sdk', async () => {
    await run(process.execPath, [join(sdk, 'node_modules/typescript/bin/tsc'), '-p', join(sdk, 'tsconfig.json')]);
    const { stdout } = await run(process.execPath, [
      '--input-type=module',
      '-e',
      `const sdk = await import('@chronos/sdk');
       console.log(JSON.stringify({ exports: Object.keys(sdk).sort(), chronos: typeof new sdk.Chronos({ baseUrl: 'http://127.0.0.1:1', clientId: 'c', clientSecret: 's' }).user }));`,
    ]);
    expect(JSON.parse(stdout)).toEqual({
      exports: [
        'Certificates',
        'Chronos',
        'ChronosError',
        'ChronosUser',
        'Payments',
        'TERMINAL_STATUSES',
        'Transaction',
        'Transactions',
        'UserCertificates',
        'UserPayments',
        'UserWallets',
        'isTerminal',
        'mintMessageHash',
        'verifyWebhook',
      ],
      chronos: 'function',
    });
    const declarations = await readFile(join(sdk, 'dist/index.d.ts'), 'utf8');
    expect(declarations).toContain("export { Chronos, type ChronosOptions } from './chronos.js';");
  });

  it('signs the message hash ChronosToken checks', () => {
    const values = {
      userAddress: getAddress('0x5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a'),
      receiptId: 'order-1',
      amount: parseEther('100'),
      expiryBlock: 1234n,
      nonce: 2n,
    };
    const token = getAddress('0x7e7e7e7e7e7e7e7e7e7e7e7e7e7e7e7e7e7e7e7e');
    expect(sdkMintMessageHash({ contractAddress: token, chainId: 31337, ...values })).toBe(
      mintMessageHash({
        token,
        chainId: 31337,
        to: values.userAddress,
        receiptId: values.receiptId,
        amount: values.amount,
        expiryBlock: values.expiryBlock,
        nonce: values.nonce,
      }),
    );
  });
});

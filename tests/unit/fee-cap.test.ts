// MAX_FEE_PER_GAS_GWEI and FEE_SPIKE_WAIT_SECONDS as configured, and the fees the cap lets Chronos sign.
import { parseGwei } from 'viem';
import { parseConfig } from '../../src/config/load.js';
import { FeesAboveCapError, feesToSign } from '../../src/userop/fee-cap.js';
import { externalEnv } from '../support/external-env.js';

const gwei = (v: string) => parseGwei(v);

describe('configuration', () => {
  it('waits 60 s for an underpriced operation and caps nothing by default', () => {
    expect(parseConfig(externalEnv, 'external').fees).toEqual({ spikeWaitSeconds: 60 });
  });

  it('reads the cap in gwei, exactly, decimals included', () => {
    expect(parseConfig({ ...externalEnv, MAX_FEE_PER_GAS_GWEI: '50' }, 'external').fees.maxFeePerGasWei).toBe(gwei('50'));
    expect(parseConfig({ ...externalEnv, MAX_FEE_PER_GAS_GWEI: '0.000000001' }, 'external').fees.maxFeePerGasWei).toBe(1n);
    expect(parseConfig({ ...externalEnv, FEE_SPIKE_WAIT_SECONDS: '300' }, 'external').fees.spikeWaitSeconds).toBe(300);
  });

  it.each(['0', '0.0', '-1', 'ten', '1.0000000001', '1e3'])('refuses MAX_FEE_PER_GAS_GWEI=%s', (value) => {
    expect(() => parseConfig({ ...externalEnv, MAX_FEE_PER_GAS_GWEI: value }, 'external')).toThrow(/^MAX_FEE_PER_GAS_GWEI /m);
  });
});

describe('feesToSign', () => {
  const quote = { maxFeePerGas: gwei('10'), maxPriorityFeePerGas: gwei('1') };

  it('is the quote, bumped, without a cap', () => {
    expect(feesToSign(quote, {})).toEqual(quote);
    expect(feesToSign(quote, { bumpPercent: 50 })).toEqual({ maxFeePerGas: gwei('15'), maxPriorityFeePerGas: gwei('1.5') });
  });

  it('cuts a bump back to the cap, which the quote is under', () => {
    expect(feesToSign(quote, { bumpPercent: 50, cap: gwei('12') })).toEqual({ maxFeePerGas: gwei('12'), maxPriorityFeePerGas: gwei('1.5') });
    expect(feesToSign(quote, { cap: gwei('10') })).toEqual(quote);
  });

  it('never lets the priority fee exceed the capped maxFeePerGas', () => {
    expect(feesToSign({ maxFeePerGas: gwei('10'), maxPriorityFeePerGas: gwei('10') }, { bumpPercent: 50, cap: gwei('11') })).toEqual({
      maxFeePerGas: gwei('11'),
      maxPriorityFeePerGas: gwei('11'),
    });
  });

  it('signs nothing when the quote alone is above the cap', () => {
    expect(() => feesToSign(quote, { cap: gwei('9.99') })).toThrow(FeesAboveCapError);
    expect(() => feesToSign(quote, { cap: gwei('9.99') })).toThrow('current fees (maxFeePerGas 10 gwei) are above MAX_FEE_PER_GAS_GWEI=9.99');
  });
});

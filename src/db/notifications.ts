// One LISTEN connection per process, whoever in it waits for notifications (the status waiter, the
// inclusion tracker): a pooled client LISTENs on the channels asked for and fans each notification out
// to its channel's subscribers. After a lost connection it connects and LISTENs again; what was
// notified in between is gone, so subscribers are told (onGap) and look for themselves.
import type pg from 'pg';

export type NotificationSubscriber = {
  onNotify(payload: string | undefined): void;
  /** LISTEN was set up again after the connection was lost: notifications in between were missed. */
  onGap?(): void;
};

export type Notifications = {
  /** Hears `channel` (one of those it was created with) until the returned function is called. */
  subscribe(channel: string, subscriber: NotificationSubscriber): () => void;
  /** Connects and LISTENs once (retrying in the background when that fails). */
  start(): Promise<void>;
  stop(): Promise<void>;
};

const RETRY_MS = 1_000;

/** The logger's one method used here (db/ imports nothing above it). */
type WarnLogger = { warn(details: object, message: string): void };

export function createNotifications(ctx: { pool: pg.Pool; logger: WarnLogger }, { channels }: { channels: readonly string[] }): Notifications {
  const subscribers = new Map<string, Set<NotificationSubscriber>>(channels.map((channel) => [channel, new Set()]));
  let listener: pg.PoolClient | undefined;
  let listenedBefore = false;
  let stopped = false;
  const handedBack = new WeakSet<object>();

  const notify = (channel: string, payload: string | undefined) => {
    for (const subscriber of subscribers.get(channel) ?? []) subscriber.onNotify(payload);
  };
  const gap = () => {
    for (const set of subscribers.values()) for (const subscriber of set) subscriber.onGap?.();
  };

  const listen = async (): Promise<void> => {
    if (stopped) return;
    const retry = () => setTimeout(() => void listen(), RETRY_MS).unref();
    let client: pg.PoolClient;
    try {
      client = await ctx.pool.connect();
    } catch (error) {
      ctx.logger.warn({ err: error }, 'status listener could not connect; retrying');
      retry();
      return;
    }
    // Once, whichever comes first: its error, a failed LISTEN, or stop(). A client kept after a failure
    // would be lost to the pool for good, one per attempt during an outage.
    const handBack = (): boolean => {
      if (handedBack.has(client)) return false;
      handedBack.add(client);
      client.release(true);
      if (listener === client) listener = undefined;
      return true;
    };
    client.on('notification', (msg) => notify(msg.channel, msg.payload));
    client.on('error', () => {
      if (handBack() && !stopped) retry();
    });
    try {
      for (const channel of channels) await client.query(`listen ${channel}`);
      listener = client;
      // stop() ran while this was connecting: it saw no listener to hand back.
      if (stopped) handBack();
      else if (listenedBefore) gap();
      listenedBefore = true;
    } catch (error) {
      ctx.logger.warn({ err: error }, 'status listener could not listen; retrying');
      if (handBack() && !stopped) retry();
    }
  };

  return {
    subscribe(channel, subscriber) {
      const set = subscribers.get(channel);
      if (!set) throw new Error(`not listening on ${channel}; listening on ${channels.join(', ')}`);
      set.add(subscriber);
      return () => set.delete(subscriber);
    },
    start: listen,
    async stop() {
      stopped = true;
      if (!listener) return;
      const client = listener;
      listener = undefined;
      for (const channel of channels) await client.query(`unlisten ${channel}`).catch(() => {});
      if (!handedBack.has(client)) {
        handedBack.add(client);
        client.release();
      }
    },
  };
}

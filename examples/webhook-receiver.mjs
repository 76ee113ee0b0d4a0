// A webhook receiver with the SDK: verifies each delivery (Standard Webhooks, on the raw body) and hands
// it to the SDK, so a `tx.wait()` in this process ends as soon as its outcome arrives.
//   WEBHOOK_SECRET=whsec_… PORT=4000 node examples/webhook-receiver.mjs
import { createServer } from 'node:http';
import { Chronos, ChronosError } from '@chronos/sdk';

const secret = process.env.WEBHOOK_SECRET;
if (!secret) throw new Error('set WEBHOOK_SECRET to your whsec_… secret');
const chronos = new Chronos({
  baseUrl: process.env.CHRONOS_URL,
  clientId: process.env.CLIENT_ID,
  clientSecret: process.env.CLIENT_SECRET,
  webhookSecret: secret,
});

createServer((req, res) => {
  const chunks = [];
  req.on('data', (chunk) => chunks.push(chunk));
  req.on('end', () => {
    try {
      const event = chronos.handleWebhook(Buffer.concat(chunks), req.headers);
      // Deliveries come at least once: de-duplicate on event.id before acting on it.
      console.log(event.id, event.event, event.data?.transactionId ?? '');
      res.writeHead(204).end();
    } catch (error) {
      if (!(error instanceof ChronosError)) throw error;
      res.writeHead(400).end(error.code);
    }
  });
}).listen(Number(process.env.PORT ?? 4000), '127.0.0.1');

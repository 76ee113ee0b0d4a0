// The accept baseline: a bare Express 5 app answering the same request (POST JSON, Bearer header,
// X-User-Id) with a 202 JSON body, in a process of its own like Chronos. Only what any JSON API does:
// parse the body, answer. Usage: node --import tsx bench/bare-express.ts PORT
import express from 'express';

const port = Number(process.argv[2]);
const app = express();
app.disable('x-powered-by');
app.set('etag', false);
app.use(express.json({ limit: 64 * 1024 }));
let n = 0;
app.post('/api/v1/wallet/transfer', (req, res) => {
  const { to, amount } = req.body as { to?: string; amount?: string };
  if (!to || !amount || !req.headers['x-user-id']) return void res.status(400).json({ error: 'bad request', code: 'VALIDATION_ERROR' });
  res.status(202).json({ transactionId: `tx_${(++n).toString(36).padStart(26, '0')}`, status: 'ACCEPTED' });
});
app.get('/healthz', (_req, res) => void res.json({ status: 'ok' }));
process.on('disconnect', () => process.exit(0));
process.on('SIGTERM', () => process.exit(0));
app.listen(port, '127.0.0.1');

// A department system's receiver of the coordinator's webhooks: it checks the
// signature, drops repeats by delivery id, and applies the change.
//   WEBHOOK_SECRET=… PORT=8080 node docs/examples/webhook-receiver.mjs
import { createHmac, timingSafeEqual } from 'node:crypto';
import { createServer } from 'node:http';

const secret = process.env.WEBHOOK_SECRET;
const seen = new Set(); // delivery ids already applied (keep them durably in a real system)

createServer((req, res) => {
  const chunks = [];
  req.on('data', (chunk) => chunks.push(chunk));
  req.on('end', () => {
    const body = Buffer.concat(chunks);
    const expected = Buffer.from(`sha256=${createHmac('sha256', secret).update(body).digest('hex')}`);
    const given = Buffer.from(req.headers['x-signature'] ?? '');
    if (given.length !== expected.length || !timingSafeEqual(given, expected)) return res.writeHead(401).end();
    const id = req.headers['x-delivery-id'];
    if (!seen.has(id)) {
      const change = JSON.parse(body.toString('utf8')); // { seq, type: 'imposed' | 'lifted', idNumber, name, measures, listingId, at }
      // … restrict or release change.idNumber in the department's own system …
      process.stdout.write(`${change.type} ${change.seq}\n`);
      seen.add(id);
    }
    res.writeHead(204).end();
  });
}).listen(Number(process.env.PORT ?? 8080), () => process.stdout.write('listening\n'));

// Baseline for the FSR ingest benchmark: a raw node:http server that parses the JSON body and
// answers 202 {"status":"ACCEPTED"}, nothing else (no validation, no storage, no stream).
import http from 'node:http';

const ACCEPTED = '{"status":"ACCEPTED"}';
const server = http.createServer((req, res) => {
  let data = '';
  req.setEncoding('utf8');
  req.on('data', (c) => (data += c));
  req.on('end', () => {
    try {
      JSON.parse(data);
    } catch {
      res.writeHead(400).end();
      return;
    }
    res.writeHead(202, { 'content-type': 'application/json', 'content-length': ACCEPTED.length }).end(ACCEPTED);
  });
});
server.listen(0, '127.0.0.1', () => console.log(`listening on http://127.0.0.1:${server.address().port}`));
process.on('SIGTERM', () => server.close(() => process.exit(0)));

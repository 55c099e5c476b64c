// An HTTP proxy in front of the S3 server that records each request and can hold back or drop
// the ones a test picks: a slow server, or one that goes away in the middle of a commit.
// Requests keep their Host header, so their signatures stay valid.

import { createServer, request as forward, type IncomingMessage, type Server } from "node:http";
import type { AddressInfo } from "node:net";

export interface S3Request {
  method: string;
  path: string;
}

/**
 * What happens to a request: forwarded (after `delayMs`), or its connection dropped unanswered
 * (`drop`: before the server sees it; `dropAnswer`: after the server has done it). With
 * `ignoreConditions`, a refused conditional write (412) is answered 200, as by a store that does
 * not check `If-None-Match` (the request itself cannot change: it is signed).
 */
export type Fate = {
  delayMs?: number;
  drop?: boolean;
  dropAnswer?: boolean;
  ignoreConditions?: boolean;
};

export interface S3Proxy {
  endpoint: string;
  /** Every request received, in order. */
  seen: S3Request[];
  /** Decides the fate of each request from now on (forwarded at once when unset). */
  decide(fate: ((request: S3Request, index: number) => Fate) | undefined): void;
  close(): Promise<void>;
}

export async function startS3Proxy(upstream: string): Promise<S3Proxy> {
  const target = new URL(upstream);
  const seen: S3Request[] = [];
  let fate: ((request: S3Request, index: number) => Fate) | undefined;
  const server: Server = createServer((incoming: IncomingMessage, outgoing) => {
    const entry = { method: incoming.method ?? "GET", path: incoming.url ?? "/" };
    const decided = fate?.(entry, seen.length) ?? {};
    seen.push(entry);
    if (decided.drop) {
      incoming.socket.destroy();
      return;
    }
    const send = () => {
      const upstreamRequest = forward(
        {
          host: target.hostname,
          port: target.port,
          method: incoming.method,
          path: incoming.url,
          headers: incoming.headers,
        },
        (answer) => {
          if (decided.dropAnswer) {
            answer.resume();
            answer.on("end", () => incoming.socket.destroy());
            return;
          }
          if (decided.ignoreConditions && answer.statusCode === 412) {
            answer.resume();
            outgoing.writeHead(200, { "content-length": "0", etag: `"${Date.now()}"` }).end();
            return;
          }
          outgoing.writeHead(answer.statusCode ?? 502, answer.headers);
          answer.pipe(outgoing);
        },
      );
      upstreamRequest.on("error", () => incoming.socket.destroy());
      incoming.pipe(upstreamRequest);
    };
    if (decided.delayMs) setTimeout(send, decided.delayMs);
    else send();
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    endpoint: `http://127.0.0.1:${port}`,
    seen,
    decide(next) {
      fate = next;
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

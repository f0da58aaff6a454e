// The part of autocannon (no published types) that bench/load.ts uses.
declare module "autocannon" {
  import type { EventEmitter } from "node:events";

  export interface RequestSpec {
    method?: string;
    path?: string;
    headers?: Record<string, string>;
    body?: string;
    setupRequest?: (
      request: RequestSpec,
      context: Record<string, unknown>,
    ) => RequestSpec | undefined;
    onResponse?: (
      status: number,
      body: string,
      context: Record<string, unknown>,
      headers: Record<string, string | undefined>,
    ) => void;
  }

  interface Options extends RequestSpec {
    url: string;
    connections?: number;
    duration?: number;
    timeout?: number;
    requests?: RequestSpec[];
  }

  interface Result {
    requests: { total: number; average: number };
    latency: { p50: number; p99: number; max: number };
    throughput: { total: number };
    duration: number;
    errors: number;
    timeouts: number;
    non2xx: number;
    "2xx": number;
    "3xx": number;
  }

  interface Instance extends EventEmitter, PromiseLike<Result> {
    stop(): void;
  }

  export default function autocannon(options: Options): Instance;
}

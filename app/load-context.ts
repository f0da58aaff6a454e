declare module "@remix-run/node" {
  interface AppLoadContext {
    /** The client's address as express sees it (set TRUST_PROXY behind a reverse proxy). */
    clientIp: string;
  }
}

export {};

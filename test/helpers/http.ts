/** A tiny cookie-keeping client for driving the real server over HTTP. */
export class Browser {
  cookie = "";
  constructor(readonly base: string) {}

  async get(path: string, init: RequestInit = {}) {
    return fetch(this.base + path, {
      ...init,
      redirect: "manual",
      headers: {
        ...(this.cookie ? { Cookie: this.cookie } : {}),
        ...(init.headers as Record<string, string>),
      },
    });
  }

  /** A form POST from our own origin unless `origin` says otherwise (null: no Origin header). */
  async post(
    path: string,
    fields: Record<string, string | string[]>,
    origin: string | null = this.base,
  ) {
    const body = new URLSearchParams();
    for (const [name, value] of Object.entries(fields)) {
      for (const v of Array.isArray(value) ? value : [value]) body.append(name, v);
    }
    const res = await fetch(this.base + path, {
      method: "POST",
      redirect: "manual",
      body,
      headers: {
        "Content-Type": "application/x-www-form-urlencoded",
        ...(origin ? { Origin: origin } : {}),
        ...(this.cookie ? { Cookie: this.cookie } : {}),
      },
    });
    const setCookie = res.headers.get("set-cookie");
    if (setCookie) this.cookie = setCookie.split(";")[0]!;
    return res;
  }

  /** A multipart form POST with one file, as a file input sends it. */
  async upload(path: string, field: string, name: string, content: string | Uint8Array) {
    const form = new FormData();
    const bytes = typeof content === "string" ? content : new Uint8Array(content);
    form.append(field, new Blob([bytes], { type: "text/csv" }), name);
    return fetch(this.base + path, {
      method: "POST",
      body: form,
      redirect: "manual",
      headers: { Origin: this.base, ...(this.cookie ? { Cookie: this.cookie } : {}) },
    });
  }

  async login(email: string, password: string) {
    const res = await this.post("/login", { email, password });
    if (res.status !== 302)
      throw new Error(`Login as ${email} failed with ${res.status}: ${await res.text()}`);
    return res;
  }
}

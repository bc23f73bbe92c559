import { request as httpRequest } from "node:http";

export interface Reply {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: string;
}

/** A raw HTTP request, so a test can send any Host, Origin or cookie a browser never would. */
export function request(
  port: number,
  options: { method?: string; path: string; headers?: Record<string, string>; body?: string },
): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const req = httpRequest(
      { host: "127.0.0.1", port, method: options.method ?? "GET", path: options.path, headers: options.headers ?? {} },
      (res) => {
        let body = "";
        res.setEncoding("utf8");
        res.on("data", (d: string) => {
          body += d;
        });
        res.on("end", () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }));
      },
    );
    req.on("error", reject);
    if (options.body !== undefined) req.write(options.body);
    req.end();
  });
}

/** Signs in with the panel's login link; returns the cookie header and the page's CSRF token. */
export async function signIn(port: number, loginUrl: string): Promise<{ cookie: string; csrf: string }> {
  const url = new URL(loginUrl);
  const login = await request(port, { path: `${url.pathname}${url.search}`, headers: { host: url.host } });
  const set = login.headers["set-cookie"];
  const cookie = (Array.isArray(set) ? set[0] : set)?.split(";")[0];
  if (!cookie) throw new Error(`no session cookie (${login.status} ${login.body})`);
  const page = await request(port, { path: "/t/0", headers: { host: url.host, cookie } });
  const csrf = /<meta name="csrf" content="([^"]+)">/.exec(page.body)?.[1];
  if (!csrf) throw new Error(`no CSRF token on the page (${page.status})`);
  return { cookie, csrf };
}

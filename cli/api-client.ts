/** The command line talks to the API like any integrator: with a key, over HTTP. */
export interface ApiClientOptions {
  baseUrl: string;
  key: string | undefined;
}

/** One offending input; an import's errors also name the spreadsheet row and column. */
export interface ProblemField {
  field: string;
  message: string;
  rule?: string;
  row?: number;
  column?: string;
}

export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly problem: { title?: string; detail?: string; errors?: ProblemField[] },
  ) {
    const fields = problem.errors?.map((e) => `\n  ${e.row !== undefined ? `row ${e.row}, ${e.column}: ` : `${e.field}: `}${e.message}${e.rule ? ` [${e.rule}]` : ''}`).join('') ?? '';
    super(`${status} ${problem.title ?? 'error'}: ${problem.detail ?? ''}${fields}`);
  }
}

export function createApiClient({ baseUrl, key }: ApiClientOptions) {
  async function send(method: string, path: string, body?: { type: string; data: string | Buffer }): Promise<Response> {
    if (!key) throw new Error('Set SANCTIONS_API_KEY to an API key (or pass --key).');
    const response = await fetch(`${baseUrl.replace(/\/+$/, '')}${path}`, {
      method,
      headers: { authorization: `Bearer ${key}`, ...(body ? { 'content-type': body.type } : {}) },
      ...(body ? { body: body.data } : {}),
    });
    if (!response.ok) {
      const text = await response.text();
      let problem = {};
      try {
        problem = text ? JSON.parse(text) : {};
      } catch {
        problem = { detail: text.slice(0, 500) };
      }
      throw new ApiError(response.status, problem);
    }
    return response;
  }
  async function call<T>(method: string, path: string, body?: { type: string; data: string | Buffer }): Promise<T> {
    const text = await (await send(method, path, body)).text();
    return (text ? JSON.parse(text) : null) as T;
  }
  return {
    get: <T>(path: string) => call<T>('GET', path),
    post: <T>(path: string, body: unknown) => call<T>('POST', path, { type: 'application/json', data: JSON.stringify(body) }),
    delete: (path: string) => call<null>('DELETE', path),
    /** Sends a file as the raw request body. */
    upload: <T>(path: string, file: Buffer, type: string) => call<T>('POST', path, { type, data: file }),
    download: async (path: string) => Buffer.from(await (await send('GET', path)).arrayBuffer()),
  };
}

export type ApiClient = ReturnType<typeof createApiClient>;

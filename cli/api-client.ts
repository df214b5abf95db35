/** The command line talks to the API like any integrator: with a key, over HTTP. */
export interface ApiClientOptions {
  baseUrl: string;
  key: string | undefined;
}

export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly problem: { title?: string; detail?: string; errors?: { field: string; message: string }[] },
  ) {
    const fields = problem.errors?.map((e) => `\n  ${e.field}: ${e.message}`).join('') ?? '';
    super(`${status} ${problem.title ?? 'error'}: ${problem.detail ?? ''}${fields}`);
  }
}

export function createApiClient({ baseUrl, key }: ApiClientOptions) {
  async function call<T>(method: string, path: string, body?: unknown): Promise<T> {
    if (!key) throw new Error('Set SANCTIONS_API_KEY to an API key (or pass --key).');
    const response = await fetch(`${baseUrl.replace(/\/+$/, '')}${path}`, {
      method,
      headers: { authorization: `Bearer ${key}`, ...(body !== undefined ? { 'content-type': 'application/json' } : {}) },
      ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
    });
    const text = await response.text();
    const parsed = text ? JSON.parse(text) : null;
    if (!response.ok) throw new ApiError(response.status, parsed ?? {});
    return parsed as T;
  }
  return {
    get: <T>(path: string) => call<T>('GET', path),
    post: <T>(path: string, body: unknown) => call<T>('POST', path, body),
  };
}

export type ApiClient = ReturnType<typeof createApiClient>;
